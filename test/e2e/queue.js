#!/usr/bin/env node
'use strict';

/**
 * The package in n8n's queue mode, for real: `npm run test:queue` (node test/e2e/queue.js [--n8n <version>] [--keep] [--verbose];
 * --n8n as in test/e2e/run.js, default the pinned 2.8.4).
 *
 * Starts, on free loopback ports with everything in a temp folder:
 *   - Redis and PostgreSQL 15 from Debian (apt-get installs them when missing; scripts/n8n-runtime/services.js),
 *   - n8n in queue mode (scripts/n8n-runtime/queue.js): one main (production webhooks off), one
 *     webhook processor (`n8n webhook`) and two workers (`n8n worker`), each with its own user
 *     folder and its own copy of the package installed as a community package, sharing the
 *     database and the encryption key, with the settings this n8n needs in queue mode (on 2.39:
 *     the legacy expression engine, docs/scaling.md),
 *   - the provider sandbox (its status callbacks go to the webhook processor) and the sink.
 * Then, all traffic through the webhook processor:
 *   - batches through WhatsApp Notify in concurrent executions: every message reaches the
 *     sandbox exactly once, the answers keep the input order;
 *   - every status callback of every provider is answered 200 within 5 s (Twilio Event Streams'
 *     timeout, the tightest of the four) and becomes exactly one execution, run on a worker (both
 *     workers used), its event on the output named after its status;
 *   - forged callbacks get 401 and start nothing;
 *   - Send and Wait: two questions asked on workers wait; taps through the webhook processor resume
 *     each with its own answer (n8n's signed resume URL, called at WEBHOOK_URL); a replayed tap gets 401;
 *   - concurrent batches on both workers against one provider limit (the sandbox's 429s):
 *     each message accepted once; the combined rate and the 429s are reported;
 *   - callbacks per second through the webhook processor under the benchmark's load
 *     (sandbox/callbackLoad.js), reported; bench/n8n-queue.js measures it against n8n's Webhook node.
 * Everything is stopped at the end, on failure and on a signal too. Last line: "N passed, N failed".
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const rt = require('../../scripts/n8n-runtime');
const { queueEnvironment, queueSettings, startQueueProcesses } = require('../../scripts/n8n-runtime/queue');
const { startRedis, startPostgres } = require('../../scripts/n8n-runtime/services');
const { load, loadCredentials, loadKits, requestsFor } = require('../../sandbox/callbackLoad');
const { startSandbox, TEST_NUMBERS } = require('../../sandbox/server');
const { createReport } = require('./lib/report');
const { httpPost } = require('./lib/http');
const { runLifecycle } = require('./lib/lifecycle');
const { startSink } = require('./lib/sink');
const { waitFor } = require('./lib/wait');
const { sandboxProviders } = require('../../sandbox/providers');
const { providerNames, sandboxCredentials, batchSendWorkflow, statusWorkflow, triggerUrl } = require('./lib/workflows');

const argv = process.argv.slice(2);
if (rt.n8nVersionArg(argv)) rt.useN8n(rt.n8nVersionArg(argv));
const KEEP = argv.includes('--keep');
const VERBOSE = argv.includes('--verbose');
const RUN_TIMEOUT_MS = 12 * 60 * 1000;

/** Batches: per provider, this many concurrent executions of this many messages each. */
const BATCHES_PER_PROVIDER = 4;
const MESSAGES_PER_BATCH = 10;
/** The throughput load: callbacks per provider, clients in a closed loop, unmeasured warm-up. */
const LOAD = { requests: 100, concurrency: 10, warmup: 20 };
/** The most a provider waits for the answer to a callback: Twilio Event Streams' 5 s, the tightest (Gupshup 10 s). */
const CALLBACK_TIMEOUT_MS = 5000;
/**
 * Status callbacks per second the sandbox offers the webhook processor, all providers together:
 * below what it answers on this 2-core machine under load (bench/n8n-queue.js, docs/scaling.md),
 * so answers stay within CALLBACK_TIMEOUT_MS unless it falls below this rate.
 */
const CALLBACK_RATE = 20;
const WORKER_CONCURRENCY = 10;
/** Concurrent batch executions against one provider limit none of them is told about. */
const SHARED_LIMIT = { provider: 'twilio', limit: 50, batches: 4, messages: 100 };

/** Which Status Trigger output a sandbox callback lands on (its kit's statusWords); undefined: it starts nothing. */
const outputOf = (provider, word) => (Object.hasOwn(sandboxProviders()[provider].statusWords, word) ? sandboxProviders()[provider].statusWords[word] : undefined);

const report = createReport();
const measured = {};

const { onCleanup, finish } = runLifecycle(report, { beforeSummary: () => console.log('') });

// ---------------------------------------------------------------------------------------------
// Helpers

const short = (value, max = 300) => {
	const text = typeof value === 'string' ? value : JSON.stringify(value);
	return text && text.length > max ? `${text.slice(0, max)}…` : text;
};

/** The message text of a send in the sandbox's received log, in the provider's request shape. */
const sentText = (provider, body) => sandboxProviders()[provider].sentText(body || {});

const countBy = (list, key) => list.reduce((counts, each) => ({ ...counts, [key(each)]: (counts[key(each)] || 0) + 1 }), {});

/** Execution counts of a workflow, read from the shared database through the main process. */
async function executionCounts(main, workflowId) {
	const page = (filter) => main.rest('GET', `/executions?limit=1&filter=${encodeURIComponent(JSON.stringify({ workflowId, ...filter }))}`);
	// Failed ones are counted by status, not as total minus the others: the three counts are taken one
	// after the other, and an execution that finishes in between would look failed.
	const [all, success, unfinished, failed] = await Promise.all([
		page({}),
		page({ status: ['success'] }),
		page({ status: ['new', 'running'] }),
		page({ status: ['error', 'crashed', 'canceled'] }),
	]);
	return { total: all.count, success: success.count, unfinished: unfinished.count, failed: failed.count };
}

/** Execution ids each worker's log says it ran ("Worker started execution <id> (job <n>)"). */
function executionsRunBy(handles) {
	return handles.map((handle) => [...handle.readLog().matchAll(/Worker started execution (\d+) \(job/g)].map((match) => match[1]));
}

/** A Status Trigger workflow per provider of the callback load (sandbox/callbackLoad.js), as the bench loads it, without sink. */
function loadTargets(credentials) {
	return loadKits().map((kit) => {
		const credential = credentials.find((each) => each.type === kit.credentialType);
		const workflow = statusWorkflow({ provider: kit.name, credential, webhookId: crypto.randomUUID() });
		const node = workflow.nodes.find((each) => each.type === rt.NODE_TYPES.statusTrigger);
		const target = `trigger-${kit.name}`;
		return { target, provider: kit.name, credential, urlPath: rt.productionWebhookPath({ node, path: 'status' }), workflow: { ...workflow, name: `load ${target}` } };
	});
}

/**
 * The bench's load against each target at `baseUrl`: a warm-up, then LOAD.requests callbacks;
 * callbacks/s of the HTTP answers, then executions/s until `counts()` says all succeeded.
 */
async function measureLoad(label, baseUrl, targets, counts) {
	const rows = [];
	for (const target of targets) {
		const url = sandboxProviders()[target.provider].callbackUrl(`${baseUrl}/webhook/${target.urlPath}`, target.credential.data);
		const before = (await counts(target.workflow.id)).success;
		await load(url, requestsFor(target, url, LOAD.warmup), LOAD.concurrency);
		const warmed = before + LOAD.warmup;
		await waitFor(async () => (await counts(target.workflow.id)).success >= warmed, { timeoutMs: 120000, intervalMs: 200, what: `${label} ${target.target} warm-up executions` });
		const started = performance.now();
		const result = await load(url, requestsFor(target, url, LOAD.requests), LOAD.concurrency);
		const done = await waitFor(
			async () => {
				const now = await counts(target.workflow.id);
				return now.success >= warmed + LOAD.requests || now.failed > 0 ? now : null;
			},
			{ timeoutMs: 300000, intervalMs: 200, what: `${label} ${target.target} executions` },
		);
		const drainedMs = performance.now() - started;
		const row = {
			target: target.target,
			callbacksPerSecond: Number(((LOAD.requests / result.wallMs) * 1000).toFixed(1)),
			p50Ms: Number(result.p50Ms.toFixed(1)),
			p95Ms: Number(result.p95Ms.toFixed(1)),
			executionsPerSecond: Number((((done.success - warmed) / drainedMs) * 1000).toFixed(1)),
			statuses: result.statuses,
			executions: done.success - warmed,
		};
		rows.push(row);
		report.check(
			row.statuses[200] === LOAD.requests && row.executions === LOAD.requests,
			`${label} ${target.target}: ${row.callbacksPerSecond} callbacks/s (p50 ${row.p50Ms} ms, p95 ${row.p95Ms} ms), ${row.executions}/${LOAD.requests} executions succeeded, done at ${row.executionsPerSecond}/s`,
			() => `answers ${JSON.stringify(row.statuses)}, executions ${row.executions}`,
		);
	}
	const mean = (key) => Number((rows.reduce((sum, row) => sum + row[key], 0) / rows.length).toFixed(1));
	return { rows, callbacksPerSecond: mean('callbacksPerSecond'), executionsPerSecond: mean('executionsPerSecond') };
}

// ---------------------------------------------------------------------------------------------

const runtimeOptions = { log: (line) => console.log(`        ${line}`), quiet: !VERBOSE };

/** n8n installed, a temp folder, Redis, PostgreSQL, the sink and the sandbox: each stopped at the end. */
async function startServices() {
	report.section('n8n, Redis and PostgreSQL');
	await rt.ensureN8n({ log: runtimeOptions.log });
	report.pass(`n8n ${rt.N8N_VERSION} installed in ${path.relative(rt.ROOT, rt.TOOL_DIR)}`);
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-notify-queue-'));
	onCleanup('remove the temp folder', () => {
		if (KEEP) return console.log(`        kept ${tmp} (--keep)`);
		fs.rmSync(tmp, { recursive: true, force: true });
		report.check(!fs.existsSync(tmp), `temp folder ${tmp} removed`);
	});
	const redis = await startRedis({ dir: path.join(tmp, 'redis'), log: runtimeOptions.log });
	onCleanup('stop Redis', async () => report.check(Boolean(await redis.stop()), 'Redis stopped'));
	report.pass(`Redis ${redis.version} on 127.0.0.1:${redis.port}${redis.installed ? ' (installed with apt-get)' : ''}`);
	const postgres = await startPostgres({ log: runtimeOptions.log });
	onCleanup('stop PostgreSQL', async () => {
		await postgres.stop();
		report.pass('PostgreSQL stopped, its data folder removed');
	});
	report.pass(`${postgres.version} on 127.0.0.1:${postgres.port}, database ${postgres.database}${postgres.installed ? ' (installed with apt-get)' : ''}`);
	const sink = await startSink();
	onCleanup('stop the sink', () => sink.close());
	const sandbox = await startSandbox({ port: 0, log: VERBOSE });
	onCleanup('stop the sandbox', () => sandbox.close());
	return { tmp, redis, postgres, sink, sandbox };
}

/** The package in every process's folder; the credentials and workflows imported into PostgreSQL (through the main's folder) and published. */
function installAndImport(services, queueEnv) {
	const { tmp, sandbox, sink } = services;
	const folders = Object.fromEntries(['main', 'webhook', 'worker-1', 'worker-2'].map((name) => [name, path.join(tmp, name)]));
	for (const [name, folder] of Object.entries(folders)) rt.installPackage(folder, { ...runtimeOptions, build: name === 'main' });
	report.pass('packed the package and installed it as a community package in the main, webhook and both worker folders');

	const credentials = sandboxCredentials(sandbox.url, { suffix: 'queue' });
	const callbackCredentials = loadCredentials().map((credential) => ({ ...credential, id: rt.newId() }));
	rt.importCredentials(folders.main, [...Object.values(credentials), ...callbackCredentials], { ...runtimeOptions, env: queueEnv });
	const byProvider = (make) => Object.fromEntries(providerNames().map((provider) => [provider, make(provider)]));
	const triggerIds = byProvider(() => crypto.randomUUID());
	const statusWorkflows = byProvider((provider) => statusWorkflow({ provider, credential: credentials[provider], webhookId: triggerIds[provider], sinkUrl: sink.url }));
	const batchWorkflows = byProvider((provider) => batchSendWorkflow({ provider, credential: credentials[provider], path: `batch-${provider}` }));
	const targets = loadTargets(callbackCredentials);
	const workflows = [...Object.values(statusWorkflows), ...Object.values(batchWorkflows), ...targets.map((target) => target.workflow)];
	rt.importWorkflows(folders.main, workflows, { ...runtimeOptions, env: queueEnv, activate: true });
	report.pass(`imported the credentials and ${workflows.length} workflows into PostgreSQL and published them`);
	return { folders, credentials, triggerIds, statusWorkflows, batchWorkflows, targets, workflows };
}

/** The main (production webhooks off), the webhook processor and two workers, with this n8n's queue settings. */
async function startProcesses({ folders, workflows }, queueEnv, webhookPort) {
	onCleanup('stop n8n processes still starting', () => rt.stopAll({ timeoutMs: 5000 }));
	const processes = await startQueueProcesses({
		folders,
		workers: ['worker-1', 'worker-2'],
		env: queueEnv,
		webhookPort,
		workerConcurrency: WORKER_CONCURRENCY,
		expectActive: workflows.map((workflow) => workflow.id),
		onStarted: (label, handle) => onCleanup(`stop the ${label}`, () => handle.stop()),
	});
	const { main, webhook, workers } = processes;
	report.pass(
		`main ${main.localUrl} (pid ${main.pid}), webhook processor ${webhook.localUrl} (pid ${webhook.pid}), workers pid ${workers.map((w) => w.pid).join(' and ')}, ${WORKER_CONCURRENCY} jobs each`,
	);
	return processes;
}

/** The bench's load through the webhook processor: callbacks/s answered and executions/s done, reported. */
async function measureThroughput({ main, workers, webhookBase }, targets) {
	report.section(`throughput: the bench's callback load through the webhook processor (${LOAD.requests} per provider, ${LOAD.concurrency} clients)`);
	measured.queue = await measureLoad('queue', webhookBase, targets, (id) => executionCounts(main, id));
	const [onFirst, onSecond] = executionsRunBy(workers).map((ids) => ids.length);
	report.check(onFirst > 0 && onSecond > 0, `the workers shared the load: ${onFirst} and ${onSecond} executions in all`);
	report.info(
		`queue mode: ${measured.queue.callbacksPerSecond} callbacks/s answered, ${measured.queue.executionsPerSecond} executions/s done (mean of the ${targets.length} providers; ` +
			`load average ${os.loadavg().map((each) => each.toFixed(1)).join(' ')} on ${os.cpus().length} cores; bench/n8n-queue.js compares it with n8n's Webhook node)`,
	);
	console.log(`QUEUE_RESULT ${JSON.stringify({ n8nVersion: rt.N8N_VERSION, settings: queueSettings(), load: LOAD, ...measured })}`);
}

async function main() {
	console.log(`test:queue: n8n-nodes-whatsapp-notify in n8n ${rt.N8N_VERSION} queue mode (main, webhook processor, 2 workers, Redis, PostgreSQL)`);
	setTimeout(() => {
		report.fail('the run finished in time', `still running after ${RUN_TIMEOUT_MS / 60000} minutes`);
		finish(1);
	}, RUN_TIMEOUT_MS).unref();
	const services = await startServices();
	report.section('n8n in queue mode: the package installed in each process');
	const webhookPort = await rt.findFreePort();
	const webhookBase = `http://127.0.0.1:${webhookPort}`;
	const settings = queueSettings();
	const queueEnv = { ...queueEnvironment(services, webhookBase), ...settings };
	report.info(`n8n ${rt.N8N_VERSION}'s queue-mode settings: ${Object.keys(settings).length ? JSON.stringify(settings) : 'its defaults'}`);
	const imported = installAndImport(services, queueEnv);
	const processes = await startProcesses(imported, queueEnv, webhookPort);
	const { sandbox, sink } = services;
	const triggerUrls = Object.fromEntries(providerNames().map((provider) => [provider, triggerUrl(provider, webhookBase, imported.triggerIds[provider])]));
	// The providers' status events as a steady stream (CALLBACK_RATE), not every callback of 160 messages at once.
	sandbox.configure({ webhooks: triggerUrls, callbackDelayMs: 100, callbackRatePerSecond: CALLBACK_RATE });

	const ctx = { ...processes, sandbox, sink, webhookBase, triggerUrls, statusWorkflows: imported.statusWorkflows, batchWorkflows: imported.batchWorkflows };
	await checkBatches(ctx);
	await checkCallbacks(ctx);
	await checkForgedCallbacks(ctx);
	await checkSendAndWait({ ...ctx, credentials: imported.credentials });
	await checkSharedLimit(ctx);
	await checkRegistration({ ...ctx, credentials: imported.credentials });
	await measureThroughput(ctx, imported.targets);
}

/** Concurrent batch executions through the webhook processor: every message sent once, answers in order. */
async function checkBatches({ sandbox, webhookBase }) {
	report.section(`batches: ${BATCHES_PER_PROVIDER} concurrent executions × ${MESSAGES_PER_BATCH} messages per provider through the webhook processor`);
	const batches = providerNames().flatMap((provider) =>
		Array.from({ length: BATCHES_PER_PROVIDER }, (_, batch) => ({
			provider,
			messages: Array.from({ length: MESSAGES_PER_BATCH }, (__, index) => ({
				// Every fifth recipient is not on WhatsApp: its callbacks end on Discarded.
				to: index % 5 === 4 ? TEST_NUMBERS.undeliverable : TEST_NUMBERS.delivered,
				text: `queue ${provider} batch ${batch} message ${index}`,
			})),
		})),
	);
	const answers = await Promise.all(
		batches.map((batch) =>
			report.attempt(`${batch.provider}: batch`, () =>
				httpPost(`${webhookBase}/webhook/batch-${batch.provider}`, { body: { messages: batch.messages } }),
			),
		),
	);
	const sentIds = [];
	batches.forEach((batch, index) => {
		const answer = answers[index];
		if (!answer) return;
		const items = Array.isArray(answer.body) ? answer.body : [];
		const inOrder = items.length === batch.messages.length && items.every((item, i) => item.status === 'sent' && item.recipient === batch.messages[i].to && item.messageId);
		const received = items.map((item) => sandbox.received.find((record) => record.messageId === item.messageId));
		const sameText = received.every((record, i) => record && sentText(batch.provider, record.body) === batch.messages[i].text);
		if (inOrder) sentIds.push(...items.map((item) => item.messageId));
		if (answer.status !== 200 || !inOrder || !sameText) {
			report.fail(`${batch.provider}: a batch answered in input order, each message received under its messageId`, `HTTP ${answer.status}: ${short(answer.body)}`);
		}
	});
	report.check(
		sentIds.length === batches.length * MESSAGES_PER_BATCH,
		`${batches.length} batches answered 200 with ${MESSAGES_PER_BATCH} items each, status sent, in input order, each found in the sandbox under its messageId with its text`,
	);
	const texts = batches.flatMap((batch) => batch.messages.map((message) => message.text));
	const receivedTexts = countBy(sandbox.received, (record) => sentText(record.provider, record.body));
	const notOnce = texts.filter((text) => receivedTexts[text] !== 1);
	report.check(
		notOnce.length === 0 && sandbox.received.length === texts.length && new Set(sentIds).size === sentIds.length,
		`every message sent exactly once: ${texts.length} messages, ${sandbox.received.length} sends in the sandbox's received log, ${new Set(sentIds).size} distinct messageIds`,
		() => `not exactly once: ${short(notOnce)}; received ${sandbox.received.length}; statuses ${JSON.stringify(countBy(sandbox.received, (r) => r.status))}`,
	);
}

/** Every callback the sandbox sent: one execution each, on a worker, event on the right output. */
async function checkCallbacks({ main, webhook, workers, sandbox, sink, triggerUrls, statusWorkflows, batchWorkflows }) {
	report.section('status callbacks through the webhook processor: one execution each, on a worker, on the right output');
	await waitFor(() => sandbox.idle().then(() => true), { timeoutMs: 60000, what: 'the sandbox to send all callbacks' });
	for (const provider of providerNames()) {
		const callbacks = sandbox.callbacks.filter((callback) => callback.provider === provider);
		const failed = callbacks.filter((callback) => callback.httpStatus !== 200 || callback.url !== triggerUrls[provider]);
		report.check(callbacks.length > 0 && failed.length === 0, `${provider}: ${callbacks.length} callbacks to the webhook processor, all HTTP 200`, () => short(failed));
		const answerTimes = callbacks.map((callback) => callback.answerMs).sort((a, b) => a - b);
		const late = callbacks.filter((callback) => !(callback.answerMs <= CALLBACK_TIMEOUT_MS));
		report.check(
			callbacks.length > 0 && late.length === 0,
			`${provider}: every callback answered within the providers' ${CALLBACK_TIMEOUT_MS / 1000} s (median ${Math.round(answerTimes[answerTimes.length >> 1])} ms, slowest ${Math.round(answerTimes[answerTimes.length - 1])} ms)`,
			() => `${late.length} of ${callbacks.length} later or unanswered, e.g. ${short(late.slice(0, 3).map(({ status, answerMs, error }) => ({ status, answerMs, error })))}`,
		);
		const counted = callbacks.filter((callback) => outputOf(provider, callback.status));
		const expected = countBy(counted, (callback) => outputOf(provider, callback.status));
		const counts = await report.attempt(`${provider}: executions settle`, () =>
			waitFor(
				async () => {
					const now = await executionCounts(main, statusWorkflows[provider].id);
					return now.unfinished === 0 && now.total >= counted.length ? now : null;
				},
				{ timeoutMs: 60000, intervalMs: 250, what: `${provider} status executions` },
			),
		);
		await waitFor(() => sink.find((body) => body.provider === provider).length >= counted.length, { timeoutMs: 20000, what: `${provider} events at the sink` }).catch(() => null);
		const events = sink.find((body) => body.provider === provider);
		const atOutputs = countBy(events, (body) => body.output);
		const executionIds = new Set(events.map((body) => String(body.executionId)));
		report.check(
			counts && counts.total === counted.length && counts.success === counted.length && events.length === counted.length && executionIds.size === counted.length,
			`${provider}: ${counted.length} delivered/seen/discarded callbacks = ${counts && counts.total} executions (${counts && counts.success} success) = ${events.length} events at the sink from ${executionIds.size} distinct executions`,
			() => `counts ${JSON.stringify(counts)}, events ${events.length}, distinct executions ${executionIds.size}`,
		);
		const misrouted = events.filter((body) => body.event.status !== body.output);
		report.check(
			JSON.stringify(atOutputs, Object.keys(expected).sort()) === JSON.stringify(expected, Object.keys(expected).sort()) && misrouted.length === 0,
			`${provider}: events per output ${JSON.stringify(atOutputs)} = the callbacks' statuses ${JSON.stringify(expected)}; each event's status names its output`,
			() => `misrouted ${short(misrouted)}`,
		);
		const pairs = events.filter((body) => body.event.messageId).map((body) => `${body.output}:${body.event.messageId}`);
		report.check(new Set(pairs).size === pairs.length, `${provider}: no message has the same event twice`);
	}

	const ran = executionsRunBy(workers);
	const onWorker = new Set(ran.flat());
	const twice = ran.flat().length - onWorker.size;
	const sinkExecutions = [...new Set(sink.find(() => true).map((body) => String(body.executionId)))];
	const notOnWorker = sinkExecutions.filter((id) => !onWorker.has(id));
	report.check(
		notOnWorker.length === 0 && twice === 0,
		`all ${sinkExecutions.length} status executions ran on a worker, none twice (worker logs: "Worker started execution")`,
		() => `not on a worker: ${short(notOnWorker)}; started twice: ${twice}`,
	);
	const batchCount = await Promise.all(providerNames().map((provider) => executionCounts(main, batchWorkflows[provider].id)));
	report.check(
		batchCount.every((counts) => counts.total === BATCHES_PER_PROVIDER && counts.success === BATCHES_PER_PROVIDER),
		`each batch workflow ran ${BATCHES_PER_PROVIDER} times, all success`,
		() => short(batchCount),
	);
	report.check(ran[0].length > 0 && ran[1].length > 0, `both workers ran executions: ${ran[0].length} and ${ran[1].length}`);
	const elsewhere = [main, webhook].filter((handle) => /Worker started execution/.test(handle.readLog()));
	report.check(elsewhere.length === 0, 'the main and the webhook processor ran no execution themselves');
}

/** Forged callbacks (each provider's, from its kit) get 401 from the webhook processor and start nothing. */
async function checkForgedCallbacks({ main, sandbox, sink, triggerUrls, statusWorkflows }) {
	report.section('forged callbacks: 401 from the webhook processor, no execution');
	for (const provider of providerNames()) {
		await report.attempt(`${provider}: forged callbacks`, async () => {
			const plan = sandboxProviders()[provider].forgeries({
				original: (status) => sandbox.callbacks.find((callback) => callback.provider === provider && callback.status === status).body,
				url: triggerUrls[provider],
				marker: () => `queue-marker-${provider}-${crypto.randomBytes(4).toString('hex')}`,
			});
			const before = await executionCounts(main, statusWorkflows[provider].id);
			for (const [what, url, request] of plan.forged) {
				const response = await httpPost(url, { ...request, json: false });
				report.check(response.status === 401, `${provider}: forged (${what}) -> ${response.status}`, () => short(response.text));
			}
			// Once the genuine one's execution is in, any the forged ones had started would be too.
			const [url, request] = plan.genuine;
			const response = await httpPost(url, { ...request, json: false });
			await sink.waitFor((event) => event.provider === provider && event.event.messageId === plan.markerId, { what: `${provider} marker at the sink` });
			const after = await waitFor(
				async () => {
					const now = await executionCounts(main, statusWorkflows[provider].id);
					return now.unfinished === 0 ? now : null;
				},
				{ timeoutMs: 20000, what: `${provider} executions after the marker` },
			);
			report.check(
				response.status === 200 && after.total === before.total + 1,
				`${provider}: executions ${before.total} -> ${after.total}: only the genuine callback after them started one`,
			);
		});
	}
}

/** The providers whose automatic registration the queue run checks. */
const REGISTERING = ['smooch', 'twilio'];

/**
 * Send and Wait in queue mode, through Twilio: the questions are asked by executions on the workers,
 * which then wait (in PostgreSQL); the taps reach a version 2 Status Trigger on the webhook processor,
 * which calls n8n's signed resume URL (WEBHOOK_URL: the webhook processor again); each execution
 * goes on, on a worker, with its own answer. The same tap again gets 401.
 */
async function checkSendAndWait({ main, workers, sandbox, sink, webhookBase, triggerUrls, credentials }) {
	const provider = 'twilio';
	report.section(`Send and Wait (${provider}): asked on the workers, resumed through the webhook processor`);
	const { waitWorkflow, receivingWorkflow } = require('./suites/send-and-wait');
	const receivingId = crypto.randomUUID();
	const ids = [];
	await report.attempt(`${provider}: send and wait`, async () => {
		for (const make of [() => waitWorkflow(provider, credentials[provider], sink.url), () => receivingWorkflow(provider, credentials[provider], receivingId, sink.url)]) {
			const { id: _, ...workflow } = make();
			const created = await main.rest('POST', '/workflows', { ...workflow, name: `queue ${workflow.name}`, active: false });
			await main.activateWorkflow(created.id);
			ids.push(created.id);
		}
		sandbox.configure({ webhooks: { [provider]: triggerUrl(provider, webhookBase, receivingId) } });
		const recipients = [TEST_NUMBERS.delivered, '+15551234568'];
		const questions = [];
		for (const to of recipients) {
			const since = sandbox.received.length;
			await httpPost(`${webhookBase}/webhook/e2e-wait-${provider}`, { body: { to, minutes: 60 } });
			questions.push(await waitFor(() => sandbox.received.slice(since).find((record) => record.provider === provider && record.buttons && record.body.To === `whatsapp:${to}`), { timeoutMs: 30000, what: `the question to ${to}` }));
		}
		report.check(questions.every((record) => record.buttons.length === 2), `${provider}: two questions sent from the workers, each with Decline / Approve`);
		// The second recipient approves, the first declines; the approval is delivered twice (a replay).
		const [approval] = sandbox.inboundRequests({ provider, from: recipients[1], button: questions[1].buttons[1] });
		const first = await httpPost(approval.url, { body: approval.request.body, headers: approval.request.headers, json: false });
		await sandbox.inbound({ provider, from: recipients[0], button: questions[0].buttons[0] });
		const result = (to) => sink.find((body) => body.provider === provider && body.to === to && body.result)[0]?.result;
		await waitFor(() => result(recipients[0]) && result(recipients[1]), { timeoutMs: 60000, what: 'both executions to go on' }).catch(() => null);
		report.check(
			first.status === 200 && result(recipients[1])?.data?.approved === true && result(recipients[0])?.data?.approved === false,
			`${provider}: each execution resumed with its own answer (${recipients[1]} approved, ${recipients[0]} declined)`,
			() => short({ first: first.status, answers: recipients.map(result) }),
		);
		const resumedOnWorkers = executionsRunBy(workers).flat();
		const executionIds = recipients.map((to) => sink.find((body) => body.to === to && body.result)[0]?.executionId);
		report.check(executionIds.every((id) => id && resumedOnWorkers.filter((each) => each === String(id)).length >= 2), `${provider}: both executions ran on the workers, before and after the wait (ids ${executionIds.join(', ')})`);
		const replay = await httpPost(approval.url, { body: approval.request.body, headers: approval.request.headers, json: false });
		await new Promise((resolve) => setTimeout(resolve, 1000));
		report.check(replay.status === 401 && sink.find((body) => body.to === recipients[1] && body.result).length === 1, `${provider}: the same tap again got 401 from the webhook processor and resumed nothing`, () => `HTTP ${replay.status}`);
	});
	sandbox.configure({ webhooks: triggerUrls });
	for (const id of ids) await main.deactivateWorkflow(id).catch(() => {});
}

/**
 * Register Callback Automatically in queue mode: activating on the main registers the trigger's
 * URL (the webhook processor's, WEBHOOK_URL) with the sandbox; the webhook processor checks the
 * callbacks against what the main stored (the workflow's static data, through PostgreSQL);
 * deactivating on the main removes the registration.
 */
async function checkRegistration({ main, sandbox, sink, webhookBase, credentials }) {
	report.section('Register Callback Automatically: activation on the main, callbacks verified on the webhook processor');
	const { sandboxProviders } = require('../../sandbox/providers');
	for (const provider of REGISTERING) {
		await report.attempt(`${provider}: automatic registration`, async () => {
			const webhookId = crypto.randomUUID();
			const url = triggerUrl(provider, webhookBase, webhookId);
			const registered = () => sandboxProviders()[provider].registeredUrls(sandbox.registrations[provider] ?? []).filter((each) => each === url).length;
			const { id: _, ...workflow } = statusWorkflow({ provider, credential: credentials[provider], webhookId, sinkUrl: `${sink.url}/registered`, registerCallback: true });
			// n8n 1.x requires `active` in the body.
			const created = await main.rest('POST', '/workflows', { ...workflow, name: `queue registered (${provider})`, active: false });
			await main.activateWorkflow(created.id);
			report.check(registered() === 1, `${provider}: activating on the main registered ${url.replace(webhookBase, '')} once`);

			const [sent] = (await httpPost(`${webhookBase}/webhook/batch-${provider}`, { body: { messages: [{ to: TEST_NUMBERS.delivered, text: `queue registered ${provider}` }] } })).body;
			const delivered = await waitFor(
				() => sink.events.some((event) => event.path === `/registered/status/${provider}/delivered` && event.body.event?.messageId === sent.messageId),
				{ timeoutMs: 30000, what: `${provider} delivered at the registered trigger` },
			).catch(() => false);
			report.check(delivered, `${provider}: the send's delivered reached the registered trigger through the webhook processor`);

			const genuine = sandbox.callbacks.filter((callback) => callback.provider === provider && callback.registered && callback.url === url).pop();
			const forged = await httpPost(url, { body: genuine ? genuine.body : {} });
			report.check(forged.status === 401, `${provider}: its body without the registration's secret or signature -> ${forged.status} from the webhook processor`);

			await main.deactivateWorkflow(created.id);
			report.check(registered() === 0, `${provider}: deactivating on the main removed the registration`);
		});
	}
}

/**
 * Several executions, on both workers, sending through one provider whose limit none of them
 * knows (the sandbox answers 429 beyond it): nothing lost, nothing sent twice; how close the
 * executions together get to the limit, and how many 429s that costs, is reported.
 */
async function checkSharedLimit({ sandbox, webhookBase, workers, triggerUrls }) {
	const { provider, limit, batches: batchCount, messages: perBatch } = SHARED_LIMIT;
	report.section(`a shared provider limit: ${batchCount} concurrent ${provider} batches × ${perBatch} messages against a ${limit}/s limit`);
	// No callbacks for these: the section is about sending.
	sandbox.configure({ rateLimitPerSecond: limit, webhooks: { [provider]: null } });
	const from = sandbox.received.length;
	const ranBefore = executionsRunBy(workers).map((ids) => ids.length);
	const batches = Array.from({ length: batchCount }, (_, batch) =>
		Array.from({ length: perBatch }, (__, index) => ({ to: TEST_NUMBERS.delivered, text: `shared limit batch ${batch} message ${index}` })),
	);
	const started = performance.now();
	const answers = await Promise.all(
		batches.map((messages) =>
			httpPost(`${webhookBase}/webhook/batch-${provider}`, { body: { messages } }).catch((error) => ({ status: error.message, body: undefined })),
		),
	);
	const wallMs = performance.now() - started;
	sandbox.configure({ rateLimitPerSecond: 0, webhooks: { [provider]: triggerUrls[provider] } });

	const records = sandbox.received.slice(from);
	const accepted = countBy(records.filter((record) => record.status < 300), (record) => sentText(provider, record.body));
	const tooMany = records.filter((record) => record.status === 429).length;
	const texts = batches.flat().map((message) => message.text);
	const notOnce = texts.filter((text) => accepted[text] !== 1);
	const answered = answers.filter((answer, i) => answer.status === 200 && Array.isArray(answer.body) && answer.body.length === perBatch && answer.body.every((item, j) => item.status === 'sent' && sentText(provider, records.find((r) => r.messageId === item.messageId)?.body) === batches[i][j].text));
	report.check(
		answered.length === batchCount,
		`all ${batchCount} executions answered 200 with every item sent, in input order`,
		() => short(answers.map((answer) => [answer.status, short(answer.body, 200)])),
	);
	report.check(notOnce.length === 0, `each of the ${texts.length} messages accepted by the provider exactly once (nothing lost, nothing twice)`, () => `not exactly once: ${notOnce.length}, e.g. ${short(notOnce.slice(0, 5))}`);
	const ranBy = executionsRunBy(workers).map((ids, index) => ids.length - ranBefore[index]);
	const rate = (texts.length / wallMs) * 1000;
	measured.sharedLimit = {
		provider,
		limit,
		executions: batchCount,
		messages: texts.length,
		wallMs: Math.round(wallMs),
		combinedPerSecond: Number(rate.toFixed(1)),
		ofLimit: Number((rate / limit).toFixed(2)),
		tooManyRequests: tooMany,
		tooManyRequestsPerMessage: Number((tooMany / texts.length).toFixed(3)),
		executionsPerWorker: ranBy,
	};
	report.info(
		`${texts.length} messages in ${(wallMs / 1000).toFixed(1)} s: ${rate.toFixed(1)}/s together = ${(rate / limit).toFixed(2)}× the ${limit}/s limit; ` +
			`${tooMany} answers were 429 (${((tooMany / texts.length) * 100).toFixed(1)}% of messages); the workers ran ${ranBy.join(' and ')} of the executions`,
	);
}

main()
	.catch((error) => report.fail('the run', error.stack || error.message))
	.finally(() => finish());
