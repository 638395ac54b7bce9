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
 * a community package (from dist/, no rebuild); four one-node workflows, published:
 *   webhook-node     n8n's Webhook node, POST, Respond: Immediately (onReceived)
 *   trigger-twilio   the Status Trigger, Twilio: form body, X-Twilio-Signature (HMAC-SHA1) checked
 *   trigger-smooch   the Status Trigger, Smooch v1.1: JSON body, X-API-Key checked
 *   trigger-gupshup  the Status Trigger, Gupshup v2: JSON body, ?token= checked
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
const http = require('http');
const os = require('os');
const path = require('path');
const { performance } = require('perf_hooks');
const { parseArgs } = require('util');

const rt = require('../scripts/n8n-runtime');
const { twilioSignature } = require('../sandbox/providers/twilio');

const RESULTS = path.join(__dirname, 'results.json');
const TWILIO = { accountSid: 'AC00000000000000000000000000000bench', authToken: 'bench-twilio-auth-token-0123456789', fromNumber: '+14155238886' };
const SMOOCH = { appId: 'bench-app', keyId: 'app_bench', secret: 'bench-smooch-secret', integrationId: 'bench-integration', webhookSecret: 'bench-smooch-webhook-secret' };
const GUPSHUP = { apiKey: 'bench-gupshup-key', appName: 'BenchApp', sourceNumber: '+917834811114', webhookToken: 'bench-gupshup-webhook-token' };

const hex = (n) => crypto.randomBytes(n).toString('hex');

/** `count` distinct requests for a target: { path, headers, body }. Built before the clock starts. */
function requestsFor(target, url, count) {
	const out = [];
	for (let i = 0; i < count; i++) {
		const to = `+4477${String(i).padStart(8, '0')}`;
		if (target === 'webhook-node' || target === 'trigger-smooch') {
			const body = JSON.stringify({
				trigger: 'notification:delivery:user',
				app: { _id: '5698edbf2a43bd081be982f1' },
				version: 'v1.1',
				destination: { type: 'whatsapp', integrationId: SMOOCH.integrationId, destinationId: to },
				isFinalEvent: false,
				externalMessages: [{ id: `wamid.${hex(12)}` }],
				notification: { _id: crypto.randomUUID() },
				matchResult: { appUser: { _id: hex(12), conversationStarted: false } },
				timestamp: Date.now() / 1000,
			});
			out.push({ body, headers: { 'content-type': 'application/json', 'x-api-key': SMOOCH.webhookSecret } });
		} else if (target === 'trigger-gupshup') {
			const body = JSON.stringify({
				app: GUPSHUP.appName,
				timestamp: Date.now(),
				version: 2,
				type: 'message-event',
				payload: { id: `gBEG${hex(10)}`, gsId: crypto.randomUUID(), type: 'delivered', destination: to.slice(1), payload: { ts: Math.floor(Date.now() / 1000) } },
			});
			out.push({ body, headers: { 'content-type': 'application/json' } });
		} else if (target === 'trigger-twilio') {
			const sid = `SM${hex(16)}`;
			const fields = {
				SmsSid: sid,
				SmsStatus: 'delivered',
				MessageStatus: 'delivered',
				EventType: 'DELIVERED',
				ChannelToAddress: to,
				To: `whatsapp:${to}`,
				ChannelPrefix: 'whatsapp',
				MessageSid: sid,
				AccountSid: TWILIO.accountSid,
				From: `whatsapp:${TWILIO.fromNumber}`,
				ApiVersion: '2010-04-01',
				ChannelInstallSid: `XE${hex(16)}`,
			};
			out.push({
				body: new URLSearchParams(fields).toString(),
				headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(TWILIO.authToken, url, fields) },
			});
		}
	}
	return out;
}

/** A closed loop: `concurrency` clients, each sending the next request when its answer is in. */
async function load(url, requests, concurrency) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	const target = new URL(url);
	const latencies = [];
	const statuses = {};
	let next = 0;
	const one = (request) =>
		new Promise((resolve) => {
			const started = performance.now();
			const req = http.request(
				{
					host: target.hostname,
					port: target.port,
					method: 'POST',
					path: target.pathname + target.search,
					agent,
					headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
				},
				(res) => {
					res.resume();
					res.on('end', () => {
						latencies.push(performance.now() - started);
						statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
						resolve();
					});
				},
			);
			req.on('error', (error) => {
				statuses[error.code || 'error'] = (statuses[error.code || 'error'] || 0) + 1;
				resolve();
			});
			req.end(request.body);
		});
	const started = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < requests.length) await one(requests[next++]);
		}),
	);
	const wallMs = performance.now() - started;
	agent.destroy();
	latencies.sort((a, b) => a - b);
	const pct = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
	return { wallMs, statuses, p50Ms: pct(50), p95Ms: pct(95), p99Ms: pct(99) };
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
		if (counts.success >= expected) return { ...counts, waitedMs: performance.now() - started };
		if (performance.now() - started > timeoutMs) return { ...counts, waitedMs: performance.now() - started, timedOut: true };
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

async function main(args = process.argv.slice(2)) {
	const { values } = parseArgs({
		args,
		options: { n8n: { type: 'string' }, requests: { type: 'string' }, concurrency: { type: 'string' }, warmup: { type: 'string' }, passes: { type: 'string' }, keep: { type: 'boolean' }, 'no-write': { type: 'boolean' } },
	});
	const count = Number(values.requests ?? 1000);
	const concurrency = Number(values.concurrency ?? 10);
	const warmup = Number(values.warmup ?? 100);
	const passCount = Number(values.passes ?? 2);
	if (values.n8n) rt.useN8n(values.n8n);
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
		const creds = rt.importCredentials(userFolder, [
			{ name: 'Twilio bench', type: 'twilioWhatsAppApi', data: { ...TWILIO, messagingServiceSid: '', baseUrl: 'https://api.twilio.com' } },
			{ name: 'Smooch bench', type: 'smoochApi', data: { ...SMOOCH, region: 'us', baseUrl: 'https://api.smooch.io' } },
			{ name: 'Gupshup bench', type: 'gupshupApi', data: { ...GUPSHUP, baseUrl: 'https://api.gupshup.io' } },
		]);
		const credRef = (type) => {
			const credential = creds.find((each) => each.type === type);
			return { [type]: { id: credential.id, name: credential.name } };
		};
		const trigger = (provider, type) => ({
			id: `t-${provider}`,
			name: 'WhatsApp Status Trigger',
			type: rt.NODE_TYPES.statusTrigger,
			typeVersion: 1,
			position: [0, 0],
			webhookId: crypto.randomUUID(),
			// The callbacks are posted by the bench itself: nothing to register with a provider.
			parameters: { provider, registerCallback: false, options: {} },
			credentials: credRef(type),
		});
		const webhookNode = {
			id: 'w1',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: crypto.randomUUID(),
			parameters: { httpMethod: 'POST', path: 'bench-webhook', responseMode: 'onReceived', options: {} },
		};
		const targets = [
			{ target: 'webhook-node', node: webhookNode, urlPath: rt.productionWebhookPath({ node: webhookNode, path: 'bench-webhook', isFullPath: true }) },
			{ target: 'trigger-twilio', node: trigger('twilio', 'twilioWhatsAppApi') },
			{ target: 'trigger-smooch', node: trigger('smooch', 'smoochApi') },
			{ target: 'trigger-gupshup', node: trigger('gupshup', 'gupshupApi') },
		];
		for (const t of targets) {
			if (!t.urlPath) t.urlPath = rt.productionWebhookPath({ node: t.node, path: 'status' });
			t.workflow = { id: rt.newId(), name: `bench ${t.target}`, active: true, nodes: [t.node], connections: {} };
		}
		rt.importWorkflows(
			userFolder,
			targets.map((t) => t.workflow),
		);
		const setupMs = Date.now() - startedAt;
		n8n = await rt.startN8n({ userFolder, setupOwner: true, expectActive: targets.map((t) => t.workflow.id) });
		console.log(`n8n ${rt.N8N_VERSION} up at ${n8n.localUrl} (setup ${setupMs} ms, boot ${n8n.bootMs} ms); ${count} requests per target, concurrency ${concurrency}, ${warmup} warm-up`);

		// Two passes, the second in reverse order, so warm-up and order effects do not favour one target.
		const done = new Map(targets.map((t) => [t.target, 0]));
		const passes = new Map(targets.map((t) => [t.target, []]));
		const urlOf = (t) => n8n.webhookUrl(t.urlPath) + (t.target === 'trigger-gupshup' ? `?token=${GUPSHUP.webhookToken}` : '');
		// A first, unmeasured round over every target: n8n's webhook path, SQLite and the JIT warm up for all alike.
		for (const t of targets) {
			const result = await load(urlOf(t), requestsFor(t.target, urlOf(t), warmup * 3), concurrency);
			if (!result.statuses[200]) throw new Error(`${t.target}: warm-up got ${JSON.stringify(result.statuses)} from ${urlOf(t)}`);
			done.set(t.target, (await waitForExecutions(n8n, t.workflow.id, warmup * 3, 120_000)).success);
		}
		for (let pass = 0; pass < passCount; pass++) {
			const order = pass % 2 === 0 ? targets : [...targets].reverse();
			for (const t of order) {
				const url = urlOf(t);
				const warm = requestsFor(t.target, url, warmup);
				const requests = requestsFor(t.target, url, count);
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
				passes.get(t.target).push(measured);
				console.log(
					`  pass ${pass + 1} ${t.target.padEnd(16)} ${String(measured.requestsPerSecond).padStart(7)} req/s  p50 ${measured.p50Ms} ms  p95 ${measured.p95Ms} ms  ` +
						`statuses ${JSON.stringify(measured.statuses)}  executions ${succeeded}/${count} done after ${measured.allExecutionsDoneMs} ms (${measured.executionsPerSecond}/s)`,
				);
			}
		}
		const mean = (list, key) => Number((list.reduce((sum, each) => sum + each[key], 0) / list.length).toFixed(1));
		const rows = targets.map((t) => {
			const list = passes.get(t.target);
			return {
				scenario: 'n8n-webhook',
				target: t.target,
				requests: count,
				concurrency,
				passes: list.length,
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
		const errors = n8n.readLog().match(/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/g);
		if (errors) console.log(`  (network errors in the n8n log: ${[...new Set(errors)].join(', ')})`);
		await n8n.stop();
		n8n = null;
		console.log(`n8n-webhook: done in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
		if (!values['no-write']) {
			const existing = fs.existsSync(RESULTS) ? JSON.parse(fs.readFileSync(RESULTS, 'utf8')) : [];
			// One version's rows replace that version's earlier ones; the other versions' stay.
			const kept = existing.filter((row) => row.scenario !== 'n8n-webhook' || row.n8nVersion !== rt.N8N_VERSION);
			const runRow = kept.findIndex((row) => row.scenario === 'run');
			const merged = runRow >= 0 ? [...kept.slice(0, runRow), ...rows, ...kept.slice(runRow)] : [...kept, ...rows];
			fs.writeFileSync(RESULTS, `${JSON.stringify(merged, null, 2)}\n`);
		}
		return rows;
	} finally {
		if (n8n) await n8n.stop();
		if (values.keep) console.log(`kept ${userFolder}`);
		else fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

// The load and its payloads are reused by the queue-mode test (e2e/queue.js), so both measure the same thing.
module.exports = { main, load, requestsFor, TWILIO, SMOOCH, GUPSHUP };

if (require.main === module) {
	main().catch((error) => {
		console.error(error.stack || error.message);
		process.exit(1);
	});
}
