#!/usr/bin/env node
'use strict';

/**
 * End-to-end suite: the package inside a real n8n (2.8.4), talking to the provider sandbox.
 *
 *   npm run test:e2e            (node test/e2e/run.js [--keep] [--verbose])
 *
 * It starts, on free loopback ports and in a fresh temp user folder:
 *   - the sink (records what the Status Trigger workflows post),
 *   - the provider sandbox (every provider's send API + its status callbacks),
 *   - n8n with the packed package installed as a community package, a sandbox credential, a
 *     send workflow and a Status Trigger workflow per provider (test/e2e/lib/workflows.js).
 * What differs between providers (credential, callback URL, codes, override case, forgeries) is
 * in their kits (sandbox/providers/<name>.js); the suites (test/e2e/suites/) read them, so each
 * covers every provider alike. Then it checks, through n8n itself, that sends go out, callbacks reach the production
 * triggers, delivered / seen / discarded arrive on the right outputs with the send's messageId,
 * forged callbacks get 401 and start nothing, override and _config reach the provider, and a
 * refused send fails the workflow with the provider's error.
 *
 * Everything it started is stopped and the temp folder removed at the end, on failure and on
 * Ctrl-C too. The last line is "N passed, N failed"; the exit code is 1 when any check failed.
 *
 * --n8n V    run against n8n V instead of the pinned 2.8.4 (e.g. 1.123.81, 2.39.10; see N8N_VERSIONS in
 *            scripts/n8n-runtime/profile.js), installed on first use into the git-ignored .tools/n8n-V
 * --skip S   leave out the suites whose file names (without .js) are listed, comma-separated
 *            (e.g. --skip dev-signals while iterating on another; CI runs them all)
 * --only S   run only the suites listed, comma-separated (e.g. --only send-and-wait)
 * --keep     keep the temp folder (n8n.log, database) for a look afterwards
 * --verbose  print the sandbox's request log and the runtime's progress
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const rt = require('../../scripts/n8n-runtime');
const { startSandbox } = require('../../sandbox/server');
const { createReport } = require('./lib/report');
const { httpPost } = require('./lib/http');
const { runLifecycle } = require('./lib/lifecycle');
const { startSink } = require('./lib/sink');
const { waitFor } = require('./lib/wait');
const { providerNames, sandboxCredentials, sendWorkflow, statusWorkflow, triggerUrl } = require('./lib/workflows');
const { sandboxProviders } = require('../../sandbox/providers');

/**
 * The suites, one file each in test/e2e/suites/, run in name order (1-sends.js … 6-forged.js first,
 * then the topics): `{ name, credentials?(env), workflows?(env), run(env) }` (test/e2e/suites/README.md).
 */
const argv = process.argv.slice(2);
const args = new Set(argv);
if (rt.n8nVersionArg(argv)) rt.useN8n(rt.n8nVersionArg(argv));
const SKIP = new Set(argv.includes('--skip') ? argv[argv.indexOf('--skip') + 1].split(',') : []);
const ONLY = argv.includes('--only') ? new Set(argv[argv.indexOf('--only') + 1].split(',')) : undefined;
const SUITES = fs
	.readdirSync(path.join(__dirname, 'suites'))
	.filter((file) => file.endsWith('.js') && !SKIP.has(file.slice(0, -3)) && (!ONLY || ONLY.has(file.slice(0, -3))))
	.sort()
	.map((file) => require(path.join(__dirname, 'suites', file)));
const KEEP = args.has('--keep');
const VERBOSE = args.has('--verbose');
/**
 * The whole run after n8n is installed; a hung run fails instead of hanging CI. On two cores
 * shared with other work, the dev-signals suite alone (n8n started six times) took over 6 minutes.
 */
const RUN_TIMEOUT_MS = 15 * 60 * 1000;

const report = createReport();
const timings = {};
const runtimeOptions = { log: (line) => console.log(`        ${line}`), quiet: !VERBOSE };

// Cleanup on success, failure or a signal, then the closing line (test/e2e/lib/lifecycle.js).
const { onCleanup, finish } = runLifecycle(report, {
	beforeSummary: () => console.log(`\ntimings (s): ${Object.entries(timings).map(([k, v]) => `${k} ${(v / 1000).toFixed(1)}`).join(', ')}`),
});

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

async function installN8n() {
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
}

/** A temp user folder with the packed package installed (which builds it, so the registry is there). */
async function prepareUserFolder() {
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-notify-e2e-'));
	onCleanup('remove the temp folder', () => {
		if (KEEP) {
			console.log(`        kept ${tmp} (--keep)`);
			return;
		}
		fs.rmSync(tmp, { recursive: true, force: true });
		report.check(!fs.existsSync(tmp), `temp folder ${tmp} removed`);
	});
	report.info(`temp folder ${tmp}`);
	const userFolder = path.join(tmp, 'n8n');
	report.section('install the package, import credentials and workflows, start n8n');
	const pkg = await timed('installPackage', () => rt.installPackage(userFolder, runtimeOptions));
	report.pass(`packed and installed ${pkg.name}@${pkg.version} as a community package`);
	return userFolder;
}

/**
 * The sink, the sandbox (its callbacks go to the trigger URLs on n8n's port, chosen first) and what every suite shares.
 * @returns {Promise<any>} the suites' env, which the later steps add to (n8n, credentials, …)
 */
async function startServices(userFolder) {
	const sink = await startSink();
	onCleanup('stop the sink', () => sink.close());
	const sandbox = await startSandbox({ port: 0, log: VERBOSE });
	onCleanup('stop the sandbox', async () => {
		await sandbox.close();
		report.pass('sandbox stopped');
	});
	const n8nPort = await rt.findFreePort();
	const n8nBase = `http://127.0.0.1:${n8nPort}`;
	const providers = providerNames();
	const triggerIds = Object.fromEntries(providers.map((provider) => [provider, crypto.randomUUID()]));
	const triggerUrls = Object.fromEntries(providers.map((provider) => [provider, triggerUrl(provider, n8nBase, triggerIds[provider])]));
	sandbox.configure({ webhooks: triggerUrls, callbackDelayMs: 100 });
	report.info(`sink ${sink.url}, sandbox ${sandbox.url}, n8n ${n8nBase}`);
	// What the suites in test/e2e/suites/ get: everything this run started, its helpers, and what earlier suites found.
	return {
		...{ report, sandbox, sink, userFolder, n8nPort, n8nBase, providers, kits: sandboxProviders(), triggerIds, triggerUrls },
		...{ httpPost, waitFor, short, timed, withTimeout, sent: {}, expectedRuns: {} },
		receivedFor: (messageId) => sandbox.received.find((record) => record.messageId === messageId),
	};
}

/** Every provider's credential, send and status workflow, and whatever the suites bring, imported in one go each. */
async function importCredentialsAndWorkflows(env) {
	const { providers, userFolder } = env;
	const credentials = sandboxCredentials(env.sandbox.url);
	// Suites may bring credentials of their own (a credential without a secret, say): one import for all.
	const suiteCredentials = (
		await Promise.all(SUITES.map((suite) => (suite.credentials ? suite.credentials({ sandbox: env.sandbox, credentials }) : [])))
	).flat();
	await timed('importCredentials', () => rt.importCredentials(userFolder, [...Object.values(credentials), ...suiteCredentials], runtimeOptions));
	report.pass(`imported the ${providers.join(', ')} credentials (Base URL = the sandbox)`);

	const byProvider = (make) => Object.fromEntries(providers.map((provider) => [provider, make(provider)]));
	env.credentials = credentials;
	env.sendWorkflows = byProvider((provider) => sendWorkflow({ provider, credential: credentials[provider], path: `send-${provider}` }));
	env.statusWorkflows = byProvider((provider) =>
		statusWorkflow({ provider, credential: credentials[provider], webhookId: env.triggerIds[provider], sinkUrl: env.sink.url }),
	);
	const suiteWorkflows = SUITES.flatMap((suite) => (suite.workflows ? suite.workflows(env) : []));
	env.workflows = [...Object.values(env.sendWorkflows), ...Object.values(env.statusWorkflows), ...suiteWorkflows];
	// Imported inactive; published over REST on the running instance (faster than one CLI call each).
	await timed('importWorkflows', () => rt.importWorkflows(userFolder, env.workflows, { ...runtimeOptions, activate: false }));
	report.pass(`imported ${env.workflows.length} workflows (a send and a status workflow per provider)`);
}

async function startN8nAndPublish(env) {
	// Also covers a signal that arrives while n8n boots (before there is a handle to stop).
	onCleanup('stop an n8n that was still starting', () => rt.stopAll({ timeoutMs: 5000 }));
	const n8n = await timed('startN8n', () => rt.startN8n({ userFolder: env.userFolder, port: env.n8nPort, setupOwner: true }));
	// The n8n running now: a suite may restart it (env.restartN8n).
	onCleanup('stop n8n', async () => {
		const running = env.n8n ?? n8n;
		const exit = await running.stop();
		report.check(running.process.exitCode !== null || running.process.signalCode !== null, `n8n stopped (${JSON.stringify(exit)})`);
	});
	report.pass(`n8n up at ${n8n.url} in ${(n8n.bootMs / 1000).toFixed(1)}s (pid ${n8n.pid}), owner ${rt.OWNER.email} set up`);

	await timed('activate', async () => {
		for (const workflow of env.workflows) await n8n.activateWorkflow(workflow.id);
	});
	const active = await n8n.rest('GET', '/workflows');
	const activeIds = new Set((Array.isArray(active) ? active : active.data || []).filter((w) => w.active).map((w) => w.id));
	report.check(
		env.workflows.every((workflow) => activeIds.has(workflow.id)),
		`all ${env.workflows.length} workflows published (active)`,
		() => `active: ${[...activeIds].join(', ')}`,
	);
	Object.assign(env, { n8n, ...n8nHelpers(n8n) });
	/**
	 * Stops n8n and starts it again on the same port and database, `host` in the URLs it shows
	 * (WEBHOOK_URL): 'localhost' moves every trigger's URL, as a new domain or tunnel does.
	 */
	env.restartN8n = async ({ host = '127.0.0.1' } = {}) => {
		await env.n8n.stop();
		const restarted = await timed('restartN8n', () => rt.startN8n({ userFolder: env.userFolder, port: env.n8nPort, host, setupOwner: true }));
		Object.assign(env, { n8n: restarted, n8nBase: restarted.url, ...n8nHelpers(restarted) });
		return restarted;
	};
}

/** The helpers bound to this n8n: a send through a provider's send workflow, and execution counts. */
function n8nHelpers(n8n) {
	async function executionStats(workflowId) {
		const filter = encodeURIComponent(JSON.stringify({ workflowId }));
		const page = await n8n.rest('GET', `/executions?limit=100&filter=${filter}`);
		const running = page.results.filter((execution) => execution.status === 'new' || execution.status === 'running');
		return { completed: page.count, running: running.length, total: page.count + running.length, results: page.results };
	}
	/** Waits until the workflow has `expected` executions, none still running. */
	const settledExecutions = (workflowId, expected, what) =>
		waitFor(
			async () => {
				const stats = await executionStats(workflowId);
				return stats.running === 0 && stats.completed >= expected ? stats : null;
			},
			{ timeoutMs: 30000, intervalMs: 200, what },
		);
	const send = (provider, body) => httpPost(`${n8n.localUrl}/webhook/send-${provider}`, { body });
	return { send, executionStats, settledExecutions };
}

async function runSuites(env) {
	for (const suite of SUITES) {
		report.section(suite.name);
		if (suite.pinnedN8nOnly && rt.N8N_VERSION !== rt.DEFAULT_N8N_VERSION) {
			report.info(`skipped in n8n ${rt.N8N_VERSION}: it checks something that always runs n8n ${rt.DEFAULT_N8N_VERSION}`);
			continue;
		}
		await timed(suite.timing || suite.name, () => suite.run(env));
	}
}

function checkN8nLog({ n8n }) {
	report.section('n8n log');
	const log = n8n.readLog();
	report.check(n8n.activationErrors.length === 0 && !/Issue on initial workflow activation/.test(log), 'no activation errors in the n8n log');
	const networkErrors = log.match(/ENOTFOUND|EAI_AGAIN|ETIMEDOUT/g);
	report.check(!networkErrors, `no outbound-network errors in the n8n log${networkErrors ? `: ${networkErrors.join(', ')}` : ''}`);
}

async function main() {
	console.log(`e2e: n8n-nodes-whatsapp-notify in n8n ${rt.N8N_VERSION} against the provider sandbox`);
	await installN8n();
	const env = await startServices(await prepareUserFolder());
	await importCredentialsAndWorkflows(env);
	await startN8nAndPublish(env);
	await runSuites(env);
	checkN8nLog(env);
	report.section('stop everything');
}

main()
	.catch((error) => {
		report.fail('the run', error.stack || error.message);
	})
	.finally(() => finish());
