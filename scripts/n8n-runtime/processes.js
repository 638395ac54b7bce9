'use strict';

/**
 * n8n processes: started on 127.0.0.1 (main, webhook processor or worker), waited for until
 * ready, stopped with their task runner, and never left behind when this process exits.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');

const { current } = require('./profile');
const { OWNER, addRestCalls, setupOwner } = require('./rest');
const { isN8nInstalled, n8nBin, n8nEnv, nodeBin, sleep } = require('./toolchain');

const PACKAGE_NAME = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')).name;

const NODE_TYPES = {
	notify: `${PACKAGE_NAME}.whatsAppNotify`,
	statusTrigger: `${PACKAGE_NAME}.whatsAppStatusTrigger`,
};

/**
 * The processes of queue mode (`n8n <command>`) and the line each prints once it is ready: for
 * the main process, once the server is up AND the published workflows have been activated.
 * A worker serves no HTTP (no /healthz to poll); a webhook processor serves /healthz.
 */
const PROCESS_KINDS = {
	start: { readyLine: 'Editor is now accessible via', http: true },
	webhook: { readyLine: 'Webhook listener waiting for requests', http: true },
	worker: { readyLine: 'n8n worker is now ready', http: false },
};

/** A TCP port that was free on 127.0.0.1 a moment ago. */
function findFreePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {import('net').AddressInfo} */ (server.address());
			server.close(() => resolve(port));
		});
	});
}

/** Every n8n this process started and has not seen exit yet: child process -> its stop(). */
const running = new Map();
let exitHookInstalled = false;
function installExitHook() {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	// Last resort when the parent dies without calling stop(): no orphaned n8n.
	process.on('exit', () => {
		for (const child of running.keys()) {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				/* already gone */
			}
		}
	});
}

function tailOf(file, offset, lines = 40) {
	try {
		const text = fs.readFileSync(file, 'utf8').slice(offset);
		return text.split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

async function httpOk(url, timeoutMs = 2000) {
	try {
		const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
		return response.ok;
	} catch {
		return false;
	}
}

function staticTypesFile(userFolder) {
	return path.join(path.resolve(userFolder), '.cache', 'n8n', 'public', 'types', 'nodes.json');
}

function installedCommunityPackages(userFolder) {
	const dir = path.join(path.resolve(userFolder), '.n8n', 'nodes', 'node_modules');
	try {
		return fs.readdirSync(dir).filter((name) => name.startsWith('n8n-nodes-'));
	} catch {
		return [];
	}
}

/** What a start needs, from startN8n's options: ports, URLs, the process kind, the log file, the node types to wait for. */
async function startPlan(options) {
	if (!options.userFolder) throw new Error('startN8n needs a userFolder');
	if (!isN8nInstalled()) throw new Error(`n8n@${current().version} is not installed; call ensureN8n() first`);
	const userFolder = path.resolve(options.userFolder);
	fs.mkdirSync(userFolder, { recursive: true });
	const port = options.port || (await findFreePort());
	let brokerPort = options.brokerPort || (await findFreePort());
	while (brokerPort === port) brokerPort = await findFreePort();
	const host = options.host || '127.0.0.1';
	const command = options.command || 'start';
	const kind = PROCESS_KINDS[command];
	if (!kind) throw new Error(`Unknown n8n command "${command}": ${Object.keys(PROCESS_KINDS).join(', ')}`);
	const expectNodeTypes =
		command !== 'start'
			? []
			: options.expectNodeTypes || (installedCommunityPackages(userFolder).includes(PACKAGE_NAME) ? Object.values(NODE_TYPES) : []);
	return {
		...{ userFolder, port, brokerPort, host, command, kind, expectNodeTypes },
		url: `http://${host}:${port}`,
		localUrl: `http://127.0.0.1:${port}`,
		timeoutMs: options.timeoutMs || 120000,
		logFile: options.logFile || path.join(userFolder, 'n8n.log'),
	};
}

/** Spawns n8n in its own process group, its output appended to the log; returns { child, offset, exitPromise, exited() }. */
function spawnN8n(plan, options) {
	const { userFolder, port, host, url, localUrl, brokerPort, command, logFile } = plan;
	const env = n8nEnv(userFolder, {
		N8N_PORT: port,
		N8N_HOST: host,
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `${url}/`,
		N8N_EDITOR_BASE_URL: `${url}/`,
		N8N_RUNNERS_BROKER_PORT: brokerPort,
		...options.env,
	});
	// Written anew at every start; remove the old one so a stale copy cannot pass the check.
	if (command === 'start') fs.rmSync(staticTypesFile(userFolder), { force: true });
	fs.appendFileSync(logFile, `\n===== n8n ${current().version} ${command} ${new Date().toISOString()} on ${localUrl} =====\n`);
	const offset = fs.statSync(logFile).size;
	const fd = fs.openSync(logFile, 'a');
	const child = spawn(nodeBin(), [n8nBin(), command, ...(options.args || [])], {
		cwd: userFolder,
		env,
		detached: true, // own process group: stop() takes the task runner down with it
		stdio: ['ignore', fd, fd],
	});
	fs.closeSync(fd);
	/** @type {{ code: number | null, signal: string | null } | null} */
	let exited = null;
	const exitPromise = new Promise((resolve) => {
		child.on('exit', (code, signal) => {
			exited = { code, signal };
			running.delete(child);
			resolve(exited);
		});
	});
	return { child, offset, exitPromise, exited: () => exited };
}

/** stop(): SIGTERM to the group, then SIGKILL after the grace time (or at once after it exited); the task runner goes with it. */
function stopperFor({ child, exitPromise, exited }) {
	let stopping = null;
	return function stop({ timeoutMs: graceMs = 15000 } = {}) {
		stopping ??= (async () => {
			if (exited()) return exited();
			try {
				process.kill(-child.pid, 'SIGTERM');
			} catch {
				/* gone */
			}
			let timer;
			const result = await Promise.race([exitPromise, new Promise((resolve) => (timer = setTimeout(() => resolve(null), graceMs)))]);
			clearTimeout(timer);
			// Kill the whole group in any case: the task runner must not outlive n8n.
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				/* gone */
			}
			return result || (await exitPromise);
		})();
		return stopping;
	};
}

/**
 * Waits until 1. the HTTP server answers, 2. the ready line (workflows activated) is in the
 * log, 3. our node types are known (n8n writes the editor's type list at start). Returns the
 * reason it is not ready, or '' when it is.
 */
async function waitUntilReady(plan, spawned, started) {
	const { kind, localUrl, logFile, timeoutMs, expectNodeTypes, userFolder } = plan;
	let healthy = false;
	for (;;) {
		const exited = spawned.exited();
		if (exited) return `n8n exited during start (code ${exited.code}, signal ${exited.signal})`;
		if (Date.now() - started > timeoutMs) return `n8n did not get ready within ${timeoutMs} ms`;
		if (!healthy) healthy = !kind.http || (await httpOk(`${localUrl}/healthz`));
		if (healthy && tailOf(logFile, spawned.offset, 1e6).includes(kind.readyLine)) break;
		await sleep(250);
	}
	// Readiness is asked until the start's own deadline: on a busy machine one slow answer is no verdict.
	while (kind.http && !(await httpOk(`${localUrl}/healthz/readiness`))) {
		if (Date.now() - started > timeoutMs) return 'n8n is up but /healthz/readiness is not ok';
		await sleep(250);
	}
	let missing = expectNodeTypes;
	while (missing.length) {
		try {
			const known = new Set(JSON.parse(fs.readFileSync(staticTypesFile(userFolder), 'utf8')).map((type) => type.name));
			missing = expectNodeTypes.filter((name) => !known.has(name));
		} catch {
			/* not written yet */
		}
		if (missing.length && Date.now() - started > timeoutMs) return `n8n did not load the node types ${missing.join(', ')}`;
		if (missing.length) await sleep(250);
	}
	return '';
}

/** The workflows the start log says were activated, and those whose activation failed. */
function activationsIn(startLog) {
	return {
		activated: [...startLog.matchAll(/Activated workflow .*\(ID: ([^)]+)\)/g)].map((match) => match[1]),
		activationErrors: [...startLog.matchAll(/Issue on initial workflow activation try of .*\(ID: ([^)]+)\)/g)].map((match) => match[1]),
	};
}

/**
 * Starts n8n on 127.0.0.1 and resolves once /healthz answers, the published workflows have
 * been activated (n8n's "Editor is now accessible" line) and the expected node types are loaded.
 *
 * options:
 *   userFolder      required; N8N_USER_FOLDER (database, key, .n8n/nodes)
 *   port            default: a free port
 *   brokerPort      task-runner broker port; default: a free port (n8n's default 5679 collides
 *                   between two instances)
 *   host            host name used in the URLs n8n shows (WEBHOOK_URL, editor); default 127.0.0.1
 *   env             extra environment (wins over the defaults; null/undefined removes a variable)
 *   setupOwner      create (or log into) the owner dev@example.com / Sandbox-Pass1
 *   owner           another owner for setupOwner
 *   command         'start' (default: the main process), 'webhook' (a webhook processor) or 'worker'
 *                   (queue mode: pass EXECUTIONS_MODE=queue, Redis and Postgres settings in env)
 *   args            more CLI arguments, e.g. ['--concurrency=5'] for a worker
 *   expectNodeTypes node types that must be loaded; default: ours when the package is installed
 *                   (checked for the main process only: the others write no type list)
 *   expectActive    workflow ids that must have been activated at start
 *   timeoutMs       default 120000
 *   logFile         default <userFolder>/n8n.log (appended)
 *
 * Returns { url, localUrl, port, webhookUrl(path), process, pid, logFile, activated, activationErrors,
 * cookie, readLog(), rest(), login(), activateWorkflow(), deactivateWorkflow(), executions(), stop(), exited }.
 */
async function startN8n(options = {}) {
	const plan = await startPlan(options);
	const started = Date.now();
	const spawned = spawnN8n(plan, options);
	const stop = stopperFor(spawned);
	installExitHook();
	running.set(spawned.child, stop);
	const fail = async (message) => {
		await stop({ timeoutMs: 5000 });
		throw new Error(`${message}\n--- ${plan.logFile} ---\n${tailOf(plan.logFile, spawned.offset)}`);
	};
	const notReady = await waitUntilReady(plan, spawned, started);
	if (notReady) return fail(notReady);
	const readLog = () => tailOf(plan.logFile, spawned.offset, 1e6);
	const { activated, activationErrors } = activationsIn(readLog());
	const notActive = (options.expectActive || []).filter((id) => !activated.includes(id));
	if (notActive.length) return fail(`workflows not activated at start: ${notActive.join(', ')}`);

	const { url, localUrl, port, brokerPort, userFolder, logFile } = plan;
	const handle = addRestCalls({
		...{ url, localUrl, port, brokerPort, userFolder, logFile, activated, activationErrors, readLog, stop },
		process: spawned.child,
		pid: spawned.child.pid,
		bootMs: Date.now() - started,
		cookie: null,
		/** Production webhook URL for a path as printed by productionWebhookPath(). */
		webhookUrl: (webhookPath) => `${localUrl}/webhook/${String(webhookPath).replace(/^\/+/, '')}`,
		exited: spawned.exitPromise,
	});
	if (options.setupOwner) {
		try {
			handle.cookie = await setupOwner(localUrl, options.owner || OWNER);
		} catch (error) {
			await stop({ timeoutMs: 5000 });
			throw error;
		}
	}
	return handle;
}

/**
 * Stops every n8n this process started, including one whose startN8n() has not resolved yet
 * (a signal that arrives while n8n boots has no handle to call stop() on).
 */
async function stopAll(options) {
	await Promise.all([...running.values()].map((stop) => stop(options)));
}

module.exports = { NODE_TYPES, findFreePort, startN8n, stopAll };
