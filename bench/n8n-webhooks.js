#!/usr/bin/env node
'use strict';

/**
 * Optional: requests per second through the WhatsApp Status Trigger vs n8n's own
 * Webhook node, on the same real n8n instance (scripts/n8n-runtime/; n8n must
 * already be installed in .tools/n8n: `npm run n8n:install`, this script never installs it).
 *
 *   node bench/n8n-webhooks.js [--n8n 2.8.4] [--requests 1000] [--concurrency 10] [--warmup 100] [--passes 2] [--keep] [--no-write]
 *   npm run bench -- --n8n <version>   (runs this after the main benchmark)
 *
 * --n8n picks the version from the runtime's matrix (2.8.4, 1.123.81, 2.39.10), each with its
 * default settings (2.39's vm expression engine included).
 *
 * A fresh user folder on a free loopback port; the package installed as n8n installs
 * a community package (from dist/, no rebuild); one-node workflows, published:
 *   webhook-node     n8n's Webhook node, POST, Respond: Immediately (onReceived)
 *   webhook-node-expr the same with one expression (Ignore Bots {{ false }}): n8n 2.39 builds an
 *                    expression isolate for its webhook calls, as for every other trigger
 *   trigger-<name>   the Status Trigger, one per provider whose kit makes load callbacks
 *                    (sandbox/providers/<name>.js loadCallback: Smooch v1.1 with X-API-Key, Gupshup v2
 *                    with ?token=, Twilio's form with X-Twilio-Signature), checked as the provider's
 * All answer as soon as the request is read and start one execution each (n8n's
 * default: executions saved to SQLite). Load: a closed loop of `concurrency` keep-alive
 * clients in this process, same payload sizes as the providers'. Measured per target:
 * requests/s and latency of the HTTP answers, then the time until n8n has finished
 * every execution (executions/s, the sustained rate).
 *
 * Adds rows with scenario "n8n-webhook" to bench/results.json (replacing earlier ones).
 */

const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const { parseArgs } = require('util');

const rt = require('../scripts/n8n-runtime');
const { sandboxProviders } = require('../sandbox/providers');
const { load, loadCredentials, loadKits, requestsFor } = require('../sandbox/callbackLoad');

const RESULTS = path.join(__dirname, 'results.json');




/** The URL a target is loaded at: its webhook, with the credential's token for a provider that takes one in the URL. */
function targetUrl(n8n, target) {
	return sandboxProviders()[target.provider].callbackUrl(n8n.webhookUrl(target.urlPath), target.credential.data);
}


/** Finished executions of a workflow (any status but running/new/waiting), and how many succeeded. */
async function executionCounts(n8n, workflowId) {
	const all = await n8n.rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}&limit=1`);
	const succeeded = await n8n.rest('GET', `/executions?filter=${encodeURIComponent(JSON.stringify({ workflowId, status: ['success'] }))}&limit=1`);
	return { total: all.count, success: succeeded.count };
}

async function waitForExecutions(n8n, workflowId, expected, timeoutMs) {
	const started = performance.now();
	for (;;) {
		const counts = await executionCounts(n8n, workflowId);
		if (counts.success >= expected) return { ...counts, waitedMs: performance.now() - started, timedOut: false };
		if (performance.now() - started > timeoutMs) return { ...counts, waitedMs: performance.now() - started, timedOut: true };
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

function parseOptions(args) {
	const { values } = parseArgs({
		args,
		options: { n8n: { type: 'string' }, requests: { type: 'string' }, concurrency: { type: 'string' }, warmup: { type: 'string' }, passes: { type: 'string' }, keep: { type: 'boolean' }, 'no-write': { type: 'boolean' } },
	});
	return {
		...{ n8nVersion: values.n8n, keep: values.keep, write: !values['no-write'] },
		count: Number(values.requests ?? 1000),
		concurrency: Number(values.concurrency ?? 10),
		warmup: Number(values.warmup ?? 100),
		passCount: Number(values.passes ?? 2),
	};
}

/**
 * The workflows under load, one node each: n8n's Webhook node (given the first load provider's
 * callbacks) and a Status Trigger per load provider, with the imported credentials.
 */
function benchTargets(credentials) {
	const credentialOf = (kit) => credentials.find((each) => each.type === kit.credentialType);
	const [first] = loadKits();
	const webhookTarget = (target, path, parameters = {}) => {
		const node = {
			id: 'w1',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: crypto.randomUUID(),
			parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {}, ...parameters },
		};
		return { target, provider: first.name, credential: credentialOf(first), node, urlPath: rt.productionWebhookPath({ node, path, isFullPath: true }) };
	};
	const targets = [
		webhookTarget('webhook-node', 'bench-webhook'),
		// One expression (Ignore Bots, which the node reads for every call): n8n 2.39 then runs the
		// webhook phase in an expression isolate, as it does for every trigger but the static Webhook node.
		webhookTarget('webhook-node-expr', 'bench-webhook-expr', { options: { ignoreBots: '={{ false }}' } }),
		...statusTriggerTargets(credentials),
	];
	return targets.map((t) => ({ ...t, workflow: { id: rt.newId(), name: `bench ${t.target}`, active: true, nodes: [t.node], connections: {} } }));
}

/** A Status Trigger per load provider (trigger-<name>), its webhook path and credential (as imported: { id, name, type, data }). */
function statusTriggerTargets(credentials) {
	return loadKits().map((kit) => {
		const credential = credentials.find((each) => each.type === kit.credentialType);
		const node = {
			id: `t-${kit.name}`,
			name: 'WhatsApp Status Trigger',
			type: rt.NODE_TYPES.statusTrigger,
			typeVersion: 1,
			position: [0, 0],
			webhookId: crypto.randomUUID(),
			// The callbacks are posted by the bench itself: nothing to register with a provider.
			parameters: { provider: kit.name, registerCallback: false, options: {} },
			credentials: { [credential.type]: { id: credential.id, name: credential.name } },
		};
		return { target: `trigger-${kit.name}`, provider: kit.name, credential, node, urlPath: rt.productionWebhookPath({ node, path: 'status' }) };
	});
}

/** One measured pass over a target: a warm-up, then `count` requests; answers/s, then executions/s until all are done. */
async function measurePass(n8n, t, opts, done, pass) {
	const { count, concurrency, warmup } = opts;
	const url = targetUrl(n8n, t);
	const warm = requestsFor(t, url, warmup);
	const requests = requestsFor(t, url, count);
	const warmResult = await load(url, warm, concurrency);
	if (!warmResult.statuses[200]) throw new Error(`${t.target}: warm-up got ${JSON.stringify(warmResult.statuses)} from ${url}`);
	done.set(t.target, done.get(t.target) + warmup);
	await waitForExecutions(n8n, t.workflow.id, done.get(t.target), 120_000);
	const loadStarted = performance.now();
	const result = await load(url, requests, concurrency);
	const executions = await waitForExecutions(n8n, t.workflow.id, done.get(t.target) + count, 300_000);
	const drainedMs = performance.now() - loadStarted;
	const succeeded = executions.success - done.get(t.target);
	done.set(t.target, executions.success);
	const measured = {
		pass: pass + 1,
		wallMs: Math.round(result.wallMs),
		requestsPerSecond: Number(((count / result.wallMs) * 1000).toFixed(1)),
		p50Ms: Number(result.p50Ms.toFixed(1)),
		p95Ms: Number(result.p95Ms.toFixed(1)),
		p99Ms: Number(result.p99Ms.toFixed(1)),
		statuses: result.statuses,
		executionsSucceeded: succeeded,
		allExecutionsDoneMs: Math.round(drainedMs),
		executionsPerSecond: Number(((succeeded / drainedMs) * 1000).toFixed(1)),
		timedOut: Boolean(executions.timedOut),
	};
	console.log(
		`  pass ${pass + 1} ${t.target.padEnd(16)} ${String(measured.requestsPerSecond).padStart(7)} req/s  p50 ${measured.p50Ms} ms  p95 ${measured.p95Ms} ms  ` +
			`statuses ${JSON.stringify(measured.statuses)}  executions ${succeeded}/${count} done after ${measured.allExecutionsDoneMs} ms (${measured.executionsPerSecond}/s)`,
	);
	return measured;
}

/** A first, unmeasured round over every target, then the passes (the second in reverse order, so order effects do not favour one target). */
async function runPasses(n8n, targets, opts) {
	const done = new Map(targets.map((t) => [t.target, 0]));
	const passes = new Map(targets.map((t) => [t.target, []]));
	// n8n's webhook path, SQLite and the JIT warm up for all alike.
	for (const t of targets) {
		const url = targetUrl(n8n, t);
		const result = await load(url, requestsFor(t, url, opts.warmup * 3), opts.concurrency);
		if (!result.statuses[200]) throw new Error(`${t.target}: warm-up got ${JSON.stringify(result.statuses)} from ${url}`);
		done.set(t.target, (await waitForExecutions(n8n, t.workflow.id, opts.warmup * 3, 120_000)).success);
	}
	for (let pass = 0; pass < opts.passCount; pass++) {
		const order = pass % 2 === 0 ? targets : [...targets].reverse();
		for (const t of order) passes.get(t.target).push(await measurePass(n8n, t, opts, done, pass));
	}
	return passes;
}

/** One results.json row per target: the mean of its passes, and its rates against the Webhook node's. */
function meanRows(targets, passes, { count, concurrency }, loadAverageAtStart) {
	const mean = (list, key) => Number((list.reduce((sum, each) => sum + each[key], 0) / list.length).toFixed(1));
	const rows = targets.map((t) => {
		const list = passes.get(t.target);
		/** @type {Record<string, any>} */
		const row = {
			...{ scenario: 'n8n-webhook', target: t.target, requests: count, concurrency, passes: list.length },
			requestsPerSecond: mean(list, 'requestsPerSecond'),
			p50Ms: mean(list, 'p50Ms'),
			p95Ms: mean(list, 'p95Ms'),
			executionsPerSecond: mean(list, 'executionsPerSecond'),
			non200: list.reduce((sum, each) => sum + count - (each.statuses[200] || 0), 0),
			executionsMissing: list.reduce((sum, each) => sum + count - each.executionsSucceeded, 0),
			perPass: list,
			n8nVersion: rt.N8N_VERSION,
			// The machine is shared: what else ran shows here.
			loadAverageAtStart,
			loadAverageAtEnd: os.loadavg().map((each) => Number(each.toFixed(2))),
		};
		return row;
	});
	console.log('  mean of passes:');
	for (const row of rows) {
		console.log(`    ${row.target.padEnd(16)} ${String(row.requestsPerSecond).padStart(7)} req/s  p50 ${row.p50Ms} ms  p95 ${row.p95Ms} ms  executions ${row.executionsPerSecond}/s  non-200 ${row.non200}  executions missing ${row.executionsMissing}`);
	}
	const base = rows.find((row) => row.target === 'webhook-node');
	for (const row of rows) {
		row.requestsPerSecondVsWebhookNode = Number((row.requestsPerSecond / base.requestsPerSecond).toFixed(3));
		row.executionsPerSecondVsWebhookNode = Number((row.executionsPerSecond / base.executionsPerSecond).toFixed(3));
	}
	return rows;
}

/** One version's rows replace that version's earlier ones in bench/results.json; the other versions' stay. */
function writeRows(rows) {
	const existing = fs.existsSync(RESULTS) ? JSON.parse(fs.readFileSync(RESULTS, 'utf8')) : [];
	const kept = existing.filter((row) => row.scenario !== 'n8n-webhook' || row.n8nVersion !== rt.N8N_VERSION);
	const runRow = kept.findIndex((row) => row.scenario === 'run');
	const merged = runRow >= 0 ? [...kept.slice(0, runRow), ...rows, ...kept.slice(runRow)] : [...kept, ...rows];
	fs.writeFileSync(RESULTS, `${JSON.stringify(merged, null, 2)}\n`);
}

async function main(args = process.argv.slice(2)) {
	const opts = parseOptions(args);
	if (opts.n8nVersion) rt.useN8n(opts.n8nVersion);
	if (!rt.isN8nInstalled()) {
		console.log(`n8n-webhook: skipped, n8n ${rt.N8N_VERSION} is not installed in ${rt.TOOL_DIR} (npm run n8n:install; about 4 minutes and 2.2 GB).`);
		return [];
	}
	if (!fs.existsSync(path.join(rt.ROOT, 'dist/nodes/WhatsAppStatusTrigger/WhatsAppStatusTrigger.node.js'))) {
		throw new Error('dist/ is missing: run npm run build first');
	}
	const startedAt = Date.now();
	const loadAverageAtStart = os.loadavg().map((each) => Number(each.toFixed(2)));
	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-bench-n8n-'));
	let n8n = null;
	try {
		rt.installPackage(userFolder, { build: false });
		const credentials = loadCredentials();
		const imported = rt.importCredentials(userFolder, credentials).map((each, index) => ({ ...each, data: credentials[index].data }));
		const targets = benchTargets(imported);
		rt.importWorkflows(userFolder, targets.map((t) => t.workflow));
		const setupMs = Date.now() - startedAt;
		n8n = await rt.startN8n({ userFolder, setupOwner: true, expectActive: targets.map((t) => t.workflow.id) });
		console.log(`n8n ${rt.N8N_VERSION} up at ${n8n.localUrl} (setup ${setupMs} ms, boot ${n8n.bootMs} ms); ${opts.count} requests per target, concurrency ${opts.concurrency}, ${opts.warmup} warm-up`);
		const rows = meanRows(targets, await runPasses(n8n, targets, opts), opts, loadAverageAtStart);
		const errors = n8n.readLog().match(/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/g);
		if (errors) console.log(`  (network errors in the n8n log: ${[...new Set(errors)].join(', ')})`);
		await n8n.stop();
		n8n = null;
		console.log(`n8n-webhook: done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
		if (opts.write) writeRows(rows);
		return rows;
	} finally {
		if (n8n) await n8n.stop();
		if (opts.keep) console.log(`kept ${userFolder}`);
		else fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

// The load and its payloads are reused by the queue-mode test (test/e2e/queue.js), so both measure the same thing.
module.exports = { main, benchTargets, statusTriggerTargets, targetUrl };

if (require.main === module) {
	main().catch((error) => {
		console.error(error.stack || error.message);
		process.exit(1);
	});
}
