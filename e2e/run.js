#!/usr/bin/env node
'use strict';

/**
 * End-to-end suite: the package inside a real n8n (2.8.4), talking to the provider sandbox.
 *
 *   npm run test:e2e            (node e2e/run.js [--keep] [--verbose])
 *
 * It starts, on free loopback ports and in a fresh temp user folder:
 *   - the sink (records what the Status Trigger workflows post),
 *   - the provider sandbox (every provider's send API + its status callbacks),
 *   - n8n with the packed package installed as a community package, a sandbox credential, a
 *     send workflow and a Status Trigger workflow per provider (e2e/lib/workflows.js).
 * What differs between providers (credential, callback URL, codes, override case, forgeries) is
 * in e2e/providers/<name>.js; the sections below read it, so each covers every provider alike.
 * Then it checks, through n8n itself, that sends go out, callbacks reach the production
 * triggers, delivered / seen / discarded arrive on the right outputs with the send's messageId,
 * forged callbacks get 401 and start nothing, override and _config reach the provider, and a
 * refused send fails the workflow with the provider's error.
 *
 * Everything it started is stopped and the temp folder removed at the end, on failure and on
 * Ctrl-C too. The last line is "N passed, N failed"; the exit code is 1 when any check failed.
 *
 * --n8n V    run against n8n V instead of the pinned 2.8.4 (e.g. 1.123.81, 2.39.10; see N8N_VERSIONS in
 *            scripts/n8n-runtime.js), installed on first use into the git-ignored .tools/n8n-V
 * --keep     keep the temp folder (n8n.log, database) for a look afterwards
 * --verbose  print the sandbox's request log and the runtime's progress
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const rt = require('../scripts/n8n-runtime');
const { startSandbox, TEST_NUMBERS } = require('../sandbox/server');
const { createReport } = require('./lib/report');
const { httpPost } = require('./lib/http');
const { runLifecycle } = require('./lib/lifecycle');
const { startSink } = require('./lib/sink');
const { waitFor } = require('./lib/wait');
const { PROVIDERS, sandboxCredentials, sendWorkflow, statusWorkflow } = require('./lib/workflows');
const { E2E_PROVIDERS } = require('./providers');
const { twilioSignature } = require('./providers/twilio');

/**
 * More e2e suites, one file each in e2e/suites/: `{ name, workflows?(env), run(env) }`.
 * `workflows(env)` returns workflows to import with the others (before n8n starts);
 * `run(env)` runs after the built-in sections, with n8n, the sandbox and the sink up.
 */
const SUITES = fs
	.readdirSync(path.join(__dirname, 'suites'))
	.filter((file) => file.endsWith('.js'))
	.sort()
	.map((file) => require(path.join(__dirname, 'suites', file)));

const argv = process.argv.slice(2);
const args = new Set(argv);
if (rt.n8nVersionArg(argv)) rt.useN8n(rt.n8nVersionArg(argv));
const KEEP = args.has('--keep');
const VERBOSE = args.has('--verbose');
/** The whole run after n8n is installed; a hung run fails instead of hanging CI. */
const RUN_TIMEOUT_MS = 8 * 60 * 1000;

const report = createReport();
const timings = {};

// ---------------------------------------------------------------------------------------------
// Cleanup on success, failure or a signal, then the closing line (e2e/lib/lifecycle.js).
const { onCleanup, finish } = runLifecycle(report, {
	beforeSummary: () => console.log(`\ntimings (s): ${Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')}`),
});

// ---------------------------------------------------------------------------------------------
// Helpers

async function timed(name, fn) {
	const started = Date.now();
	try {
		return await fn();
	} finally {
		timings[name] = (timings[name] || 0) + (Date.now() - started);
	}
}

function withTimeout(promise, ms, what) {
	let timer;
	return Promise.race([
		promise.finally(() => clearTimeout(timer)),
		new Promise((_, reject) => {
			timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
		}),
	]);
}

const short = (value, max = 300) => {
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	return text && text.length > max ? `${text.slice(0, max)}…` : text;
};

// ---------------------------------------------------------------------------------------------

async function main() {
	console.log(`e2e: n8n-nodes-whatsapp-notify in n8n ${rt.N8N_VERSION} against the provider sandbox`);
	const runtimeOptions = { log: (line) => console.log(`        ${line}`), quiet: !VERBOSE };

	report.section('n8n');
	if (!rt.isN8nInstalled()) {
		console.log(`        n8n ${rt.N8N_VERSION} is not in ${path.relative(rt.ROOT, rt.TOOL_DIR)} yet: installing it (the first install takes about 4 minutes)`);
	}
	await timed('ensureN8n', () => rt.ensureN8n({ log: runtimeOptions.log }));
	report.pass(`n8n ${rt.N8N_VERSION} installed in ${path.relative(rt.ROOT, rt.TOOL_DIR)}`);
	setTimeout(() => {
		report.fail('the run finished in time', `still running after ${RUN_TIMEOUT_MS / 60000} minutes`);
		finish(1);
	}, RUN_TIMEOUT_MS).unref();

	// -- processes and files
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-notify-e2e-'));
	const userFolder = path.join(tmp, 'n8n');
	onCleanup('remove the temp folder', () => {
		if (KEEP) {
			console.log(`        kept ${tmp} (--keep)`);
			return;
		}
		fs.rmSync(tmp, { recursive: true, force: true });
		report.check(!fs.existsSync(tmp), `temp folder ${tmp} removed`);
	});
	report.info(`temp folder ${tmp}`);

	const sink = await startSink();
	onCleanup('stop the sink', () => sink.close());

	// The n8n port is chosen first: the trigger URLs (and so the sandbox's webhooks) depend on it.
	const sandbox = await startSandbox({ port: 0, log: VERBOSE });
	onCleanup('stop the sandbox', async () => {
		await sandbox.close();
		report.pass('sandbox stopped');
	});
	const n8nPort = await rt.findFreePort();
	const n8nBase = `http://127.0.0.1:${n8nPort}`;
	const triggerIds = Object.fromEntries(PROVIDERS.map((provider) => [provider, crypto.randomUUID()]));
	const triggerUrls = Object.fromEntries(
		PROVIDERS.map((provider) => [provider, E2E_PROVIDERS[provider].triggerUrl(n8nBase, triggerIds[provider])]),
	);
	sandbox.configure({ webhooks: triggerUrls, callbackDelayMs: 100 });
	report.info(`sink ${sink.url}, sandbox ${sandbox.url}, n8n ${n8nBase}`);

	// -- package, credentials, workflows
	report.section('install the package, import credentials and workflows, start n8n');
	const pkg = await timed('installPackage', () => rt.installPackage(userFolder, runtimeOptions));
	report.pass(`packed and installed ${pkg.name}@${pkg.version} as a community package`);

	const credentials = sandboxCredentials(sandbox.url);
	// Suites may bring credentials of their own (a credential without a secret, say): one import for all.
	const suiteCredentials = (
		await Promise.all(SUITES.map((suite) => (suite.credentials ? suite.credentials({ sandbox, credentials }) : [])))
	).flat();
	await timed('importCredentials', () =>
		rt.importCredentials(userFolder, [...Object.values(credentials), ...suiteCredentials], runtimeOptions),
	);
	report.pass(`imported the ${PROVIDERS.join(', ')} credentials (Base URL = the sandbox)`);

	const sendWorkflows = Object.fromEntries(
		PROVIDERS.map((provider) => [provider, sendWorkflow({ provider, credential: credentials[provider], path: `send-${provider}` })]),
	);
	const statusWorkflows = Object.fromEntries(
		PROVIDERS.map((provider) => [
			provider,
			statusWorkflow({ provider, credential: credentials[provider], webhookId: triggerIds[provider], sinkUrl: sink.url }),
		]),
	);
	// What the suites in e2e/suites/ get: everything this run started, and its helpers.
	const env = {
		report,
		sandbox,
		sink,
		credentials,
		triggerIds,
		triggerUrls,
		n8nBase,
		userFolder,
		httpPost,
		twilioSignature,
		waitFor,
		short,
		timed,
		sendWorkflows,
		statusWorkflows,
	};
	const suiteWorkflows = SUITES.flatMap((suite) => (suite.workflows ? suite.workflows(env) : []));
	const allWorkflows = [...Object.values(sendWorkflows), ...Object.values(statusWorkflows), ...suiteWorkflows];
	// Imported inactive; published below over REST on the running instance (faster than one CLI call each).
	await timed('importWorkflows', () => rt.importWorkflows(userFolder, allWorkflows, { ...runtimeOptions, activate: false }));
	report.pass(`imported ${allWorkflows.length} workflows (a send and a status workflow per provider)`);

	// Also covers a signal that arrives while n8n boots (before there is a handle to stop).
	onCleanup('stop an n8n that was still starting', () => rt.stopAll({ timeoutMs: 5000 }));
	const n8n = await timed('startN8n', () => rt.startN8n({ userFolder, port: n8nPort, setupOwner: true }));
	onCleanup('stop n8n', async () => {
		const exit = await n8n.stop();
		report.check(n8n.process.exitCode !== null || n8n.process.signalCode !== null, `n8n stopped (${JSON.stringify(exit)})`);
	});
	report.pass(`n8n up at ${n8n.url} in ${(n8n.bootMs / 1000).toFixed(1)}s (pid ${n8n.pid}), owner ${rt.OWNER.email} set up`);

	await timed('activate', async () => {
		for (const workflow of allWorkflows) await n8n.activateWorkflow(workflow.id);
	});
	const active = await n8n.rest('GET', '/workflows');
	const activeIds = new Set((Array.isArray(active) ? active : active.data || []).filter((w) => w.active).map((w) => w.id));
	report.check(
		allWorkflows.every((workflow) => activeIds.has(workflow.id)),
		`all ${allWorkflows.length} workflows published (active)`,
		() => `active: ${[...activeIds].join(', ')}`,
	);

	// -- helpers bound to this run
	const send = (provider, body) => httpPost(`${n8n.localUrl}/webhook/send-${provider}`, { body });

	async function executionStats(workflowId) {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const page = await n8n.rest('GET', `/executions?limit=100&filter=${filter}`);
		const running = page.results.filter((execution) => execution.status === 'new' || execution.status === 'running');
		return { completed: page.count, running: running.length, total: page.count + running.length, results: page.results };
	}

	/** Waits until the workflow has `expected` executions, none still running. */
	async function settledExecutions(workflowId, expected, what) {
		return waitFor(
			async () => {
				const stats = await executionStats(workflowId);
				return stats.running === 0 && stats.completed >= expected ? stats : null;
			},
			{ timeoutMs: 30000, intervalMs: 200, what },
		);
	}

	const receivedFor = (messageId) => sandbox.received.find((record) => record.messageId === messageId);
	Object.assign(env, { n8n, send, executionStats, settledExecutions, receivedFor });

	// =========================================================================================
	report.section('send through WhatsApp Notify (webhook-started workflows)');
	const sent = {};
	await timed('sends', () =>
		Promise.all(
			PROVIDERS.map(async (provider) => {
				sent[provider] = {};
				for (const [kind, to] of [
					['ordinary', TEST_NUMBERS.delivered],
					['undeliverable', TEST_NUMBERS.undeliverable],
				]) {
					const text = `e2e ${kind} message via ${provider}`;
					const response = await report.attempt(`${provider}: send to ${to}`, () => send(provider, { to, text }));
					if (!response) continue;
					const item = Array.isArray(response.body) ? response.body[0] : undefined;
					const ok = report.check(
						response.status === 200 &&
							Array.isArray(response.body) &&
							response.body.length === 1 &&
							item.status === 'sent' &&
							item.provider === provider &&
							typeof item.messageId === 'string' &&
							item.messageId.length > 0 &&
							item.recipient === to,
						`${provider}: POST /webhook/send-${provider} (${kind} ${to}) -> 200, status sent, messageId ${item && item.messageId}`,
						() => `HTTP ${response.status}: ${short(response.body)}`,
					);
					if (!ok) continue;
					sent[provider][kind] = item;
					const record = receivedFor(item.messageId);
					report.check(
						record && record.provider === provider && record.status >= 200 && record.status < 300,
						`${provider}: the sandbox accepted it (HTTP ${record && record.status}) under the same messageId`,
						() => `sandbox.received: ${short(sandbox.received.map((r) => [r.provider, r.status, r.messageId]))}`,
					);
					report.check(
						record && E2E_PROVIDERS[provider].sentText(record.body) === text,
						`${provider}: the request carries the message text`,
						() => short(record && record.body),
					);
				}
			}),
		),
	);

	// =========================================================================================
	report.section('status callbacks -> production triggers -> Delivered / Seen / Discarded -> sink');
	await timed('statuses', async () => {
		for (const provider of PROVIDERS) {
			const ordinary = sent[provider].ordinary;
			const undeliverable = sent[provider].undeliverable;
			const of = (output) => (body) => body.provider === provider && body.output === output;
			if (ordinary) {
				const delivered = await report.attempt(`${provider}: delivered reaches the sink`, () =>
					sink.waitFor((body) => of('delivered')(body) && body.event.messageId === ordinary.messageId, {
						what: `${provider} delivered`,
					}),
				);
				if (delivered) {
					report.check(
						delivered.event.status === 'delivered' && delivered.event.recipient === TEST_NUMBERS.delivered,
						`${provider}: Delivered output, messageId ${ordinary.messageId} = the send's, recipient ${delivered.event.recipient}`,
						() => short(delivered.event),
					);
				}
				if (provider === 'smooch') {
					// conversation:read names no message: it carries the conversation and the user.
					const read = await report.attempt('smooch: seen (conversation:read) reaches the sink', async () => {
						const callback = await waitFor(
							() =>
								sandbox.callbacks.find(
									(c) => c.provider === 'smooch' && c.status === 'conversation:read' && c.messageId === ordinary.messageId,
								),
							{ what: 'the sandbox to send conversation:read' },
						);
						const event = await sink.waitFor(
							(body) => of('seen')(body) && body.event.conversationId === callback.body.conversation._id,
							{ what: 'smooch seen' },
						);
						return { callback, event };
					});
					if (read) {
						const conversationOfSend = delivered && delivered.event.raw && delivered.event.raw.matchResult.conversation._id;
						report.check(
							read.event.event.messageId === null &&
								read.event.event.status === 'seen' &&
								read.event.event.conversationId === read.callback.body.conversation._id &&
								read.event.event.conversationId === conversationOfSend &&
								read.event.event.userId === read.callback.body.appUser._id &&
								Boolean(read.event.event.userId),
							`smooch: Seen output, messageId null, conversationId ${read.event.event.conversationId} (the send's conversation), userId ${read.event.event.userId}`,
							() => short(read.event.event),
						);
					}
				} else {
					const seen = await report.attempt(`${provider}: seen reaches the sink`, () =>
						sink.waitFor((body) => of('seen')(body) && body.event.messageId === ordinary.messageId, { what: `${provider} seen` }),
					);
					if (seen) {
						report.check(
							seen.event.status === 'seen',
							`${provider}: Seen output, messageId ${ordinary.messageId} = the send's`,
							() => short(seen.event),
						);
					}
				}
			}
			if (undeliverable) {
				const discarded = await report.attempt(`${provider}: discarded reaches the sink`, () =>
					sink.waitFor((body) => of('discarded')(body) && body.event.messageId === undeliverable.messageId, {
						what: `${provider} discarded`,
					}),
				);
				if (discarded) {
					const error = discarded.event.error || {};
					report.check(
						discarded.event.status === 'discarded' && Number(error.code) === E2E_PROVIDERS[provider].undeliverableCode && Boolean(error.message),
						`${provider}: Discarded output, messageId ${undeliverable.messageId} = the send's, error ${error.code} "${error.message}"`,
						() => short(discarded.event),
					);
				}
			}
			// Nothing went to a wrong output: every event at the sink says the status of its output.
			const misrouted = sink.find((body) => body.provider === provider && body.event && body.event.status !== body.output);
			report.check(misrouted.length === 0, `${provider}: every event at the sink came out of the output named after its status`, () =>
				short(misrouted),
			);
		}
	});

	// =========================================================================================
	report.section('override and _config reach the provider as sent');
	await timed('override', async () => {
		await Promise.all(
			PROVIDERS.map(async (provider) => {
				const { override, verify, says } = E2E_PROVIDERS[provider].override;
				const response = await report.attempt(`${provider}: send with override`, () =>
					send(provider, { to: '+15557654321', text: `e2e override via ${provider}`, override }),
				);
				if (!response) return;
				const item = Array.isArray(response.body) ? response.body[0] : undefined;
				if (
					!report.check(
						response.status === 200 && item && item.status === 'sent' && item.messageId,
						`${provider}: send with override ${short(JSON.stringify(override), 120)} -> sent`,
						() => `HTTP ${response.status}: ${short(response.body)}`,
					)
				) {
					return;
				}
				sent[provider].override = item;
				const record = receivedFor(item.messageId);
				let verified = false;
				try {
					verified = Boolean(record && verify(record.body, record));
				} catch {
					verified = false;
				}
				report.check(verified, `${provider}: the sandbox received ${says}`, () => short(record && record.body, 600));
			}),
		);
	});

	// =========================================================================================
	report.section('a refused send (400 test number) fails the send workflow with the provider error');
	await timed('refused', () =>
		Promise.all(
			PROVIDERS.map(async (provider) => {
				const to = TEST_NUMBERS.invalid;
				const response = await report.attempt(`${provider}: send to ${to}`, () => send(provider, { to, text: 'e2e refused' }));
				if (!response) return;
				report.check(
					response.status === 500 && response.body && response.body.message === 'Error in workflow',
					`${provider}: POST /webhook/send-${provider} (${to}) -> ${response.status} ${short(response.body, 80)}`,
					() => `HTTP ${response.status}: ${short(response.body)}`,
				);
				const refusal = sandbox.received.find((r) => r.provider === provider && r.status === 400);
				report.check(Boolean(refusal), `${provider}: the sandbox answered 400 ${short(refusal && refusal.response, 120)}`);
				const execution = await report.attempt(`${provider}: the failed execution is recorded`, async () => {
					const stats = await waitFor(
						async () => {
							const s = await executionStats(sendWorkflows[provider].id);
							return s.results.find((e) => e.status === 'error') ? s : null;
						},
						{ what: `an error execution of ${sendWorkflows[provider].name}`, timeoutMs: 15000 },
					);
					const failed = stats.results.find((e) => e.status === 'error');
					return n8n.rest('GET', `/executions/${failed.id}`);
				});
				if (!execution) return;
				const data = typeof execution.data === 'string' ? execution.data : JSON.stringify(execution.data);
				const expected = `refused item 0 (${to})`;
				const match = new RegExp(`[^"]*refused item 0 \\(\\${to}\\)[^"]*`).exec(data);
				report.check(
					execution.status === 'error' && data.includes(expected) && data.includes(E2E_PROVIDERS[provider].invalidError),
					`${provider}: execution ${execution.id} status error: "${match ? match[0] : '?'}"`,
					() => `status ${execution.status}; data ${short(data, 800)}`,
				);
			}),
		),
	);

	// =========================================================================================
	report.section('every callback reached its production trigger; one execution per delivered/seen/discarded');
	const expectedRuns = {};
	await timed('executions', async () => {
		await report.attempt('the sandbox sent all its callbacks', () =>
			withTimeout(sandbox.idle(), 30000, 'the sandbox to be idle (no callbacks pending)'),
		);
		for (const provider of PROVIDERS) {
			const callbacks = sandbox.callbacks.filter((c) => c.provider === provider);
			const wrong = callbacks.filter((c) => c.httpStatus !== 200 || c.url !== triggerUrls[provider]);
			report.check(
				callbacks.length > 0 && wrong.length === 0,
				`${provider}: ${callbacks.length} callbacks (${[...new Set(callbacks.map((c) => c.status))].join(', ')}) -> ${triggerUrls[provider].replace(n8nBase, '')}, all HTTP 200`,
				() => short(wrong.map((c) => [c.status, c.url, c.httpStatus, c.error])),
			);
			expectedRuns[provider] = callbacks.filter((c) => E2E_PROVIDERS[provider].countedCallbacks.has(c.status)).length;
			const stats = await report.attempt(`${provider}: status executions settle`, () =>
				settledExecutions(statusWorkflows[provider].id, expectedRuns[provider], `${provider} status executions`),
			);
			if (!stats) continue;
			const notSuccess = stats.results.filter((e) => e.status !== 'success');
			const atSink = sink.find((body) => body.provider === provider).length;
			report.check(
				stats.total === expectedRuns[provider] && notSuccess.length === 0 && atSink === expectedRuns[provider],
				`${provider}: ${stats.total} trigger executions (all success, mode ${[...new Set(stats.results.map((e) => e.mode))].join('/')}) = ${expectedRuns[provider]} delivered/seen/discarded callbacks = ${atSink} events at the sink; "sent" callbacks started none`,
				() => `executions ${stats.total} (${short(stats.results.map((e) => e.status))}), expected ${expectedRuns[provider]}, sink ${atSink}`,
			);
			const sendStats = await executionStats(sendWorkflows[provider].id);
			const byStatus = sendStats.results.reduce((counts, e) => ({ ...counts, [e.status]: (counts[e.status] || 0) + 1 }), {});
			report.check(
				sendStats.total === 4 && byStatus.success === 3 && byStatus.error === 1,
				`${provider}: send workflow ran 4 times (${JSON.stringify(byStatus)})`,
				() => short(sendStats.results.map((e) => [e.id, e.status, e.mode])),
			);
		}
	});

	// =========================================================================================
	report.section('forged callbacks get 401 and start no execution');
	await timed('forged', async () => {
		/** The body of the callback the sandbox sent for the ordinary send with this status. */
		const original = (provider) => (status) =>
			sandbox.callbacks.find((c) => c.provider === provider && c.status === status && c.messageId === sent[provider].ordinary.messageId).body;
		const marker = (provider) => () => `e2e-marker-${provider}-${crypto.randomBytes(4).toString('hex')}`;
		for (const provider of PROVIDERS) {
			if (!sent[provider].ordinary || expectedRuns[provider] === undefined) {
				report.fail(`${provider}: forged callbacks`, 'skipped: the ordinary send or its callbacks failed above');
				continue;
			}
			await report.attempt(`${provider}: forged callbacks`, async () => {
				const plan = E2E_PROVIDERS[provider].forgeries({ original: original(provider), url: triggerUrls[provider], marker: marker(provider) });
				const before = await settledExecutions(statusWorkflows[provider].id, expectedRuns[provider], `${provider} executions before`);
				for (const [what, to, request] of plan.forged) {
					const response = await httpPost(to, { ...request, json: false });
					report.check(
						response.status === 401,
						`${provider}: forged callback (${what}) -> ${response.status} ${short(response.text, 70)}`,
						() => `HTTP ${response.status}: ${short(response.text)}`,
					);
				}
				// A genuine callback afterwards: once its execution is in, any execution the forged ones
				// had started would be too. Exactly one more execution means they started none.
				const [to, request] = plan.genuine;
				const response = await httpPost(to, { ...request, json: false });
				report.check(response.status === 200, `${provider}: a genuine callback right after -> ${response.status}`);
				await sink.waitFor((body) => body.provider === provider && body.event.messageId === plan.markerId, {
					what: `${provider} marker event at the sink`,
				});
				const after = await settledExecutions(statusWorkflows[provider].id, before.total + 1, `${provider} executions after`);
				report.check(
					after.total === before.total + 1,
					`${provider}: executions ${before.total} -> ${after.total}: only the genuine callback started one`,
					() => `before ${before.total}, after ${after.total}`,
				);
			});
		}
	});

	for (const suite of SUITES) {
		report.section(suite.name);
		if (suite.pinnedN8nOnly && rt.N8N_VERSION !== rt.DEFAULT_N8N_VERSION) {
			report.info(`skipped in n8n ${rt.N8N_VERSION}: it checks something that always runs n8n ${rt.DEFAULT_N8N_VERSION}`);
			continue;
		}
		await timed(suite.name, () => suite.run(env));
	}

	// =========================================================================================
	report.section('n8n log');
	const log = n8n.readLog();
	report.check(n8n.activationErrors.length === 0 && !/Issue on initial workflow activation/.test(log), 'no activation errors in the n8n log');
	const networkErrors = log.match(/ENOTFOUND|EAI_AGAIN|ETIMEDOUT/g);
	report.check(!networkErrors, `no outbound-network errors in the n8n log${networkErrors ? `: ${networkErrors.join(', ')}` : ''}`);

	report.section('stop everything');
}

main()
	.catch((error) => {
		report.fail('the run', error.stack || error.message);
	})
	.finally(() => finish());
