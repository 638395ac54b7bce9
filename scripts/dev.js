#!/usr/bin/env node
'use strict';

/**
 * npm run dev: this package in a real n8n, wired to the local provider sandbox, with demo
 * workflows to click through.
 *
 *   npm run dev                   reuse .dev/n8n (your edits and executions stay)
 *   npm run dev -- --fresh        start from an empty .dev/n8n
 *   npm run dev -- --reset-demo   re-import the demo credentials and workflows (overwrites edits to them)
 *   npm run dev -- --check        start, send once per provider, wait for delivered + seen, stop
 *   npm run dev -- --port 5678 --sandbox-port 5680
 *   npm run dev -- --stop         stop a run in the background (nohup, &, another terminal)
 *
 * What it does: builds the package, installs n8n 2.8.4 into .tools/n8n once (2.5 to 9 minutes on
 * 2 cores the first time, with its progress on screen), installs the packed package into .dev/n8n as a community package, imports
 * scripts/demo/credentials.json and scripts/demo/workflows/*.json when they are new or changed, starts the
 * sandbox on 127.0.0.1:5680, starts n8n on http://localhost:5678 (owner dev@example.com /
 * Sandbox-Pass1), publishes the demo workflows (their Status Triggers register their own URLs
 * with the sandbox; one set up by hand is given to the sandbox instead), and prints what to open. Ctrl-C stops n8n and the sandbox.
 *
 * Stopping. n8n runs in its own process group (so that stopping it takes its task runner along),
 * which means a signal to this script does not reach n8n by itself: this script stops n8n and
 * the sandbox on SIGINT and SIGTERM, whether they come directly or from npm (the npm script
 * `exec`s node, so npm's forwarded signal lands here and not on a shell), and on SIGHUP when it
 * runs in a terminal (the terminal closed). Started by npm in a terminal, it also stops when npm
 * goes away without passing a signal on (npm forwards only SIGINT and SIGTERM). Without a
 * terminal (nohup, a service manager, CI) a SIGHUP is no hang-up and is ignored: Node resets the
 * "ignore SIGHUP" that nohup sets, so the script decides it here. The pid is in <dir>/dev.pid
 * for `--stop`.
 */

const { spawn } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { parseArgs } = require('node:util');

const { describeProgress, stopInstalls } = require('./npm-install');
const rt = require('./n8n-runtime');
const { startSandbox, TEST_NUMBERS } = require('../sandbox/server');
const { sandboxProviders } = require('../sandbox/providers');

const DEFAULT_DEV_DIR = path.join(rt.ROOT, '.dev', 'n8n');
const DEMO_DIR = path.join(__dirname, 'demo');
/** Measured on this project's 2-core machine: 145 s (empty npm cache, quiet machine) to 518 s (load 3 to 13). */
const N8N_INSTALL_USUALLY = '2.5 to 9 minutes on 2 cores';
/** The URL the demo credentials carry; rewritten when --sandbox-port differs. */
const DEMO_SANDBOX_URL = 'http://127.0.0.1:5680';
const HOST = 'localhost';

const USAGE = `Usage: npm run dev [-- options]
  --fresh             delete .dev/n8n first (a new database, owner and demo)
  --reset-demo        re-import the demo credentials and workflows into the existing .dev/n8n
  --check             send once per provider, check delivered + seen reached n8n, then stop
  --port N            n8n's port (default 5678)
  --sandbox-port N    the provider sandbox's port (default 5680)
  --stop              stop a run in the background (its pid is in <dir>/dev.pid), wait until it is gone
  --dir PATH          n8n's user folder (default .dev/n8n)
  --skip-build        use dist/ as it is (right after npm run build)
  -h, --help          this text

Ctrl-C or SIGTERM (kill <pid of npm or of scripts/dev.js>) stops n8n and the sandbox; so does
SIGHUP when it runs in a terminal. Under nohup (no terminal) SIGHUP is ignored.`;

const say = (text = '') => console.log(text);
/** A folder as the user reads it: relative inside the project, absolute outside. */
const shown = (dir) => (dir.startsWith(`${rt.ROOT}${path.sep}`) ? path.relative(rt.ROOT, dir) : dir);
const step = (text) => console.log(`\n> ${text}`);

function options() {
	const { values } = parseArgs({
		args: process.argv.slice(2),
		options: {
			fresh: { type: 'boolean' },
			'reset-demo': { type: 'boolean' },
			check: { type: 'boolean' },
			port: { type: 'string' },
			'sandbox-port': { type: 'string' },
			stop: { type: 'boolean' },
			dir: { type: 'string' },
			'skip-build': { type: 'boolean' },
			help: { type: 'boolean', short: 'h' },
		},
	});
	const port = (name, fallback) => {
		if (values[name] === undefined) return fallback;
		const value = Number(values[name]);
		if (!Number.isInteger(value) || value < 1 || value > 65535) throw new Error(`--${name} needs a port number`);
		return value;
	};
	return {
		help: Boolean(values.help),
		fresh: Boolean(values.fresh),
		resetDemo: Boolean(values['reset-demo']),
		check: Boolean(values.check),
		port: port('port', 5678),
		sandboxPort: port('sandbox-port', 5680),
		stop: Boolean(values.stop),
		skipBuild: Boolean(values['skip-build']),
		dir: values.dir ? path.resolve(values.dir) : DEFAULT_DEV_DIR,
	};
}

/** Resolves when nothing listens on 127.0.0.1:port; rejects with a helpful message otherwise. */
function assertPortFree(port, what) {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', (/** @type {NodeJS.ErrnoException} */ error) => {
			reject(
				new Error(
					error.code === 'EADDRINUSE'
						? `Port ${port} (${what}) is already in use. Is another "npm run dev" still running? "npm run dev -- --stop" stops one in the background; see also: ss -ltnp 'sport = :${port}'`
						: `Cannot use port ${port} (${what}): ${error.message}`,
				),
			);
		});
		server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
	});
}

// ---------------------------------------------------------------------------------------------
// Progress: every step says what it does at once, and long ones how long they have taken

const onTerminal = Boolean(process.stdout.isTTY);
const clock = (ms) => `${Math.floor(ms / 60000)}:${String(Math.floor(ms / 1000) % 60).padStart(2, '0')}`;
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/**
 * A step: its line now, then (while it runs) the elapsed time and what it is doing, redrawn in
 * place on a terminal, a line every 15 s in a log. Synchronous steps just get their duration.
 */
function activity(label, { usually = undefined } = {}) {
	const started = Date.now();
	let detail = '';
	let logged = started;
	step(`${label}${usually ? ` (usually ${usually})` : ''}`);
	const draw = () => {
		const line = `  ${clock(Date.now() - started)}  ${detail}`;
		if (onTerminal) process.stdout.write(`\r\x1b[K${line}`);
		else if (Date.now() - logged >= 15000) {
			logged = Date.now();
			say(line);
		}
	};
	const timer = setInterval(draw, 1000);
	const end = (text) => {
		clearInterval(timer);
		if (onTerminal) process.stdout.write('\r\x1b[K');
		if (text) say(`  ${text} (${seconds(Date.now() - started)})`);
	};
	return {
		update(text) {
			detail = text;
			if (onTerminal) draw();
		},
		done: (text = 'done') => end(text),
		fail: () => end(null),
	};
}

// ---------------------------------------------------------------------------------------------
// Stopping: what is running, and one way to stop all of it

const running = { sandbox: null, build: null, pidFile: null, stopping: null };

/** Stops n8n (also one still starting), the sandbox, a build or an n8n install, then exits. */
function stopEverything(reason, exitCode = 0) {
	if (running.stopping) return running.stopping;
	running.stopping = (async () => {
		say(`\n${reason}: stopping n8n and the sandbox...`);
		stopInstalls();
		if (running.build) running.build.kill('SIGTERM');
		await Promise.allSettled([rt.stopAll({ timeoutMs: 10000 }), running.sandbox && running.sandbox.close()]);
		if (running.pidFile) fs.rmSync(running.pidFile, { force: true });
		say('Stopped.');
		process.exit(exitCode);
	})();
	return running.stopping;
}

function handleSignals() {
	const inTerminal = [process.stdin, process.stdout, process.stderr].some((stream) => stream.isTTY);
	// After a hang-up the terminal is gone and writes fail (EIO): stopping must go on regardless.
	for (const stream of [process.stdout, process.stderr]) stream.on('error', () => {});
	process.on('SIGINT', () => stopEverything('SIGINT'));
	process.on('SIGTERM', () => stopEverything('SIGTERM'));
	process.on('SIGHUP', () => {
		if (inTerminal) stopEverything('SIGHUP (the terminal closed)');
		else say('SIGHUP ignored: no terminal here (nohup?). Stop with Ctrl-C, kill <pid> or npm run dev -- --stop.');
	});
	// npm forwards SIGINT and SIGTERM only; when it dies of anything else, we are orphaned.
	if (inTerminal && process.env.npm_lifecycle_event === 'dev') {
		const npmPid = process.ppid;
		setInterval(() => {
			if (process.ppid !== npmPid) stopEverything(`npm (pid ${npmPid}) exited`);
		}, 500).unref();
	}
}

/** Is `pid` a running scripts/dev.js? (Linux: its command line; elsewhere: it is alive.) */
function isDevProcess(pid) {
	try {
		process.kill(pid, 0);
	} catch {
		return false;
	}
	try {
		return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('dev.js');
	} catch {
		return true;
	}
}

/** --stop: SIGTERM to the run recorded in <dir>/dev.pid, then wait until it has stopped everything. */
async function stopBackgroundRun(dir) {
	const pidFile = path.join(dir, 'dev.pid');
	let record;
	try {
		record = JSON.parse(fs.readFileSync(pidFile, 'utf8'));
	} catch {
		say(`Nothing to stop: no ${shown(pidFile)}.`);
		return 0;
	}
	if (!isDevProcess(record.pid)) {
		say(`Nothing to stop: pid ${record.pid} (from ${shown(pidFile)}) is not running.`);
		fs.rmSync(pidFile, { force: true });
		return 0;
	}
	say(`Stopping npm run dev (pid ${record.pid}; n8n on port ${record.port}, the sandbox on ${record.sandboxPort})...`);
	process.kill(record.pid, 'SIGTERM');
	const deadline = Date.now() + 30000;
	while (isDevProcess(record.pid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
	if (isDevProcess(record.pid)) {
		say(`pid ${record.pid} is still running after 30 s.`);
		return 1;
	}
	say('Stopped.');
	return 0;
}

/** npm run build, its output kept unless it fails. */
function build() {
	return new Promise((resolve, reject) => {
		const child = spawn('npm', ['run', 'build'], { cwd: rt.ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
		running.build = child;
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		child.stderr.on('data', (chunk) => (output += chunk));
		child.on('error', reject);
		child.on('close', (code) => {
			running.build = null;
			if (code === 0) resolve();
			else reject(new Error(`npm run build failed (exit ${code}):\n${output.trim()}`));
		});
	});
}

// ---------------------------------------------------------------------------------------------
// The demo: scripts/demo/credentials.json and scripts/demo/workflows/*.json

function loadDemo(sandboxUrl) {
	const credentialsText = fs.readFileSync(path.join(DEMO_DIR, 'credentials.json'), 'utf8');
	const credentials = JSON.parse(credentialsText).map((credential) => ({
		...credential,
		data: { ...credential.data, baseUrl: credential.data.baseUrl === DEMO_SANDBOX_URL ? sandboxUrl : credential.data.baseUrl },
	}));
	const workflowDir = path.join(DEMO_DIR, 'workflows');
	const files = fs
		.readdirSync(workflowDir)
		.filter((name) => name.endsWith('.json'))
		.sort();
	const texts = files.map((name) => fs.readFileSync(path.join(workflowDir, name), 'utf8'));
	const workflows = texts.map((text) => JSON.parse(text));
	const hash = crypto
		.createHash('sha256')
		.update([sandboxUrl, credentialsText, ...texts].join('\0'))
		.digest('hex');
	return { credentials, workflows, hash };
}

/** Where each provider's callbacks go: the URLs the triggers registered, and those given to the sandbox by hand. */
function registeredTriggerUrls(sandbox, manualTriggers) {
	const registered = Object.entries(sandboxProviders()).flatMap(([provider, kit]) =>
		(kit.registeredUrls ? kit.registeredUrls(sandbox.registrations[provider] ?? []) : []).map((url) => [provider, url]),
	);
	return [...registered, ...manualTriggers.map((trigger) => [trigger.provider, `${trigger.url} (set up by hand)`])];
}

/**
 * The demo Status Triggers set up by hand (Register Callback Automatically off): their workflow,
 * provider and production URL, which the sandbox is given. The others register themselves with
 * the sandbox when n8n activates them.
 */
function manualDemoTriggers(demo, n8nUrl) {
	const triggers = [];
	for (const workflow of demo.workflows) {
		for (const node of workflow.nodes) {
			if (node.type !== rt.NODE_TYPES.statusTrigger || node.parameters.registerCallback !== false) continue;
			const provider = node.parameters.provider;
			const credentialId = Object.values(node.credentials || {})[0].id;
			const credential = demo.credentials.find((each) => each.id === credentialId);
			// The URL with the credential's token for a provider that takes one in it (its kit says).
			const url = sandboxProviders()[provider].callbackUrl(`${n8nUrl}/webhook/${rt.productionWebhookPath({ node, path: 'status' })}`, credential.data);
			triggers.push({ workflow, provider, url });
		}
	}
	return triggers;
}

function findNode(workflow, type) {
	return workflow.nodes.find((node) => node.type === type);
}

// ---------------------------------------------------------------------------------------------

/** The run's pid file, once both ports are known to be free. */
async function claimPorts(opts) {
	await assertPortFree(opts.port, 'n8n');
	await assertPortFree(opts.sandboxPort, 'provider sandbox');
	fs.mkdirSync(opts.dir, { recursive: true });
	running.pidFile = path.join(opts.dir, 'dev.pid');
	const pid = { pid: process.pid, port: opts.port, sandboxPort: opts.sandboxPort, started: new Date().toISOString() };
	fs.writeFileSync(running.pidFile, `${JSON.stringify(pid)}\n`);
}

/** `work` shown as an activity that fails visibly. */
async function asActivity(activityShown, work) {
	try {
		return await work();
	} catch (error) {
		activityShown.fail();
		throw error;
	}
}

async function buildAndInstallN8n(opts) {
	if (opts.skipBuild) step('Using dist/ as it is (--skip-build)');
	else {
		const building = activity('Building the package (npm run build: TypeScript, icons)', { usually: 'a few seconds' });
		building.update('tsc');
		await asActivity(building, build);
		building.done();
	}
	if (rt.isN8nInstalled()) {
		step(`n8n ${rt.N8N_VERSION} is installed in .tools/n8n`);
		return;
	}
	const installing = activity(`Installing n8n ${rt.N8N_VERSION} into .tools/n8n, once (~2.3 GB; later runs reuse it)`, { usually: N8N_INSTALL_USUALLY });
	installing.update('starting npm (or waiting for another install of it to finish)');
	await asActivity(installing, () => rt.ensureN8n({ quiet: true, onProgress: (progress) => installing.update(describeProgress(progress)) }));
	installing.done(`n8n ${rt.N8N_VERSION} installed`);
}

/** The dev folder (kept, or emptied with --fresh) with the package installed and the demo imported when it changed. */
function prepareFolder(opts, sandboxUrl) {
	const devDir = opts.dir;
	const where = shown(devDir);
	if (opts.fresh && fs.existsSync(path.join(devDir, '.n8n'))) {
		step(`--fresh: deleting ${where}`);
		for (const entry of fs.readdirSync(devDir)) {
			if (entry !== 'dev.pid') fs.rmSync(path.join(devDir, entry), { recursive: true, force: true });
		}
	}
	const reused = fs.existsSync(path.join(devDir, '.n8n', 'database.sqlite'));
	step(reused ? `Reusing ${where} (your workflows and executions stay; "npm run dev -- --fresh" starts over)` : `Creating ${where}`);

	const packing = activity('Installing the packed package into n8n as a community package', { usually: 'about a second' });
	rt.installPackage(devDir, { build: false, quiet: true });
	packing.done();

	const demo = loadDemo(sandboxUrl);
	const demoMarker = path.join(devDir, '.demo-imported');
	const previous = fs.existsSync(demoMarker) ? fs.readFileSync(demoMarker, 'utf8').trim() : null;
	if (!opts.resetDemo && previous === demo.hash) {
		step('The demo credentials and workflows are already imported (unchanged since; --reset-demo re-imports them)');
		return demo;
	}
	const importing = activity(`Importing the demo: ${demo.credentials.length} credentials and ${demo.workflows.length} workflows from scripts/demo/ (n8n's CLI)`, { usually: 'about 5 s' });
	rt.importCredentials(devDir, demo.credentials, { quiet: true });
	rt.importWorkflows(devDir, demo.workflows, { activate: false, quiet: true });
	fs.writeFileSync(demoMarker, `${demo.hash}\n`);
	importing.done();
	return demo;
}

/** The sandbox (its callbacks to the demo's triggers), then n8n; n8n exiting on its own stops everything. */
async function startSandboxAndN8n(opts, { sandboxUrl, n8nUrl, triggers }) {
	step(`Starting the provider sandbox on ${sandboxUrl}`);
	const webhooks = Object.fromEntries(triggers.map((trigger) => [trigger.provider, trigger.url]));
	const sandbox = await startSandbox({ port: opts.sandboxPort, webhooks, log: true });
	running.sandbox = sandbox;

	let brokerPort;
	do brokerPort = await rt.findFreePort();
	while ([5679, opts.port, opts.sandboxPort].includes(brokerPort));

	const starting = activity(`Starting n8n on ${n8nUrl} (its log: ${path.join(shown(opts.dir), 'n8n.log')})`, { usually: '5 to 15 s' });
	starting.update('loading nodes, migrating the database, activating the published workflows');
	const n8n = await asActivity(starting, () => rt.startN8n({ userFolder: opts.dir, port: opts.port, brokerPort, host: HOST, setupOwner: true }));
	starting.done(`n8n is up (pid ${n8n.pid})`);
	n8n.exited.then((exit) => {
		if (running.stopping) return;
		console.error(`\nn8n exited on its own (${JSON.stringify(exit)}). The end of its log:\n${n8n.readLog().split('\n').slice(-30).join('\n')}`);
		stopEverything('n8n exited', 1);
	});
	return { sandbox, n8n };
}

/** Every demo workflow published; the URLs of providers that verify them with a GET (Meta) verified by the sandbox. */
async function publishDemo({ n8n, sandbox }, demo, triggers) {
	for (const workflow of demo.workflows) {
		const current = await n8n.rest('GET', `/workflows/${workflow.id}`).catch(() => null);
		if (!current) {
			say(`  ! the demo workflow "${workflow.name}" is missing (deleted in the editor?): npm run dev -- --reset-demo`);
			continue;
		}
		if (!current.active) await n8n.activateWorkflow(workflow.id);
	}
	// Meta verifies a Callback URL with a GET before it sends anything there; the sandbox does the same.
	for (const trigger of triggers.filter((each) => sandboxProviders()[each.provider].handshakeRequest)) {
		const result = await sandbox.handshake(trigger.provider);
		say(`  ${trigger.provider} callback URL ${result.ok ? 'verified (GET with hub.challenge echoed)' : `NOT verified: HTTP ${result.httpStatus ?? result.error}`}`);
	}
}

/** What to do next, with the demo's form and webhook URLs. */
function welcome({ demo, n8nUrl, sandboxUrl, sandbox, triggers, started }) {
	const sendWorkflow = demo.workflows.find((workflow) => findNode(workflow, rt.NODE_TYPES.notify)?.parameters.operation === undefined);
	const appointment = demo.workflows.find((workflow) => findNode(workflow, rt.NODE_TYPES.notify)?.parameters.operation === 'sendAndWait');
	const appointmentForm = appointment && findNode(appointment, 'n8n-nodes-base.formTrigger');
	const form = sendWorkflow && findNode(sendWorkflow, 'n8n-nodes-base.formTrigger');
	const hook = sendWorkflow && findNode(sendWorkflow, 'n8n-nodes-base.webhook');
	const formUrl = form ? `${n8nUrl}/form/${form.parameters.options.path || form.webhookId}` : null;
	const hookUrl = hook ? `${n8nUrl}/webhook/${hook.parameters.path}` : null;
	say(`
============================================================================================
 n8n ${rt.N8N_VERSION} with n8n-nodes-whatsapp-notify is ready (${Math.round((Date.now() - started) / 1000)} s)

 1. Open ${n8nUrl} and sign in:  ${rt.OWNER.email}  /  ${rt.OWNER.password}
 2. Open the workflow "${sendWorkflow ? sendWorkflow.name : 'WhatsApp demo: send'}" and click "Execute workflow":
    a test form opens in a new tab; pick a provider, keep ${TEST_NUMBERS.delivered} and click Send.
    Or use the published form:  ${formUrl}
    Or from a terminal:
      curl -X POST ${hookUrl} \\
        -H 'content-type: application/json' \\
        -d '{"provider":"smooch","to":"${TEST_NUMBERS.delivered}","text":"Hi from curl"}'
 3. Open "WhatsApp demo: status (Twilio)" (or Smooch, Gupshup, Meta), tab "Executions": a moment after
    the send, one execution goes out of "Delivered: mark CRM" and one out of "Seen: ...".
    Send to ${TEST_NUMBERS.undeliverable} to see "Discarded: retry by SMS";
    ${TEST_NUMBERS.invalid} is refused by the provider: the form and the webhook answer with its error.
 4. See what the providers got: ${sandbox.pageUrl}
    registrations, each message with its template values and buttons, the callbacks sent back
    and what n8n answered; "Reply as the customer" or a tap on a button plays the customer's answer.${
		appointmentForm
			? `
 5. "${appointment.name}": ${n8nUrl}/form/${appointmentForm.parameters.options.path} asks
    ${TEST_NUMBERS.delivered} over Twilio, with three reply buttons, and the execution waits. Tap one on the sandbox page, or:
      curl -X POST ${sandboxUrl}/_sandbox/inbound -H 'content-type: application/json' \\
        -d '{"provider":"twilio","from":"${TEST_NUMBERS.delivered}","button":{"title":"Confirm"}}'
    and the execution goes on out of "Confirmed: mark in calendar".`
			: ''
	}

 The sandbox (${sandboxUrl}) prints each send and callback below.
 Status callbacks go to what each status trigger registered with the sandbox when it was published:
${registeredTriggerUrls(sandbox, triggers).map(([provider, url]) => `   ${provider.padEnd(8)} ${url}`).join('\n')}
 Ctrl-C stops n8n and the sandbox (in the background: npm run dev -- --stop, or kill ${process.pid}).
============================================================================================
`);

	return { hookUrl, formUrl };
}

async function main() {
	let opts;
	try {
		opts = options();
	} catch (error) {
		console.error(`${error.message}\n\n${USAGE}`);
		process.exit(2);
	}
	if (opts.help) {
		say(USAGE);
		return;
	}
	if (opts.stop) process.exit(await stopBackgroundRun(opts.dir));
	handleSignals();
	const started = Date.now();
	const n8nUrl = `http://${HOST}:${opts.port}`;
	const sandboxUrl = `http://127.0.0.1:${opts.sandboxPort}`;
	await claimPorts(opts);
	await buildAndInstallN8n(opts);
	const demo = prepareFolder(opts, sandboxUrl);
	const triggers = manualDemoTriggers(demo, n8nUrl);
	const { sandbox, n8n } = await startSandboxAndN8n(opts, { sandboxUrl, n8nUrl, triggers });
	await publishDemo({ n8n, sandbox }, demo, triggers);
	const { hookUrl, formUrl } = welcome({ demo, n8nUrl, sandboxUrl, sandbox, triggers, started });
	if (opts.check) {
		const ok = await selfCheck({ n8n, hookUrl, formUrl, triggers });
		await stopEverything('--check done', ok ? 0 : 1);
	}
}

/** --check: one send per provider through the demo webhook; delivered and seen must reach each status workflow. */
async function selfCheck({ n8n, hookUrl, formUrl, triggers }) {
	let ok = true;
	const report = (passed, text) => {
		ok = ok && passed;
		say(`  ${passed ? 'ok  ' : 'FAIL'}  ${text}`);
	};
	const countOf = async (workflowId, status) => {
		const filter = encodeURIComponent(JSON.stringify({ workflowId, ...(status ? { status: [status] } : {}) }));
		return (await n8n.rest('GET', `/executions?limit=1&filter=${filter}`)).count;
	};
	say('--check:');
	const formPage = await fetch(formUrl);
	report(formPage.status === 200, `GET ${formUrl} -> ${formPage.status}`);
	const before = {};
	for (const trigger of triggers) before[trigger.provider] = await countOf(trigger.workflow.id, 'success');
	for (const trigger of triggers) {
		const response = await fetch(hookUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ provider: trigger.provider, to: TEST_NUMBERS.delivered, text: `dev --check via ${trigger.provider}` }),
		});
		const body = /** @type {any} */ (await response.json().catch(() => ({})));
		report(response.status === 200 && body.status === 'sent' && Boolean(body.messageId), `send via ${trigger.provider}: ${response.status} ${JSON.stringify(body).slice(0, 120)}`);
	}
	for (const trigger of triggers) {
		const deadline = Date.now() + 20000;
		let now = before[trigger.provider];
		while (Date.now() < deadline) {
			now = await countOf(trigger.workflow.id, 'success');
			if (now >= before[trigger.provider] + 2) break;
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
		report(now >= before[trigger.provider] + 2, `"${trigger.workflow.name}": ${now - before[trigger.provider]} new successful executions (delivered + seen)`);
	}
	return ok;
}

main().catch(async (error) => {
	if (running.stopping) return; // a signal came first: the failure is its doing
	console.error(`\nnpm run dev failed: ${error.message}`);
	await stopEverything('npm run dev failed', 1);
});
