#!/usr/bin/env node
'use strict';

/**
 * Callbacks per second through n8n's webhook processor in queue mode: the Status Trigger against
 * n8n's own Webhook node, static and with one expression, side by side in one setup.
 *
 *   node bench/n8n-queue.js [--n8n 2.39.10] [--requests 300] [--concurrency 10] [--warmup 50]
 *                           [--worker-concurrency 10] [--env NAME=VALUE ...] [--recommended] [--no-write]
 *                           [--targets webhook-node,trigger-smooch] [--profile-webhook DIR]
 *
 * One main (production webhooks off), one webhook processor and two workers (`--concurrency`
 * 10 each), on Redis and PostgreSQL 15 (scripts/n8n-runtime/queue.js, services.js), the package
 * installed in each as a community package; the targets of bench/n8n-webhooks.js, each a
 * one-node workflow: webhook-node, webhook-node-expr, trigger-twilio, trigger-smooch,
 * trigger-gupshup. Per target, after a warm-up: `requests` distinct signed callbacks from a
 * closed loop of `concurrency` keep-alive clients, all to the webhook processor; measured are the
 * answers per second and their latency (p50, p95, max), then the executions per second until the
 * workers have finished them all, and the CPU each process group used per callback (the webhook
 * processor, the workers, PostgreSQL, Redis) beside the whole machine's busy share, since the
 * machine is shared.
 *
 * --env sets an n8n setting on every process (e.g. --env N8N_EXPRESSION_ENGINE=legacy), --webhook-env
 * on the webhook processor only (--webhook-env N8N_METRICS=true prints its expression-engine metrics);
 * --recommended adds the settings the queue test uses for this version (scripts/n8n-runtime/queue.js);
 * --targets measures only those; --profile-webhook writes a V8 CPU profile of the webhook processor.
 * Rows with scenario "n8n-queue" go into bench/results.json, replacing earlier rows of the same
 * version and settings.
 */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');

const rt = require('../scripts/n8n-runtime');
const { queueEnvironment, queueSettings, startQueueProcesses } = require('../scripts/n8n-runtime/queue');
const { startRedis, startPostgres } = require('../scripts/n8n-runtime/services');
const { sandboxProviders } = require('../sandbox/providers');
const { cpuSnapshot, cpuUsed } = require('./cpu');
const { load, loadCredentials, requestsFor } = require('../sandbox/callbackLoad');
const webhooks = require('./n8n-webhooks');

const RESULTS = path.join(__dirname, 'results.json');
const WORKERS = ['worker-1', 'worker-2'];

function parseOptions(args) {
	const { values } = parseArgs({
		args,
		options: {
			n8n: { type: 'string' },
			requests: { type: 'string' },
			concurrency: { type: 'string' },
			warmup: { type: 'string' },
			'worker-concurrency': { type: 'string' },
			env: { type: 'string', multiple: true },
			'webhook-env': { type: 'string', multiple: true },
			recommended: { type: 'boolean' },
			targets: { type: 'string' },
			'profile-webhook': { type: 'string' },
			'no-write': { type: 'boolean' },
		},
	});
	const pairs = (list) => Object.fromEntries((list || []).map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]));
	const env = pairs(values.env);
	return {
		n8nVersion: values.n8n,
		count: Number(values.requests ?? 300),
		concurrency: Number(values.concurrency ?? 10),
		warmup: Number(values.warmup ?? 50),
		workerConcurrency: Number(values['worker-concurrency'] ?? 10),
		env,
		webhookEnv: pairs(values['webhook-env']),
		recommended: Boolean(values.recommended),
		targets: values.targets ? values.targets.split(',') : undefined,
		profileDir: values['profile-webhook'] ? path.resolve(values['profile-webhook']) : undefined,
		write: !values['no-write'],
	};
}

const round = (value, digits = 1) => Number(value.toFixed(digits));
const loadAverage = () => os.loadavg().map((each) => round(each, 2));

/** Executions of a workflow in the shared database, through the main's REST API. */
async function executionCounts(main, workflowId) {
	const count = async (filter) => (await main.rest('GET', `/executions?limit=1&filter=${encodeURIComponent(JSON.stringify({ workflowId, ...filter }))}`)).count;
	const [total, success] = await Promise.all([count({}), count({ status: ['success'] })]);
	return { total, success };
}

async function waitForSuccess(main, workflowId, expected, timeoutMs) {
	const started = performance.now();
	for (;;) {
		const counts = await executionCounts(main, workflowId);
		if (counts.success >= expected || performance.now() - started > timeoutMs) return counts;
		await new Promise((resolve) => setTimeout(resolve, 200));
	}
}

/** PostgreSQL's row counters per table: rows read, inserted, updated. */
function tableCounters(postgres) {
	const rows = postgres.query('select relname, coalesce(seq_tup_read, 0) + coalesce(idx_tup_fetch, 0), n_tup_ins, n_tup_upd from pg_stat_user_tables');
	return Object.fromEntries(rows.map(([table, read, inserted, updated]) => [table, { read: Number(read), inserted: Number(inserted), updated: Number(updated) }]));
}

/**
 * The database work per callback between two counter snapshots, for the tables that moved (the
 * workflow's static data is in workflow_entity, the credentials in credentials_entity).
 * PostgreSQL publishes an idle connection's counters up to 10 s late: the caller waits first.
 */
function databasePerCallback(before, after, count) {
	const moved = {};
	for (const [table, now] of Object.entries(after)) {
		const was = before[table] || { read: 0, inserted: 0, updated: 0 };
		/** @type {[string, number][]} */
		const perCallback = ['read', 'inserted', 'updated'].map((key) => [key, round((now[key] - was[key]) / count, 2)]);
		const delta = Object.fromEntries(perCallback.filter(([, value]) => value > 0));
		if (Object.keys(delta).length) moved[table] = delta;
	}
	return moved;
}

const STATS_DELAY_MS = 11_000;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** One target: a warm-up, then the measured callbacks; answers, executions, CPU and database work. */
async function measureTarget(setup, target, opts) {
	const { main, leaders } = setup;
	const url = sandboxProviders()[target.provider].callbackUrl(`${setup.webhookBase}/webhook/${target.urlPath}`, target.credential.data);
	const warm = await load(url, requestsFor(target, url, opts.warmup), opts.concurrency);
	if (warm.statuses[200] !== opts.warmup) throw new Error(`${target.target}: warm-up answered ${JSON.stringify(warm.statuses)} at ${url}`);
	const before = (await waitForSuccess(main, target.workflow.id, opts.warmup, 120_000)).success;
	const requests = requestsFor(target, url, opts.count);
	await sleep(STATS_DELAY_MS);
	const tablesBefore = tableCounters(setup.postgres);
	const cpuBefore = cpuSnapshot(leaders);
	const loadAtStart = loadAverage();
	const result = await load(url, requests, opts.concurrency);
	const done = await waitForSuccess(main, target.workflow.id, before + opts.count, 300_000);
	const cpu = cpuUsed(cpuBefore, cpuSnapshot(leaders));
	await sleep(STATS_DELAY_MS);
	const database = databasePerCallback(tablesBefore, tableCounters(setup.postgres), opts.count);
	const executions = done.success - before;
	const perCallback = Object.fromEntries(Object.entries(cpu.groups).map(([name, ms]) => [name, round(ms / opts.count)]));
	const row = {
		target: target.target,
		callbacksPerSecond: round((opts.count / result.wallMs) * 1000),
		p50Ms: round(result.p50Ms),
		p95Ms: round(result.p95Ms),
		maxMs: round(result.maxMs),
		statuses: result.statuses,
		executions,
		executionsPerSecond: round((executions / cpu.wallMs) * 1000),
		cpuMsPerCallback: perCallback,
		machineBusyShare: cpu.machineBusyShare,
		loadAverageAtStart: loadAtStart,
		databasePerCallback: database,
	};
	const cpuText = Object.entries(perCallback)
		.map(([name, ms]) => `${name} ${ms}`)
		.join(', ');
	console.log(
		`  ${target.target.padEnd(18)} ${String(row.callbacksPerSecond).padStart(6)} callbacks/s  p50 ${row.p50Ms} ms  p95 ${row.p95Ms} ms  max ${row.maxMs} ms  ` +
			`${JSON.stringify(row.statuses)}  executions ${executions}/${opts.count} at ${row.executionsPerSecond}/s  ` +
			`CPU ms per callback: ${cpuText}; machine busy ${Math.round(cpu.machineBusyShare * 100)}% of ${cpu.cores} cores, load ${loadAtStart.join(' ')}`,
	);
	console.log(`  ${''.padEnd(18)} database rows per callback: ${JSON.stringify(database)}`);
	if (opts.webhookEnv.N8N_METRICS === 'true') {
		const metrics = await (await fetch(`${setup.webhookBase}/metrics`)).text();
		console.log(metrics.split('\n').filter((line) => /expression/.test(line) && !line.startsWith('#')).join('\n'));
	}
	return row;
}

/** Redis, PostgreSQL, the package in four folders, the targets imported, the processes started. */
async function setUp(tmp, opts, cleanups) {
	const redis = await startRedis({ dir: path.join(tmp, 'redis') });
	cleanups.push(() => redis.stop());
	const postgres = await startPostgres({});
	cleanups.push(() => postgres.stop());
	const webhookPort = await rt.findFreePort();
	const webhookBase = `http://127.0.0.1:${webhookPort}`;
	const settings = { ...(opts.recommended ? queueSettings() : {}), ...opts.env };
	const env = { ...queueEnvironment({ redis, postgres }, webhookBase), ...settings };
	const folders = Object.fromEntries(['main', 'webhook', ...WORKERS].map((name) => [name, path.join(tmp, name)]));
	for (const [name, folder] of Object.entries(folders)) rt.installPackage(folder, { quiet: true, build: name === 'main' });
	const credentials = loadCredentials().map((credential) => ({ ...credential, id: rt.newId() }));
	rt.importCredentials(folders.main, credentials, { quiet: true, env });
	const targets = webhooks.benchTargets(credentials).filter((target) => !opts.targets || opts.targets.includes(target.target));
	rt.importWorkflows(folders.main, targets.map((target) => target.workflow), { quiet: true, env, activate: true });
	const processes = await startQueueProcesses({
		folders,
		workers: WORKERS,
		env,
		// A V8 CPU profile of the webhook processor, written when it stops (open it in Chrome's DevTools).
		webhookEnv: { ...opts.webhookEnv, ...(opts.profileDir ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${opts.profileDir}` } : {}) },
		webhookPort,
		workerConcurrency: opts.workerConcurrency,
		expectActive: targets.map((target) => target.workflow.id),
	});
	cleanups.push(() => processes.stop());
	const leaders = {
		webhook: processes.webhook.pid,
		workers: processes.workers.map((worker) => worker.pid),
		main: processes.main.pid,
		postgres: postgres.pid,
		redis: redis.pid,
	};
	return { ...processes, postgres, targets, settings, webhookBase, leaders: flattenLeaders(leaders) };
}

/** { workers: [a, b] } as { 'worker-1': a, 'worker-2': b }: cpuSnapshot takes one pid per name. */
const flattenLeaders = ({ workers, ...rest }) => ({ ...rest, ...Object.fromEntries(workers.map((pid, index) => [`worker-${index + 1}`, pid])) });

function writeRows(rows) {
	const existing = fs.existsSync(RESULTS) ? JSON.parse(fs.readFileSync(RESULTS, 'utf8')) : [];
	const sameRun = (row) => row.scenario === 'n8n-queue' && row.n8nVersion === rows[0].n8nVersion && JSON.stringify(row.settings) === JSON.stringify(rows[0].settings);
	fs.writeFileSync(RESULTS, `${JSON.stringify([...existing.filter((row) => !sameRun(row)), ...rows], null, 2)}\n`);
}

async function main(args = process.argv.slice(2)) {
	const opts = parseOptions(args);
	if (opts.n8nVersion) rt.useN8n(opts.n8nVersion);
	if (!rt.isN8nInstalled()) throw new Error(`n8n ${rt.N8N_VERSION} is not installed in ${rt.TOOL_DIR} (npm run n8n:install -- ${rt.N8N_VERSION})`);
	const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-bench-queue-'));
	const cleanups = [];
	const startedAt = Date.now();
	try {
		const setup = await setUp(tmp, opts, cleanups);
		console.log(
			`n8n ${rt.N8N_VERSION} in queue mode (main, webhook processor, ${WORKERS.length} workers × ${opts.workerConcurrency}), settings ${JSON.stringify(setup.settings)}; ` +
				`${opts.count} callbacks per target from ${opts.concurrency} clients after ${opts.warmup} warm-up; ${os.cpus().length} cores, load ${loadAverage().join(' ')}`,
		);
		const rows = [];
		for (const target of setup.targets) rows.push(await measureTarget(setup, target, opts));
		const base = rows.find((row) => row.target === 'webhook-node');
		const result = rows.map((row) => ({
			scenario: 'n8n-queue',
			n8nVersion: rt.N8N_VERSION,
			settings: setup.settings,
			requests: opts.count,
			concurrency: opts.concurrency,
			...row,
			callbacksPerSecondVsWebhookNode: base ? round(row.callbacksPerSecond / base.callbacksPerSecond, 2) : undefined,
			cores: os.cpus().length,
			loadAverageAtEnd: loadAverage(),
		}));
		console.log(`n8n-queue: done in ${Math.round((Date.now() - startedAt) / 1000)} s, load ${loadAverage().join(' ')}`);
		if (opts.write) writeRows(result);
		return result;
	} finally {
		for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => console.error(`cleanup: ${error.message}`));
		fs.rmSync(tmp, { recursive: true, force: true });
	}
}

module.exports = { main };

if (require.main === module) {
	main().catch((error) => {
		console.error(error.stack || error.message);
		process.exit(1);
	});
}
