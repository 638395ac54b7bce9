#!/usr/bin/env node
'use strict';

/**
 * npm run bench: WhatsApp Notify in n8n-core's workflow engine against a local
 * provider endpoint (the project's sandbox, in a child process), per provider:
 *
 *   plain       latency only, concurrency 20, no cap
 *   sequential  the same at concurrency 1 (the baseline for the speed-up)
 *   limited     the endpoint answers 429 + Retry-After past R sends/s; concurrency 20, no cap
 *               (the node learns the limit from the 429s)
 *   limited-shared  two executions at once, in two processes (each its own learnt pace), against
 *               the one limit; limited-shared-inproc: the two in one process (one shared pace)
 *   capped      the same endpoint, the node's Messages Per Second set under R
 *
 * plus diagnostics (plain with the endpoint in-process; plain with start pacing),
 * memory (plain at two sizes, bytes per item with forced GCs), and the Status
 * Trigger's normalizer (events/s per callback format).
 *
 * Each run is a fresh child process (bench/worker.js). Results: a table on
 * stdout and bench/results.json. See bench/README.md.
 */

const { fork } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { parseArgs } = require('util');
const { peakInWindow } = require('./endpoint');
const { providerNames } = require('../sandbox/providers');

const ROOT = path.resolve(__dirname, '..');

const USAGE = `Usage: npm run bench -- [options]     (npm run build first: it measures dist/)
  --quick                a ~1-minute smoke run (150 items, sequential on 20, memory 300/1500; the
                         plain targets are meant for the full run: engine start weighs more on 150 items)
  --items N              items per run (default 1000)
  --latency MS           endpoint latency per send (default 100)
  --concurrency N        the node's Concurrency in plain/limited/capped (default 20)
  --rate R               the endpoint's limit, sends/s in any 1 s window, for limited/capped (default 50)
  --cap N                the node's Messages Per Second in capped (default floor(0.9 × R))
  --retry-after S        the endpoint's Retry-After on 429 (default 1)
  --max-retries N        the node's Max Retries on 429 (default 5, the node's default)
  --seq-items N          items for the sequential baseline, scaled linearly to --items (default 100)
  --seq-full P           provider whose sequential baseline runs on all --items ('none' to skip; default twilio)
  --providers a,b        providers (default: all, in the registry's order)
  --scenarios a,b        any of plain,sequential,limited,shared,capped,inproc,paced,gate,memory,normalize (default all;
                         shared = limited-shared and limited-shared-inproc)
  --paced-rate N         Messages Per Second for the 'plain-paced' diagnostic (default 250)
  --mem-items a,b        item counts for the memory runs (default 1000,10000)
  --mem-latency MS       endpoint latency in the memory runs (default 20)
  --out FILE             where to write the JSON (default bench/results.json)
  --no-instrument        do not wrap the node's transport (no p50/p95, retries from the endpoint only)
  --n8n VERSION          then run bench/n8n-webhooks.js in that n8n (2.8.4, 1.123.81, 2.39.10): Status Trigger
                         vs Webhook node (default: 2.8.4 for full runs, none with --quick; needs that n8n
                         installed, which npm run test:e2e -- --n8n VERSION does; skipped with a note otherwise)
  --no-n8n               skip that part
  --n8n-requests N       requests per target for --n8n (default 1000)`;

function options() {
	/** @type {{ type: 'string' }} */
	const text = { type: 'string' };
	const { values } = parseArgs({
		options: {
			quick: { type: 'boolean' },
			items: text,
			latency: text,
			concurrency: text,
			rate: text,
			cap: text,
			'retry-after': text,
			'max-retries': text,
			'seq-items': text,
			'seq-full': text,
			providers: text,
			scenarios: text,
			'paced-rate': text,
			'mem-items': text,
			'mem-latency': text,
			out: text,
			'no-instrument': { type: 'boolean' },
			n8n: { type: 'string' },
			'no-n8n': { type: 'boolean' },
			'n8n-requests': text,
			help: { type: 'boolean', short: 'h' },
		},
	});
	if (values.help) {
		console.log(USAGE);
		process.exit(0);
	}
	const quick = Boolean(values.quick);
	const number = (name, fallback) => {
		if (values[name] === undefined) return fallback;
		const value = Number(values[name]);
		if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a number ≥ 0`);
		return value;
	};
	const list = (name, fallback) => (values[name] === undefined ? fallback : values[name].split(',').map((each) => each.trim()).filter(Boolean));
	const items = number('items', quick ? 150 : 1000);
	const rate = number('rate', 50);
	const opts = {
		quick,
		items,
		latencyMs: number('latency', 100),
		concurrency: number('concurrency', 20),
		rate,
		cap: number('cap', Math.floor(0.9 * rate)),
		retryAfterSeconds: number('retry-after', 1),
		maxRetries: number('max-retries', 5),
		seqItems: Math.min(items, number('seq-items', quick ? 20 : 100)),
		seqFull: values['seq-full'] ?? (quick ? 'none' : 'twilio'),
		providers: list('providers', providerNames()),
		scenarios: list('scenarios', ['plain', 'sequential', 'limited', 'shared', 'capped', 'inproc', 'paced', 'gate', 'memory', 'normalize']),
		pacedRate: number('paced-rate', 250),
		memItems: list('mem-items', quick ? ['300', '1500'] : ['1000', '10000']).map(Number),
		memLatencyMs: number('mem-latency', 20),
		out: path.resolve(values.out ?? path.join(__dirname, 'results.json')),
		instrument: !values['no-instrument'],
		n8n: values['no-n8n'] ? null : (values.n8n ?? (quick ? null : require('../scripts/n8n-runtime').DEFAULT_N8N_VERSION)),
		n8nRequests: number('n8n-requests', quick ? 300 : 1000),
		normalize: quick ? { rounds: 3, roundMs: 100 } : { rounds: 7, roundMs: 300 },
	};
	for (const provider of opts.providers) if (!providerNames().includes(provider)) throw new Error(`unknown provider ${provider}`);
	return opts;
}

/** The endpoint child (bench/endpoint.js) behind a promise API. */
async function startEndpoint() {
	const child = fork(path.join(__dirname, 'endpoint.js'), [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
	const ready = await new Promise((resolve, reject) => {
		child.once('message', resolve);
		child.once('exit', (code) => reject(new Error(`the endpoint exited (${code}) before it was ready`)));
	});
	let nextId = 0;
	const waiting = new Map();
	child.on('message', (/** @type {any} */ message) => {
		const pending = waiting.get(message.id);
		if (!pending) return;
		waiting.delete(message.id);
		if (message.ok) pending.resolve(message.value);
		else pending.reject(new Error(message.error));
	});
	const call = (cmd, args) =>
		new Promise((resolve, reject) => {
			const id = ++nextId;
			waiting.set(id, { resolve, reject });
			child.send({ id, cmd, args });
		});
	return {
		url: ready.url,
		pid: ready.pid,
		configure: (settings) => call('configure', settings),
		reset: () => call('reset'),
		summary: () => call('summary'),
		close: async () => {
			await call('close').catch(() => {});
			child.kill();
		},
	};
}

/** Runs one job in a fresh worker process; answers its endpoint-reset requests (with `reset`, by default the endpoint's). */
function runWorker(job, endpoint, timeoutMs = 20 * 60_000, reset = () => endpoint.reset()) {
	return new Promise((resolve, reject) => {
		const child = fork(path.join(__dirname, 'worker.js'), [JSON.stringify(job)], {
			execArgv: ['--expose-gc'],
			stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
		});
		let settled = false;
		const finish = (error, value) => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			if (error) reject(error);
			else resolve(value);
		};
		const timer = setTimeout(() => {
			child.kill();
			finish(new Error(`worker timed out after ${timeoutMs} ms`));
		}, timeoutMs);
		child.on('message', async (/** @type {any} */ message) => {
			if (message.type === 'reset') {
				try {
					await reset();
					child.send({ id: message.id, ok: true, value: true });
				} catch (error) {
					child.send({ id: message.id, ok: false, error: error.message });
				}
			} else if (message.type === 'result') {
				finish(null, message.value);
			} else if (message.type === 'failed') {
				finish(new Error(message.error));
			}
		});
		child.on('exit', (code) => finish(new Error(`worker exited with code ${code} before reporting`)));
	});
}

/**
 * Runs jobs in as many workers at once. Their endpoint resets meet at a barrier: the endpoint is
 * reset once, when every worker has warmed up, and all measured executions start together.
 */
function runWorkersTogether(jobs, endpoint) {
	let arrived = [];
	const reset = () =>
		new Promise((resolve, reject) => {
			arrived.push({ resolve, reject });
			if (arrived.length < jobs.length) return;
			const all = arrived;
			arrived = [];
			endpoint.reset().then(
				() => all.forEach((each) => each.resolve(true)),
				(error) => all.forEach((each) => each.reject(error)),
			);
		});
	return Promise.all(jobs.map((job) => runWorker(job, endpoint, 5 * 60_000, reset)));
}

/** Two workers' results as one run: wall from the first start to the last end, every message's figures merged. */
function combineResults(results) {
	const sum = (key) => results.reduce((total, result) => total + result[key], 0);
	const startedEpoch = Math.min(...results.map((result) => result.startedEpoch));
	const endedEpoch = Math.max(...results.map((result) => result.endedEpoch));
	const perMessage = results.flatMap((result) => (result.latency && result.latency.perMessageMs) || []).sort((a, b) => a - b);
	const latencies = results.map((result) => result.latency).filter(Boolean);
	return {
		wallMs: endedEpoch - startedEpoch,
		executionWallMs: results.map((result) => result.wallMs),
		startOffsetMs: Math.max(...results.map((result) => result.startedEpoch)) - startedEpoch,
		gateEpochs: results.flatMap((result) => result.gateEpochs),
		cpuMs: sum('cpuMs'),
		sent: sum('sent'),
		errors: sum('errors'),
		errorSamples: results.flatMap((result) => result.errorSamples).slice(0, 3),
		inOrder: results.every((result) => result.inOrder),
		nodeError: results.map((result) => result.nodeError).find(Boolean) ?? null,
		messageIds: results.flatMap((result) => result.messageIds),
		recipients: results.flatMap((result) => result.recipients),
		latency: latencies.length
			? {
					p50Ms: percentile(perMessage, 50),
					p95Ms: percentile(perMessage, 95),
					p99Ms: percentile(perMessage, 99),
					maxMs: perMessage[perMessage.length - 1] ?? null,
					retries: latencies.reduce((total, latency) => total + latency.retries, 0),
					prepareMs: Math.max(...latencies.map((latency) => latency.prepareMs)),
					sendPhaseMs: Math.max(...latencies.map((latency) => latency.sendPhaseMs)),
				}
			: null,
		memory: { peakRssMb: Math.max(...results.map((result) => result.memory.peakRssMb)) },
	};
}

const round = (value, digits = 1) => (value === null || value === undefined || !Number.isFinite(value) ? null : Number(value.toFixed(digits)));
const mb = (bytes) => round(bytes / 1048576, 1);

function percentile(sorted, p) {
	if (sorted.length === 0) return null;
	return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

/**
 * Each message as the endpoint saw it against what the node reported: duplicates, ids that do
 * not match, acceptances the node did not report, attempts, and the gate-to-arrival times (sorted).
 */
function perMessage(n, result, summary) {
	const counts = { duplicates: 0, duplicateAccepts: 0, mismatchedIds: 0, acceptedButNotReported: 0, maxAttempts: 0, gateToArrival: [] };
	for (let index = 0; index < n; index++) {
		const seen = summary.perRecipient[result.recipients[index]];
		const accepted = seen ? seen.accepted : [];
		if (seen) counts.maxAttempts = Math.max(counts.maxAttempts, seen.attempts);
		if (accepted.length > 1) {
			counts.duplicates++;
			counts.duplicateAccepts += accepted.length - 1;
		}
		const reported = result.messageIds[index];
		if (reported && !accepted.includes(reported)) counts.mismatchedIds++;
		if (!reported && accepted.length > 0) counts.acceptedButNotReported++;
		const gate = result.gateEpochs && result.gateEpochs[index];
		if (seen && gate) counts.gateToArrival.push(Date.parse(seen.firstAt) - gate);
	}
	counts.gateToArrival.sort((a, b) => a - b);
	return counts;
}

/**
 * One row of results.json from the worker's view (outputs, latencies, memory)
 * and the endpoint's (what it accepted, per recipient).
 */
function sendRow({ provider, scenario, job, result, summary, endpointMode }) {
	const n = job.items;
	const { duplicates, duplicateAccepts, mismatchedIds, acceptedButNotReported, maxAttempts, gateToArrival } = perMessage(n, result, summary);
	const gateTimes = (result.gateEpochs || []).filter((each) => each !== null).sort((a, b) => a - b);
	const lost = n - result.sent - result.errors;
	const idealMs = (n * job.latencyMs) / job.concurrency;
	const limit = scenario.startsWith('limited') || scenario === 'capped' ? Math.min(job.rateLimitPerSecond || Infinity, job.maxPerSecond || Infinity) : Infinity;
	const rateBoundMs = Number.isFinite(limit) ? (n / limit) * 1000 : null;
	const latency = result.latency || {};
	return {
		provider,
		scenario,
		endpoint: endpointMode === 'inproc' ? 'in-process' : 'child-process',
		items: n,
		concurrency: job.concurrency,
		latencyMs: job.latencyMs,
		maxPerSecond: job.maxPerSecond,
		endpointRateLimitPerSecond: job.rateLimitPerSecond,
		retryAfterSeconds: job.rateLimitPerSecond ? job.retryAfterSeconds : null,
		// Two executions at once (limited-shared): in how many processes, each execution's own wall, and how much later the second began.
		executions: job.executions * (job.workers || 1),
		workers: job.workers || 1,
		executionWallMs: result.executionWallMs ?? null,
		startOffsetMs: result.startOffsetMs ?? null,
		wallMs: result.wallMs,
		messagesPerSecond: round((n / result.wallMs) * 1000, 1),
		// Throughput as a share of the provider's limit (limited*, capped).
		throughputVsLimit: Number.isFinite(limit) ? round((n / result.wallMs) * 1000 / limit, 3) : null,
		idealMs: round(idealMs, 0),
		rateBoundMs: round(rateBoundMs, 0),
		wallVsIdeal: round(result.wallMs / Math.max(idealMs, rateBoundMs ?? 0), 3),
		// Filled in from the sequential run below.
		sequentialWallMs: null,
		sequentialItems: null,
		sequentialScaled: null,
		speedupVsSequential: null,
		p50Ms: latency.p50Ms ?? null,
		p95Ms: latency.p95Ms ?? null,
		p99Ms: latency.p99Ms ?? null,
		maxMs: latency.maxMs ?? null,
		status429: summary.status429,
		status429PerMessage: round(summary.status429 / n, 3),
		retries: job.instrument ? latency.retries : summary.status429,
		endpointRequests: summary.requests,
		maxAttemptsPerMessage: maxAttempts,
		sent: result.sent,
		errors: result.errors,
		errorSamples: result.errorSamples,
		duplicates,
		duplicateAccepts,
		lost,
		mismatchedIds,
		acceptedButNotReported,
		outputsInOrder: result.inOrder,
		nodeError: result.nodeError,
		peakRssMb: result.memory.peakRssMb,
		cpuMs: result.cpuMs,
		cpuMsPerMessage: round(result.cpuMs / n, 3),
		// What one process could send if the CPU were the only bound: 1000 ÷ CPU ms per message.
		ceilingMessagesPerSecond: result.cpuMs > 0 ? Math.round((1000 * n) / result.cpuMs) : null,
		prepareMs: latency.prepareMs ?? null,
		sendPhaseMs: latency.sendPhaseMs ?? null,
		// Starts the node's rate gate let through in the busiest 1 s, and arrivals the endpoint saw in its busiest 1 s.
		peakStartsIn1s: gateTimes.length ? peakInWindow(gateTimes, 1000) : null,
		peakArrivalsIn1s: summary.peakRequestsIn1s,
		gateToArrivalP50Ms: percentile(gateToArrival, 50),
		gateToArrivalP99Ms: percentile(gateToArrival, 99),
		gateToArrivalMaxMs: gateToArrival.length ? gateToArrival[gateToArrival.length - 1] : null,
	};
}

function memoryRow({ provider, job, result }) {
	const m = result.memory;
	const n = job.items;
	const perItem = (after, before) => (after === undefined || after === null ? null : Math.round((after - before) / n));
	return {
		provider,
		scenario: 'memory',
		endpoint: 'child-process',
		items: n,
		concurrency: job.concurrency,
		latencyMs: job.latencyMs,
		wallMs: result.wallMs,
		messagesPerSecond: round((n / result.wallMs) * 1000, 1),
		idealMs: round((n * job.latencyMs) / job.concurrency, 0),
		sent: result.sent,
		lost: n - result.sent - result.errors,
		outputsInOrder: result.inOrder,
		p50Ms: result.latency ? result.latency.p50Ms : null,
		p95Ms: result.latency ? result.latency.p95Ms : null,
		prepareMs: result.latency ? result.latency.prepareMs : null,
		gcAvailable: m.gcAvailable,
		heapBeforeMb: mb(m.before.heapUsed),
		heapMidRunLiveMb: m.midRun ? mb(m.midRun.heapUsed) : null,
		heapRetainedMb: mb(m.retained.heapUsed),
		heapPeakMb: mb(m.peak.heapUsed),
		rssBeforeMb: mb(m.before.rss),
		peakRssMb: mb(m.peak.rss),
		rssAfterMb: mb(m.retained.rss),
		// Live heap in mid-send (forced GC at half the answers) minus the heap before the run, per item.
		bytesPerItemMidRunHeap: m.midRun ? perItem(m.midRun.heapUsed, m.before.heapUsed) : null,
		// Heap after the run with the outputs still held (forced GC), per item: what the node leaves for the next node.
		bytesPerItemRetainedHeap: perItem(m.retained.heapUsed, m.before.heapUsed),
		// Peak RSS over the run minus RSS before, per item (includes garbage not yet collected).
		bytesPerItemPeakRss: perItem(m.peak.rss, m.before.rss),
		cpuMs: result.cpuMs,
	};
}

// ---- printing ---------------------------------------------------------------------------

function table(headers, rows) {
	const cells = rows.map((row) => row.map((cell) => (cell === null || cell === undefined ? '–' : String(cell))));
	const widths = headers.map((header, i) => Math.max(header.length, ...cells.map((row) => row[i].length)));
	const line = (row) => row.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join('  ');
	return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

const fmt = (value, digits = 0) => (value === null || value === undefined ? null : Number(value).toFixed(digits));
const thousands = (value) => (value === null || value === undefined ? null : Math.round(value).toLocaleString('en-US'));

function printSendTable(rows) {
	const headers = ['provider', 'scenario', 'items', 'conc', 'lat', 'cap', 'R/s', 'wall ms', 'msg/s', 'ideal ms', 'wall/ideal', 'seq ms (items)', 'speedup', 'p50', 'p95', '429s', 'retries', 'dup', 'lost', 'errors', 'order', 'peakRSS MB'];
	const body = rows.map((r) => [
		r.provider,
		r.scenario === 'plain-inproc' ? 'plain (endpoint in-process)' : r.scenario,
		r.items,
		r.concurrency,
		r.latencyMs,
		r.maxPerSecond || 0,
		r.endpointRateLimitPerSecond || '–',
		fmt(r.wallMs),
		fmt(r.messagesPerSecond, 1),
		fmt(Math.max(r.idealMs, r.rateBoundMs ?? 0)) + (r.rateBoundMs && r.rateBoundMs > r.idealMs ? 'ʳ' : ''),
		fmt(r.wallVsIdeal, 2),
		r.sequentialWallMs === null ? null : `${fmt(r.sequentialWallMs)}${r.sequentialScaled ? '*' : ''} (${r.sequentialItems})`,
		fmt(r.speedupVsSequential, 1),
		fmt(r.p50Ms),
		fmt(r.p95Ms),
		r.status429,
		r.retries,
		r.duplicates,
		r.lost,
		r.errors,
		r.outputsInOrder ? 'yes' : 'NO',
		fmt(r.peakRssMb),
	]);
	console.log(table(headers, body));
	console.log('  ideal = items × latency ÷ concurrency; ʳ = items ÷ min(R, cap) is larger and is used instead.');
	console.log('  seq ms: the concurrency-1 run; * = measured on (items) and scaled linearly to the row\'s items.');
	console.log('  p50/p95: per message, from its first HTTP attempt (past the rate gate) to the final answer, 429 waits included.');
	const plain = rows.filter((r) => r.scenario === 'plain');
	if (plain.length) {
		console.log(`  CPU per message (plain; the sending process: n8n-core, the node, axios, sockets): ${plain.map((r) => `${r.provider} ${fmt(r.cpuMsPerMessage, 2)} ms`).join(', ')}`);
		console.log(`  ceiling per process (1000 ÷ CPU ms per message): ${plain.map((r) => `${r.provider} ${r.ceilingMessagesPerSecond}/s`).join(', ')}`);
	}
}

function printMemoryTable(rows) {
	const headers = ['provider', 'items', 'wall ms', 'heap before MB', 'live mid-run MB', 'retained MB', 'peak RSS MB', 'B/item live', 'B/item retained', 'B/item peak RSS'];
	console.log(
		table(
			headers,
			rows.map((r) => [r.provider, r.items, fmt(r.wallMs), r.heapBeforeMb, r.heapMidRunLiveMb, r.heapRetainedMb, r.peakRssMb, thousands(r.bytesPerItemMidRunHeap), thousands(r.bytesPerItemRetainedHeap), thousands(r.bytesPerItemPeakRss)]),
		),
	);
	console.log('  live mid-run: heap after a forced full GC when half the answers are in; retained: after the run, outputs still held.');
}

function printNormalizeTable(rows) {
	const headers = ['format', 'provider', 'events/callback', 'callbacks/s', 'events/s', 'µs/event', 'events/s best round', 'events/s auto-detect', 'events/s from text'];
	console.log(
		table(
			headers,
			rows.map((r) => [r.format, r.provider, r.eventsPerCallback, thousands(r.callbacksPerSecond), thousands(r.eventsPerSecond), fmt(r.microsecondsPerEvent, 2), thousands(r.eventsPerSecondBest), thousands(r.eventsPerSecondAutoDetect), thousands(r.eventsPerSecondFromText)]),
		),
	);
	console.log('  events/s: normalizeStatusCallback({provider, body}) with the body already parsed, as the Status Trigger calls it;');
	console.log(`  one core, median of ${rows[0] ? rows[0].rounds : '?'} rounds of ${rows[0] ? rows[0].roundMs : '?'} ms (best round shown too: the machine is shared).`);
}

// ---- main -------------------------------------------------------------------------------

function announce(opts) {
	console.log(
		`WhatsApp Notify benchmark: ${opts.items} items, latency ${opts.latencyMs} ms, concurrency ${opts.concurrency}, ` +
			`limit R=${opts.rate}/s (Retry-After ${opts.retryAfterSeconds} s), cap ${opts.cap}/s; ` +
			`providers ${opts.providers.join(', ')}; Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}${opts.quick ? '; QUICK run' : ''}`,
	);
}

/**
 * The run of one send scenario in a fresh worker process (or several): send(provider, scenario,
 * settings) adds its row to run.rows, or its failure to run.failures, and returns the row.
 */
function sender(opts, endpoint, run) {
	const base = {
		mode: 'send',
		url: endpoint.url,
		endpointMode: 'child',
		maxRetries: opts.maxRetries,
		instrument: opts.instrument,
		retryAfterSeconds: opts.retryAfterSeconds,
		warmupItems: 20,
	};
	const { rows, failures } = run;
return async function send(provider, scenario, { items = opts.items, concurrency = opts.concurrency, latencyMs = opts.latencyMs, rateLimitPerSecond = 0, maxPerSecond = 0, endpointMode = 'child', warmupItems = 20, midRunGc = false, kind = 'send', workers = 1, executions = 1 } = {}) {
	const together = workers > 1 ? `, ${workers} executions in ${workers} processes` : executions > 1 ? `, ${executions} executions in one process` : '';
	const label = `${provider} ${scenario} (${items} items, concurrency ${concurrency}${maxPerSecond ? `, cap ${maxPerSecond}/s` : ''}${rateLimitPerSecond ? `, limit ${rateLimitPerSecond}/s` : ''}, ${latencyMs} ms${together})`;
	process.stdout.write(`  running ${label} … `);
	const job = { ...base, provider, items, concurrency, latencyMs, rateLimitPerSecond, maxPerSecond, endpointMode, warmupItems, midRunGc, executions, workers };
	try {
		if (endpointMode === 'child') await endpoint.configure({ latencyMs, rateLimitPerSecond, retryAfterSeconds: opts.retryAfterSeconds });
		// Several workers: each sends its share of the items (its own recipients) at the same time.
		const share = (worker) => ({ from: Math.round((worker * items) / workers), to: Math.round(((worker + 1) * items) / workers) });
		const result =
			workers > 1
				? combineResults(
						await runWorkersTogether(
							Array.from({ length: workers }, (_, worker) => ({ ...job, items: share(worker).to - share(worker).from, itemOffset: share(worker).from, returnPerMessage: true })),
							endpoint,
						),
					)
				: await runWorker(job, endpoint);
		const summary = result.endpointSummary || (await endpoint.summary());
		const row = kind === 'memory' ? memoryRow({ provider, job, result }) : sendRow({ provider, scenario, job, result, summary, endpointMode });
		if (kind === 'memory') {
			// The same correctness checks as the other runs.
			const check = sendRow({ provider, scenario, job, result, summary, endpointMode });
			Object.assign(row, { duplicates: check.duplicates, status429: check.status429 });
		}
		rows.push(row);
		console.log(`${fmt(result.wallMs)} ms`);
		return row;
	} catch (error) {
		console.log('FAILED');
		console.error(error.message);
		failures.push({ label, error: error.message });
		return null;
	}
};
}

/** The send scenarios asked for, each provider in turn; returns the sequential baselines by provider. */
async function runSendScenarios(opts, send) {
	const want = (scenario) => opts.scenarios.includes(scenario);
	if (want('plain')) for (const p of opts.providers) await send(p, 'plain');
	if (want('paced') && opts.providers.length) {
		// Diagnostic: plain with Messages Per Second set above the ideal rate, so it only spaces request starts.
		await send(opts.providers[0], 'plain-paced', { maxPerSecond: opts.pacedRate });
	}
	if (want('inproc') && opts.providers.length && !opts.quick) {
		await send(opts.providers[0], 'plain-inproc', { endpointMode: 'inproc' });
	}
	const sequential = new Map();
	if (want('sequential')) {
		for (const p of opts.providers) {
			const items = p === opts.seqFull ? opts.items : opts.seqItems;
			const row = await send(p, 'sequential', { items, concurrency: 1, warmupItems: 5 });
			if (row) sequential.set(p, row);
		}
	}
	if (want('limited')) for (const p of opts.providers) await send(p, 'limited', { rateLimitPerSecond: opts.rate });
	if (want('shared')) {
		for (const p of opts.providers) await send(p, 'limited-shared', { rateLimitPerSecond: opts.rate, workers: 2 });
		for (const p of opts.providers) await send(p, 'limited-shared-inproc', { rateLimitPerSecond: opts.rate, executions: 2 });
	}
	if (want('capped')) for (const p of opts.providers) await send(p, 'capped', { rateLimitPerSecond: opts.rate, maxPerSecond: opts.cap });
	if (want('memory') && opts.providers.length) {
		for (const items of opts.memItems) await send(opts.providers[0], 'memory', { items, latencyMs: opts.memLatencyMs, midRunGc: true, kind: 'memory' });
	}
	return sequential;
}

/** A worker job that yields rows (the gate, the normalizer); a failure is recorded, not thrown. */
async function rowsOf(label, announcement, job, endpoint, failures) {
	process.stdout.write(`  running ${announcement} … `);
	try {
		const rows = (await runWorker(job, endpoint)).map((row) => ({ scenario: label, ...row }));
		console.log('done');
		return rows;
	} catch (error) {
		console.log('FAILED');
		console.error(error.message);
		failures.push({ label, error: error.message });
		return [];
	}
}

/** The sequential baseline into every send row of the same provider (scaled to the row's items when measured on fewer). */
function addSequentialBaseline(rows, sequential) {
	for (const row of rows) {
		const seq = sequential.get(row.provider);
		if (!seq || row.scenario === 'memory') continue;
		const scaled = (seq.wallMs * row.items) / seq.items;
		row.sequentialWallMs = round(row.scenario === 'sequential' ? seq.wallMs : scaled, 0);
		row.sequentialItems = seq.items;
		row.sequentialScaled = row.scenario === 'sequential' ? false : seq.items !== row.items;
		row.speedupVsSequential = round(row.sequentialWallMs / row.wallMs, 2);
	}
}

function printMemoryRows(opts, memoryRows) {
	console.log(`\nMemory (plain, concurrency ${opts.concurrency}, latency ${opts.memLatencyMs} ms, node --expose-gc):`);
	printMemoryTable(memoryRows);
	if (memoryRows.length < 2) return;
	const [small, large] = [memoryRows[0], memoryRows[memoryRows.length - 1]];
	const marginal = (key) => Math.round(((large[key] - small[key]) * 1048576) / (large.items - small.items));
	console.log(
		`  marginal bytes per item from ${small.items} to ${large.items} items: live heap ${thousands(marginal('heapMidRunLiveMb'))}, ` +
			`retained heap ${thousands(marginal('heapRetainedMb'))}, peak RSS ${thousands(marginal('peakRssMb'))}`,
	);
}

function printGateRows(opts, gateRows) {
	console.log(`\nRate gate alone (dist/nodes/shared/rateGate.js RateGate, Messages Per Second ${opts.cap}, ${opts.concurrency} callers each holding ${opts.latencyMs} ms):`);
	console.log(
		table(
			['stall', 'starts', 'starts/s', 'peak starts in any 1 s', 'min gap ms', 'gaps < 1 ms'],
			gateRows.map((r) => [r.stallMs ? `one ${r.stallMs} ms event-loop stall` : 'none', r.starts, fmt(r.startsPerSecond, 1), r.peakStartsIn1s, fmt(r.minGapMs, 2), r.gapsUnder1Ms]),
		),
	);
	console.log('  RateGate promises "at most perSecond begin in any second"; the provider counts the same way.');
}

function printResults(opts, { sendRows, memoryRows, gateRows, normalizeRows }) {
	if (sendRows.length) {
		console.log('\nSending (WhatsApp Notify in n8n-core WorkflowExecute → provider endpoint):');
		printSendTable(sendRows);
	}
	if (memoryRows.length) printMemoryRows(opts, memoryRows);
	if (gateRows.length) printGateRows(opts, gateRows);
	if (normalizeRows.length) {
		console.log('\nStatus Trigger normalization (dist/nodes/providers normalizeStatusCallback, fixtures from test/fixtures):');
		printNormalizeTable(normalizeRows);
	}
}

/** The send rows against their targets: [{ name, pass, detail }]. */
function sendTargets(sendRows) {
	const checks = [];
	const check = (name, pass, detail) => checks.push({ name, pass, detail });
	for (const r of sendRows) {
		if (r.scenario === 'plain') {
			check(`${r.provider} plain: speedup ≥ 15`, r.speedupVsSequential !== null && r.speedupVsSequential >= 15, `${fmt(r.speedupVsSequential, 1)}×`);
			check(`${r.provider} plain: wall ≤ 1.3 × ideal`, r.wallVsIdeal <= 1.3, `${fmt(r.wallVsIdeal, 2)} (${fmt(r.wallMs)} / ${r.idealMs} ms)`);
		}
		if (r.scenario === 'limited') {
			check(`${r.provider} limited: retried (429s seen)`, r.status429 > 0, `${r.status429} × 429, ${r.retries} retries`);
			check(`${r.provider} limited: wall ≤ 1.15 × rate bound`, r.wallMs <= 1.15 * r.rateBoundMs, `${fmt(r.wallMs / r.rateBoundMs, 3)} (${fmt(r.wallMs)} / ${r.rateBoundMs} ms)`);
			check(`${r.provider} limited: 429s ≤ 5% of messages`, r.status429 <= 0.05 * r.items, `${r.status429} × 429 for ${r.items} messages (${fmt(100 * r.status429PerMessage, 1)}%)`);
		}
		if (r.scenario.startsWith('limited-shared')) {
			const where = r.workers > 1 ? `${r.executions} processes` : `${r.executions} executions in one process`;
			check(`${r.provider} ${r.scenario}: together ≥ 0.85 × the limit`, r.throughputVsLimit >= 0.85, `${fmt(r.messagesPerSecond, 1)} msg/s = ${fmt(r.throughputVsLimit, 3)} × ${r.endpointRateLimitPerSecond}/s (${where}; second started ${r.startOffsetMs ?? 0} ms later)`);
			check(`${r.provider} ${r.scenario}: 429s ≤ 10% of messages`, r.status429 <= 0.1 * r.items, `${r.status429} × 429 for ${r.items} messages (${fmt(100 * r.status429PerMessage, 1)}%)`);
		}
		if (r.scenario.startsWith('limited')) {
			check(`${r.provider} ${r.scenario}: 0 duplicates, 0 lost, in order, all sent`, r.duplicates === 0 && r.lost === 0 && r.outputsInOrder && r.sent === r.items, `dup ${r.duplicates}, lost ${r.lost}, sent ${r.sent}/${r.items}, order ${r.outputsInOrder}`);
		}
		if (r.scenario === 'capped') {
			check(`${r.provider} capped: 0 × 429`, r.status429 === 0, `${r.status429} × 429; busiest 1 s: ${r.peakStartsIn1s} starts (cap ${r.maxPerSecond}), ${r.peakArrivalsIn1s} arrivals (limit ${r.endpointRateLimitPerSecond})`);
		}
		if (r.duplicates > 0 || r.lost > 0 || !r.outputsInOrder || r.mismatchedIds > 0) {
			check(`${r.provider} ${r.scenario}: correctness`, false, `dup ${r.duplicates}, lost ${r.lost}, order ${r.outputsInOrder}, mismatched ids ${r.mismatchedIds}`);
		}
	}
	return checks;
}

/** Every target: the send rows', the gate's and the normalizer's. */
function targets({ sendRows, gateRows, normalizeRows }) {
	const checks = sendTargets(sendRows);
	const check = (name, pass, detail) => checks.push({ name, pass, detail });
	for (const r of gateRows) check(`gate${r.stallMs ? ` with a ${r.stallMs} ms stall` : ''}: ≤ ${r.maxPerSecond} starts in any 1 s`, r.peakStartsIn1s <= r.maxPerSecond, `${r.peakStartsIn1s} starts in the busiest 1 s`);
	for (const r of normalizeRows) check(`normalize ${r.format}: ≥ 100,000 events/s`, r.eventsPerSecond >= 100_000, `${thousands(r.eventsPerSecond)} events/s`);
	return checks;
}

function printTargets(opts, checks, sendRows, failures) {
	console.log(`\nTargets${opts.quick ? ' (quick run: the plain, limited and limited-shared targets are meant for 1,000 items; on 150, engine start and the first second against an unknown limit weigh several times more)' : ''}:`);
	for (const c of checks) console.log(`  ${c.pass ? 'PASS' : 'FAIL'}  ${c.name}: ${c.detail}`);
	const paced = sendRows.find((r) => r.scenario === 'plain-paced');
	const plain = paced && sendRows.find((r) => r.scenario === 'plain' && r.provider === paced.provider);
	if (paced && plain) {
		console.log(
			`\nDiagnostic: ${paced.provider} plain with Messages Per Second ${paced.maxPerSecond} (starts ≥ ${fmt(1000 / paced.maxPerSecond, 1)} ms apart, above the ideal ${fmt((opts.concurrency * 1000) / opts.latencyMs)}/s): ` +
				`wall ${fmt(paced.wallMs)} ms (${fmt(paced.wallVsIdeal, 2)} × ideal), p50 ${fmt(paced.p50Ms)} ms, vs uncapped ${fmt(plain.wallMs)} ms (${fmt(plain.wallVsIdeal, 2)} ×), p50 ${fmt(plain.p50Ms)} ms.`,
		);
	}
	if (failures.length) {
		console.log('\nRuns that failed:');
		for (const f of failures) console.log(`  ${f.label}: ${f.error.split('\n')[0]}`);
	}
}

/** bench/results.json: every row, and a 'run' row with the options, the load, the failures and the targets. */
function writeResults(opts, { rows, gateRows, normalizeRows, failures, checks, startedAt, loadAtStart }) {
	const meta = {
		scenario: 'run',
		startedAt: new Date(startedAt).toISOString(),
		totalMs: Date.now() - startedAt,
		node: process.version,
		cpus: os.cpus().length,
		loadAverageAtStart: loadAtStart.map((each) => round(each, 2)),
		loadAverageAtEnd: os.loadavg().map((each) => round(each, 2)),
		options: { ...opts, out: path.relative(ROOT, opts.out) },
		failures,
		targets: checks,
	};
	fs.writeFileSync(opts.out, `${JSON.stringify([...rows, ...gateRows, ...normalizeRows, meta], null, 2)}\n`);
	console.log(`Load average at start ${loadAtStart.map((l) => l.toFixed(2)).join(' ')}, at end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (${os.cpus().length} CPUs; other work on the machine shows up as noise).`);
	console.log(`\nWrote ${path.relative(process.cwd(), opts.out)} (${rows.length + gateRows.length + normalizeRows.length} rows + a 'run' row). Total time ${fmt(meta.totalMs / 1000, 1)} s.`);
}

async function main() {
	const opts = options();
	const distFile = path.join(ROOT, 'dist/nodes/WhatsAppNotify/WhatsAppNotify.node.js');
	if (!fs.existsSync(distFile)) throw new Error('dist/ is missing: run `npm run build` first (the benchmark measures what ships)');
	const startedAt = Date.now();
	const loadAtStart = os.loadavg();
	announce(opts);
	const endpoint = await startEndpoint();
	const run = { rows: [], failures: [] };
	console.log('\nRuns (each in a fresh process; the endpoint in its own process unless said otherwise):');
	const sequential = await runSendScenarios(opts, sender(opts, endpoint, run));
	const want = (scenario) => opts.scenarios.includes(scenario);
	const gateJob = { mode: 'gate', perSecond: opts.cap, workers: opts.concurrency, requestMs: opts.latencyMs, durationMs: opts.quick ? 3000 : 6000, stalls: [200] };
	const gateRows = want('gate')
		? await rowsOf('gate', `gate (the node's RateGate alone at ${opts.cap}/s, 20 callers, with and without a 200 ms stall)`, gateJob, endpoint, run.failures)
		: [];
	const normalizeRows = want('normalize')
		? await rowsOf('normalize', 'normalize (Status Trigger normalizer, in process)', { mode: 'normalize', ...opts.normalize }, endpoint, run.failures)
		: [];
	await endpoint.close();

	const { rows, failures } = run;
	addSequentialBaseline(rows, sequential);
	const results = { sendRows: rows.filter((row) => row.scenario !== 'memory'), memoryRows: rows.filter((row) => row.scenario === 'memory'), gateRows, normalizeRows };
	printResults(opts, results);
	const checks = targets(results);
	printTargets(opts, checks, results.sendRows, failures);
	writeResults(opts, { rows, gateRows, normalizeRows, failures, checks, startedAt, loadAtStart });
	if (opts.n8n) await runN8nPart(opts, startedAt);
	if (failures.length) process.exitCode = 1;
}

/** The Status Trigger against n8n's own Webhook node, in a real n8n (bench/n8n-webhooks.js). */
async function runN8nPart(opts, startedAt) {
	console.log('\nStatus Trigger vs Webhook node in a real n8n (bench/n8n-webhooks.js):');
	try {
		await require('./n8n-webhooks').main(['--n8n', opts.n8n, '--requests', String(opts.n8nRequests)]);
	} catch (error) {
		console.log(`  FAILED: ${error.message.split('\n')[0]}`);
		process.exitCode = 1;
	}
	console.log(`Total time with the n8n part ${fmt((Date.now() - startedAt) / 1000, 1)} s.`);
}

main().catch((error) => {
	console.error(error.stack || error.message);
	process.exit(1);
});
