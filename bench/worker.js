'use strict';

/**
 * One benchmark run in a fresh process (forked by bench/run.js, with
 * --expose-gc), so that memory figures and JIT state belong to this run alone.
 *
 * Modes (process argv[2] is a JSON job):
 *   send       WhatsApp Notify over N items in n8n-core's WorkflowExecute
 *              (test/helpers/engine.js, which loads dist/), against the endpoint.
 *   normalize  normalizeStatusCallback from dist/ over the fixture payloads.
 *
 * Talks to the parent over IPC: { type: 'reset' } asks it to reset the endpoint
 * (after the warm-up), and { type: 'result', value } ends the job.
 */

const path = require('path');
const { performance } = require('perf_hooks');

const { recipientOf } = require('./endpoint');
const { sandboxProviders } = require('../sandbox/providers');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');

const job = JSON.parse(process.argv[2]);

let requestId = 0;
const waiting = new Map();
process.on('message', (/** @type {any} */ message) => {
	const pending = waiting.get(message.id);
	if (!pending) return;
	waiting.delete(message.id);
	if (message.ok) pending.resolve(message.value);
	else pending.reject(new Error(message.error));
});
function askParent(type, args) {
	const id = ++requestId;
	return new Promise((resolve, reject) => {
		waiting.set(id, { resolve, reject });
		process.send({ type, id, args });
	});
}

const gc = typeof global.gc === 'function' ? () => { global.gc(); global.gc(); } : () => {};

function percentile(sorted, p) {
	if (sorted.length === 0) return null;
	const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
	return sorted[rank];
}

const round = (value, digits = 1) => (value === null || value === undefined ? null : Number(value.toFixed(digits)));

/** A unique, valid E.164 number per item that none of the sandbox's test numbers matches. */
const recipientFor = (index) => `+4477${String(index).padStart(8, '0')}`;

/**
 * Instruments the node's one HTTP function (dist/nodes/shared/transport.js's
 * sendToProvider, which messages.js calls through the module object) without
 * changing what it does: the same gate is used, only observed. Per message it
 * records when the first HTTP attempt may start (the rate gate let it through),
 * how many attempts it took, and when the final answer came back.
 */
function instrumentTransport() {
	const transport = require(path.join(DIST, 'nodes/shared/transport'));
	const original = transport.sendToProvider;
	const records = [];
	let answered = 0;
	let midRunAt = 0;
	let onMidRun = null;
	transport.sendToProvider = async function instrumentedSendToProvider(context, provider, credentials, request, policy) {
		const record = {
			recipient: recipientOf(job.provider, request.body),
			called: performance.now(),
			start: 0,
			end: 0,
			attempts: 0,
			answered: false,
			retries: 0,
		};
		records.push(record);
		const realGate = policy.gate;
		const gate = {
			async acquire(pace) {
				const startedAt = await realGate.acquire(pace);
				record.attempts++;
				if (record.start === 0) record.start = performance.now();
				return startedAt;
			},
		};
		const response = await original.call(this, context, provider, credentials, request, { ...policy, gate });
		record.end = performance.now();
		if (++answered === midRunAt && onMidRun) setImmediate(onMidRun);
		record.answered = response.answered;
		record.retries = response.answered ? response.retries : record.attempts - 1;
		return response;
	};
	return {
		records,
		/** Calls `callback` (once, from a fresh macrotask) when the `count`-th message has its answer. */
		whenAnswered(count, callback) {
			answered = 0;
			midRunAt = count;
			onMidRun = callback;
		},
		restore: () => (transport.sendToProvider = original),
	};
}

/** The provider's sandbox credential (its kit's), pointing at the endpoint. */
function credentialsFor(provider, url) {
	const kit = sandboxProviders()[provider];
	if (!kit) throw new Error(`unknown provider ${provider}`);
	return { [kit.credentialType]: kit.sandboxCredential(url) };
}

function makeItems(count, offset = 0) {
	const items = new Array(count);
	for (let index = 0; index < count; index++) {
		items[index] = { json: { to: recipientFor(offset + index), text: `Bench message ${offset + index}: your order shipped` } };
	}
	return items;
}

function memory() {
	const usage = process.memoryUsage();
	return { rss: usage.rss, heapUsed: usage.heapUsed, external: usage.external + usage.arrayBuffers };
}

/** The provider endpoint: the parent's (over IPC), or one in this process (endpointMode inproc). */
async function sendEndpoint() {
	if (job.endpointMode !== 'inproc') return { endpoint: null, url: job.url, reset: () => askParent('reset') };
	const { createEndpoint } = require('./endpoint');
	const endpoint = await createEndpoint({
		latencyMs: job.latencyMs,
		rateLimitPerSecond: job.rateLimitPerSecond,
		retryAfterSeconds: job.retryAfterSeconds,
	});
	return { endpoint, url: endpoint.url, reset: () => endpoint.reset() };
}

const notifyParameters = (concurrency) => ({
	provider: job.provider,
	recipient: '={{ $json.to }}',
	message: '={{ $json.text }}',
	options: { concurrency, maxPerSecond: job.maxPerSecond, maxRetries: job.maxRetries, timeout: 30000 },
});

/** Two executions at once in this process (limited-shared-inproc): consecutive parts of the items. */
function splitIntoExecutions(items) {
	const executions = job.executions || 1;
	return Array.from({ length: executions }, (_, part) => {
		const from = Math.round((part * job.items) / executions);
		return { from, items: items.slice(from, Math.round(((part + 1) * job.items) / executions)) };
	});
}

/** The measured run: every part at once, with wall time, CPU and memory (before, peak, mid-run, retained). */
async function measureRun(runNotify, parts, credentials, instrument) {
	gc();
	const before = memory();
	// Memory runs: a full GC when half the messages are answered gives the live heap in mid-send
	// (every item prepared, half the outputs built, the pool busy), free of uncollected garbage.
	let midRun = null;
	if (job.midRunGc && instrument) {
		instrument.whenAnswered(Math.ceil(job.items / 2), () => {
			gc();
			midRun = memory();
		});
	}
	const peak = { ...before };
	const notePeak = (now) => {
		if (now.rss > peak.rss) peak.rss = now.rss;
		if (now.heapUsed > peak.heapUsed) peak.heapUsed = now.heapUsed;
	};
	const sampler = setInterval(() => notePeak(memory()), 25);
	const cpuBefore = process.cpuUsage();
	const startedEpoch = Date.now();
	const started = performance.now();
	// Executions of one process share what the provider's answers teach (keepSendPaces), from a clean start.
	const results = await Promise.all(
		parts.map((part) =>
			runNotify({ parameters: notifyParameters(job.concurrency), items: part.items, credentials, continueOnFail: true, keepSendPaces: parts.length > 1 }),
		),
	);
	const wallMs = performance.now() - started;
	const endedEpoch = Date.now();
	const cpu = process.cpuUsage(cpuBefore);
	clearInterval(sampler);
	notePeak(memory());
	gc();
	// The outputs are still held (results), as n8n holds a node's output for the next node.
	const retained = memory();
	return { results, started, wallMs, startedEpoch, endedEpoch, cpu, memory: { before, peak, retained, midRun } };
}

/** Per item: in input order (within its execution), pairedItem right, and what came out. */
function readOutputs(results, parts, items) {
	const read = { inOrder: results.every((result, part) => result.items.length === parts[part].items.length), sent: 0, errors: 0, errorSamples: [] };
	read.messageIds = new Array(job.items).fill(null);
	for (let index = 0; index < job.items; index++) {
		const part = parts.findLastIndex((each) => each.from <= index);
		const output = results[part].items[index - parts[part].from];
		if (!output) {
			read.inOrder = false;
			continue;
		}
		const paired = output.pairedItem && output.pairedItem.item === index - parts[part].from;
		const json = output.json || {};
		if (!paired || (json.recipient !== undefined && json.recipient !== items[index].json.to)) read.inOrder = false;
		if (json.status === 'sent' && json.messageId) {
			read.sent++;
			read.messageIds[index] = json.messageId;
		} else if (json.error) {
			read.errors++;
			if (read.errorSamples.length < 3) read.errorSamples.push(String(json.error).slice(0, 200));
		}
	}
	return read;
}

/** Per-message latencies, gate waits and retries from the instrumented transport. */
function latencyOf(records, started, wallMs) {
	const perMessage = records.filter((r) => r.answered).map((r) => r.end - r.start).sort((a, b) => a - b);
	const firstCall = records.reduce((min, r) => Math.min(min, r.called), Infinity);
	const lastEnd = records.reduce((max, r) => Math.max(max, r.end), 0);
	const gateWaits = records.map((r) => r.start - r.called).sort((a, b) => a - b);
	return {
		messages: records.length,
		// Every message's time, for a run of two workers to merge (limited-shared).
		perMessageMs: job.returnPerMessage ? perMessage.map((ms) => round(ms)) : undefined,
		p50Ms: round(percentile(perMessage, 50)),
		p95Ms: round(percentile(perMessage, 95)),
		p99Ms: round(percentile(perMessage, 99)),
		maxMs: round(perMessage[perMessage.length - 1]),
		gateWaitP50Ms: round(percentile(gateWaits, 50)),
		retries: records.reduce((sum, r) => sum + r.retries, 0),
		// Engine start + reading and checking every item (sequential, before the first send).
		prepareMs: round(firstCall - started),
		// First send called → last answer.
		sendPhaseMs: round(lastEnd - firstCall),
		// Last answer → the engine handed back the outputs.
		finishMs: round(started + wallMs - lastEnd),
	};
}

/** When each item's first HTTP attempt was let through by the gate (epoch ms), to compare with the endpoint's arrival times. */
function gateEpochsOf(records, items) {
	const gateEpochs = new Array(job.items).fill(null);
	const indexOf = new Map(items.map((item, index) => [item.json.to, index]));
	for (const record of records) {
		const index = indexOf.get(record.recipient);
		if (index !== undefined && record.start > 0) gateEpochs[index] = Math.round(performance.timeOrigin + record.start);
	}
	return gateEpochs;
}

async function runSend() {
	const { runNotify } = require(path.join(ROOT, 'test/helpers/engine'));
	const { endpoint, url, reset } = await sendEndpoint();
	const credentials = credentialsFor(job.provider, url);

	// Warm-up: the same path on a few items (JIT, module loading, first sockets), then a clean endpoint.
	const instrument = job.instrument !== false ? instrumentTransport() : null;
	if (job.warmupItems > 0) {
		const warmup = { parameters: notifyParameters(Math.min(job.concurrency, job.warmupItems)), items: makeItems(job.warmupItems, 90_000_000) };
		await runNotify({ ...warmup, credentials, continueOnFail: true });
	}
	if (instrument) instrument.records.length = 0;
	await reset();

	// Distinct recipients per worker when two run against one endpoint (limited-shared).
	const items = makeItems(job.items, job.itemOffset || 0);
	const parts = splitIntoExecutions(items);
	const run = await measureRun(runNotify, parts, credentials, instrument);
	const { results, wallMs, cpu } = run;
	const { before, peak, retained, midRun } = run.memory;
	/** @type {Record<string, any>} */
	const value = {
		wallMs: round(wallMs),
		gateEpochs: instrument ? gateEpochsOf(instrument.records, items) : new Array(job.items).fill(null),
		cpuMs: round((cpu.user + cpu.system) / 1000),
		startedEpoch: run.startedEpoch,
		endedEpoch: run.endedEpoch,
		outputs: results.reduce((sum, result) => sum + result.items.length, 0),
		...readOutputs(results, parts, items),
		nodeError: results.map((result) => result.error).filter(Boolean).map((error) => String(error.message || error).slice(0, 300))[0] ?? null,
		recipients: items.map((item) => item.json.to),
		latency: instrument ? latencyOf(instrument.records, run.started, wallMs) : null,
		memory: { gcAvailable: typeof global.gc === 'function', before, peak, retained, midRun, peakRssMb: round(peak.rss / 1048576) },
	};
	if (endpoint) {
		value.endpointSummary = await endpoint.summary();
		await endpoint.close();
	}
	return value;
}

function runNormalize() {
	const { normalizeStatusCallback } = require(path.join(DIST, 'nodes/providers'));
	const fixtures = (name) => require(path.join(ROOT, 'test/fixtures', `${name}-callbacks.json`));
	// Each provider's callback formats, by the fixture that shows each (its kit's normalizeBench).
	const formats = Object.values(sandboxProviders()).flatMap((kit) =>
		Object.entries(kit.normalizeBench).map(([format, fixture]) => ({ format, provider: kit.name, body: fixtures(kit.name)[fixture], text: kit.callbackEncoding })),
	);
	const roundMs = job.roundMs;
	const rounds = job.rounds;
	let sink = 0;

	/** Calls per second over `rounds` timed rounds of about roundMs each, after a warm-up: { median, best }. */
	function measure(call) {
		const warmUntil = performance.now() + roundMs;
		while (performance.now() < warmUntil) for (let i = 0; i < 200; i++) sink += call().length;
		const rates = [];
		for (let r = 0; r < rounds; r++) {
			let calls = 0;
			const started = performance.now();
			let elapsed = 0;
			while (elapsed < roundMs) {
				for (let i = 0; i < 200; i++) sink += call().length;
				calls += 200;
				elapsed = performance.now() - started;
			}
			rates.push((calls * 1000) / elapsed);
		}
		rates.sort((a, b) => a - b);
		return { median: rates[Math.floor(rates.length / 2)], best: rates[rates.length - 1] };
	}

	const rows = [];
	for (const { format, provider, body, text } of formats) {
		const receivedAt = new Date();
		const eventsPerCallback = normalizeStatusCallback({ provider, body, receivedAt }).length;
		// As the Status Trigger calls it: the provider known, the body parsed by n8n.
		const asTrigger = measure(() => normalizeStatusCallback({ provider, body, headers: {}, query: {}, receivedAt }));
		// Provider detected from the shape ('auto').
		const auto = measure(() => normalizeStatusCallback({ provider: 'auto', body, receivedAt }));
		// From the raw text, as programs outside n8n may call it (index.js).
		const raw = text === 'json' ? JSON.stringify(body) : new URLSearchParams(body).toString();
		const fromText = measure(() => normalizeStatusCallback({ provider, body: raw, receivedAt }));
		rows.push({
			format,
			provider,
			eventsPerCallback,
			callbacksPerSecond: Math.round(asTrigger.median),
			eventsPerSecond: Math.round(asTrigger.median * eventsPerCallback),
			eventsPerSecondBest: Math.round(asTrigger.best * eventsPerCallback),
			microsecondsPerEvent: Number((1e6 / (asTrigger.median * eventsPerCallback)).toFixed(2)),
			eventsPerSecondAutoDetect: Math.round(auto.median * eventsPerCallback),
			eventsPerSecondFromText: Math.round(fromText.median * eventsPerCallback),
			rounds,
			roundMs,
		});
	}
	if (sink === 42) console.log(''); // keep the results alive
	return rows;
}

/**
 * The node's RateGate alone (dist/nodes/shared/rateGate.js), as WhatsApp Notify uses it:
 * `workers` callers each acquire, then hold a 100 ms "request". Counts the most starts in
 * any 1 s window, once undisturbed and once with one event-loop stall of `stallMs` in the middle
 * (as a GC pause or a busy neighbour causes). Its contract: at most `perSecond` starts in any second.
 */
async function runGate() {
	const { RateGate } = require(path.join(DIST, 'nodes/shared/rateGate'));
	const rows = [];
	for (const stallMs of [0, ...job.stalls]) {
		const gate = new RateGate(job.perSecond);
		const starts = [];
		let stop = false;
		const worker = async () => {
			while (!stop) {
				await gate.acquire();
				starts.push(performance.now());
				await new Promise((resolve) => setTimeout(resolve, job.requestMs));
			}
		};
		const workers = Array.from({ length: job.workers }, worker);
		if (stallMs > 0) {
			setTimeout(() => {
				const until = performance.now() + stallMs;
				while (performance.now() < until);
			}, job.durationMs / 2);
		}
		await new Promise((resolve) => setTimeout(resolve, job.durationMs));
		stop = true;
		await Promise.all(workers);
		starts.sort((a, b) => a - b);
		let peak = 0;
		let from = 0;
		for (let to = 0; to < starts.length; to++) {
			while (starts[to] - starts[from] >= 1000) from++;
			peak = Math.max(peak, to - from + 1);
		}
		const gaps = starts.slice(1).map((at, i) => at - starts[i]).sort((a, b) => a - b);
		rows.push({
			maxPerSecond: job.perSecond,
			workers: job.workers,
			requestMs: job.requestMs,
			durationMs: job.durationMs,
			stallMs,
			starts: starts.length,
			startsPerSecond: round((starts.length / (starts[starts.length - 1] - starts[0])) * 1000, 1),
			peakStartsIn1s: peak,
			minGapMs: round(gaps[0], 2),
			gapsUnder1Ms: gaps.filter((gap) => gap < 1).length,
		});
	}
	return rows;
}

(async () => {
	const value = job.mode === 'normalize' ? runNormalize() : job.mode === 'gate' ? await runGate() : await runSend();
	process.send({ type: 'result', value }, () => process.exit(0));
})().catch((error) => {
	process.send({ type: 'failed', error: error.stack || String(error) }, () => process.exit(1));
});
