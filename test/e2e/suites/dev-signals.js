'use strict';

/**
 * `npm run dev` stops everything it started, however it is told to stop. n8n runs in its own
 * process group, so nothing but scripts/dev.js can stop it: a signal that kills only npm, or
 * only dev.js, leaves n8n holding its port. Each case starts the real thing (npm run dev, or
 * node scripts/dev.js, with the real n8n and sandbox, in a temp user folder on free ports),
 * sends one signal, and checks that every process is gone and both ports are free.
 *
 *   in a terminal (a pty from `script`, as a user has): SIGINT, SIGTERM, SIGHUP, each sent to
 *   dev.js and to npm (npm passes SIGINT and SIGTERM on and dies of SIGHUP: dev.js sees it go)
 *   under nohup (no terminal): SIGHUP to npm and to dev.js changes nothing, n8n keeps serving;
 *   then `npm run dev -- --stop` stops it
 * The first start also checks that the demo answers with the truth: the message id when the send
 * worked, the node's error when it did not (form and webhook).
 *
 * Runs in the e2e suite (n8n is installed, dist/ is built); alone: node test/e2e/suites/dev-signals.js
 */

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const rt = require('../../../scripts/n8n-runtime');
const { sandboxProviders } = require('../../../sandbox/providers');
const { TEST_NUMBERS } = require('../../../sandbox/server');
const { outputItems, savedRunData } = require('../lib/executions');
const { waitFor } = require('../lib/wait');

const READY = /is ready \(\d+ s\)/;

function portIsFree(port) {
	return new Promise((resolve) => {
		const server = net.createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** /proc/<pid>/stat after the command name: [state, ppid, pgrp, …]; null when there is no such process. */
function statOf(pid) {
	try {
		return fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
	} catch {
		return null;
	}
}

/** Running, not a zombie: an orphan's zombie waits for a pid 1 that may reap late. */
function alive(pid) {
	const stat = statOf(pid);
	return Boolean(stat) && stat[0] !== 'Z';
}

/** Whether any live process is left in the process group (n8n and its task runner). */
function groupAlive(pgid) {
	return fs
		.readdirSync('/proc')
		.filter((entry) => /^\d+$/.test(entry))
		.some((pid) => {
			const stat = statOf(pid);
			return stat && stat[0] !== 'Z' && Number(stat[2]) === pgid;
		});
}

const parentOf = (pid) => Number(statOf(pid)[1]);

const shellQuote = (word) => `'${String(word).replace(/'/g, `'\\''`)}'`;

/**
 * Starts `npm run dev` (or `node scripts/dev.js`) and resolves once it printed its ready banner:
 * { output(), exited, devPid, npmPid, n8nPid, ports }.
 */
async function startDev({ viaNpm, terminal, dir, ports }) {
	const options = ['--dir', dir, '--port', ports.n8n, '--sandbox-port', ports.sandbox, '--skip-build'];
	const command = viaNpm ? ['npm', 'run', 'dev', '--', ...options] : [process.execPath, 'scripts/dev.js', ...options];
	const env = { ...process.env };
	delete env.npm_lifecycle_event; // npm sets it again for its own child
	// A terminal: `script` gives the command a pty of its own, as a user's shell would.
	const [file, args] = terminal
		? ['script', ['-qefc', `exec ${command.map(shellQuote).join(' ')}`, '/dev/null']]
		: ['nohup', command];
	const child = spawn(file, args, { cwd: rt.ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
	let text = '';
	child.stdout.on('data', (chunk) => (text += chunk));
	child.stderr.on('data', (chunk) => (text += chunk));
	/** @type {false | { code: number, signal: string }} */
	let gone = false;
	const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve((gone = { code, signal }))));
	const output = () => text.replace(/\r/g, '');
	try {
		await waitFor(() => READY.test(text) || gone, { timeoutMs: 120000, intervalMs: 200, what: 'the ready banner of npm run dev' });
		if (!READY.test(text)) throw new Error(`npm run dev exited before it was ready (${JSON.stringify(gone)})`);
	} catch (error) {
		// What started must not outlive the case: SIGTERM lets dev.js stop its n8n.
		if (!gone) child.kill('SIGTERM');
		error.message += `\n${output().slice(-2000)}`;
		throw error;
	}
	const devPid = JSON.parse(fs.readFileSync(path.join(dir, 'dev.pid'), 'utf8')).pid;
	const n8nPid = Number(/n8n is up \(pid (\d+)\)/.exec(text)[1]);
	return { child, output, exited, devPid, npmPid: viaNpm ? parentOf(devPid) : null, n8nPid };
}

/** The demo's text page after a form submission: POST, then the Form Ending the page's script would open. */
async function submitDemoForm(base, { provider, recipient, message }) {
	const form = new FormData();
	[provider, recipient, message].forEach((value, index) => form.append(`field-${index}`, value));
	const posted = /** @type {any} */ (await (await fetch(`${base}/form/whatsapp-demo`, { method: 'POST', body: form })).json());
	await waitFor(
		async () => (await (await fetch(`${posted.formWaitingUrl}/n8n-execution-status`)).text()).trim() === 'form-waiting',
		{ timeoutMs: 30000, intervalMs: 200, what: 'the send workflow to reach its Form Ending' },
	);
	const page = await (await fetch(posted.formWaitingUrl)).text();
	return page
		.replace(/<(style|script)[\s\S]*?<\/\1>/g, '')
		.replace(/<[^>]+>/g, ' ')
		.replace(/&quot;/g, '"')
		.replace(/&#x27;|&#39;/g, "'")
		.replace(/\s+/g, ' ')
		.trim();
}

/** The demo tells the truth: the form and the webhook answer with the message id, or with the node's error. */
async function demoAnswers(report, ports) {
	const base = `http://127.0.0.1:${ports.n8n}`;
	const sent = await submitDemoForm(base, { provider: 'Twilio', recipient: TEST_NUMBERS.delivered, message: 'dev-signals' });
	report.check(
		/Sent through twilio: message id SM[0-9a-f]{32}, status sent/.test(sent),
		`demo form, ${TEST_NUMBERS.delivered}: the answer names the message id: "${(sent.match(/Sent through.*/) || [sent.slice(-200)])[0]}"`,
	);
	const invalid = await submitDemoForm(base, { provider: 'Twilio', recipient: '(457)-746-846', message: 'dev-signals' });
	report.check(
		/Not sent: Invalid recipient "\(457\)-746-846"/.test(invalid),
		`demo form, (457)-746-846: the answer is the node's error: "${(invalid.match(/Not sent.*/) || [invalid.slice(-200)])[0]}"`,
	);
	const refused = await fetch(`${base}/webhook/whatsapp-send`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ provider: 'gupshup', to: TEST_NUMBERS.invalid, text: 'dev-signals' }),
	}).then((response) => /** @type {any} */ (response.json()));
	report.check(
		refused.status === 'failed' && /^Not sent: Gupshup refused item 0 \(\+15550000400\)/.test(refused.result),
		`demo webhook, ${TEST_NUMBERS.invalid} via Gupshup: status failed, "${refused.result}"`,
	);
}

/**
 * Nothing pasted anywhere: publishing the demo's status workflows registered each trigger's URL
 * with the sandbox (Register Callback Automatically), and the Twilio send of demoAnswers had its
 * delivered event sent there and accepted.
 */
async function demoRegistersItself(report, ports) {
	const sandboxBase = `http://127.0.0.1:${ports.sandbox}`;
	const registrations = await (await fetch(`${sandboxBase}/_sandbox/registrations`)).json();
	for (const [provider, kit] of Object.entries(sandboxProviders())) {
		const urls = kit.registeredUrls(registrations[provider] ?? []);
		report.check(
			urls.length === 1 && urls[0].includes(`:${ports.n8n}/webhook/`),
			`demo: publishing registered the ${provider} status trigger's URL with the sandbox (${urls.join(', ') || 'none'})`,
		);
	}
	const delivered = await waitFor(
		async () => {
			const callbacks = /** @type {Array<{ provider: string, status: string, registered: boolean, httpStatus: number | null }>} */ (
				await (await fetch(`${sandboxBase}/_sandbox/callbacks`)).json()
			);
			return callbacks.find((callback) => callback.provider === 'twilio' && callback.status === 'delivered' && callback.registered);
		},
		{ timeoutMs: 30000, intervalMs: 200, what: "the demo send's delivered callback" },
	).catch(() => undefined);
	report.check(
		delivered && delivered.httpStatus === 200,
		`demo: the Twilio send's delivered event went to the registered URL -> ${delivered ? delivered.httpStatus : 'none sent'}`,
	);
}

/**
 * The demo's status workflows take customers' messages: a text played from the sandbox as each
 * provider's customer (POST /_sandbox/inbound) runs that provider's demo status workflow out of
 * its trigger's Received output into "Received: answer the customer".
 */
/** The trigger's outputs in the demo: Delivered, Seen, Discarded, then Received (Include Other Events is off). */
const RECEIVED_OUTPUT = 3;

async function demoReceives(report, ports) {
	const base = `http://127.0.0.1:${ports.n8n}`;
	const cookie = await rt.login(base, rt.OWNER);
	const n8n = {
		rest: async (method, route) => /** @type {any} */ (await (await fetch(`${base}/rest${route}`, { method, headers: { cookie } })).json()).data,
	};
	for (const provider of Object.keys(sandboxProviders())) {
		const workflow = JSON.parse(fs.readFileSync(path.join(rt.ROOT, 'scripts', 'demo', 'workflows', `status-${provider}.json`), 'utf8'));
		const trigger = workflow.nodes.find((node) => node.type === rt.NODE_TYPES.statusTrigger);
		const text = `Is my ${provider} order on its way?`;
		const played = await fetch(`http://127.0.0.1:${ports.sandbox}/_sandbox/inbound`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ provider, from: TEST_NUMBERS.delivered, text }),
		});
		const filter = encodeURIComponent(JSON.stringify({ workflowId: workflow.id }));
		const item = await waitFor(
			async () => {
				for (const { id } of (await n8n.rest('GET', `/executions?limit=5&filter=${filter}`)).results) {
					const { runData } = await savedRunData(n8n, id);
					const received = outputItems(runData, trigger.name, RECEIVED_OUTPUT).find((message) => message.text === text);
					if (received && runData['Received: answer the customer']) return received;
				}
				return null;
			},
			{ timeoutMs: 30000, intervalMs: 250, what: `the ${provider} demo's Received execution` },
		).catch(() => null);
		report.check(
			played.ok && item && item.kind === 'received' && item.from === TEST_NUMBERS.delivered,
			`demo: a ${provider} customer's text played by the sandbox (${played.status}) left "${workflow.name}" by Received into "Received: answer the customer"`,
			() => JSON.stringify(item),
		);
	}
}

/** The banner links the sandbox page, and the link serves it. */
async function demoLinksThePage(report, ports, output) {
	const pageUrl = `http://127.0.0.1:${ports.sandbox}/_sandbox/`;
	const page = output().includes(pageUrl) ? await fetch(pageUrl) : null;
	const html = page ? await page.text() : '';
	report.check(
		page && page.status === 200 && html.includes('<title>WhatsApp provider sandbox</title>'),
		`the banner links the sandbox page ${pageUrl}, which answers ${page ? page.status : '(not in the banner)'}`,
	);
}

/**
 * No failed credential checks: the only caller of a credential's test in n8n 2.8.4 is the editor
 * (POST /rest/credentials/test, sent when a credential is opened, with its secrets blanked out for
 * n8n to fill in). Each demo credential is tested that way and must pass against the sandbox, and
 * nothing up to here may have been refused with 401.
 */
async function demoCredentialsPass(report, ports, output) {
	const base = `http://127.0.0.1:${ports.n8n}`;
	const cookie = await rt.login(base, rt.OWNER);
	const rest = async (method, route, body) => {
		const response = await fetch(`${base}/rest${route}`, {
			method,
			headers: { cookie, 'content-type': 'application/json' },
			body: body && JSON.stringify(body),
		});
		return /** @type {any} */ (await response.json()).data;
	};
	const credentials = JSON.parse(fs.readFileSync(path.join(rt.ROOT, 'scripts', 'demo', 'credentials.json'), 'utf8'));
	for (const { id } of credentials) {
		const stored = await rest('GET', `/credentials/${id}?includeData=true`);
		const result = await rest('POST', '/credentials/test', { credentials: { id, name: stored.name, type: stored.type, data: stored.data } });
		report.check(result && result.status === 'OK', `${stored.name}: n8n's credential test (what the editor runs) -> ${JSON.stringify(result)}`);
	}
	const refusals = output().split('\n').filter((line) => /^\[sandbox\].*→ 401/.test(line.trim()));
	report.check(refusals.length === 0, 'the sandbox refused nothing with 401 since start-up', () => refusals.join('\n'));
}

/** One case: start, signal `target`, wait until dev.js is gone, check nothing is left. */
async function signalCase(report, { viaNpm, signal, target, dir, ports, whileUp = undefined }) {
	const name = `${signal} to ${target === 'npm' ? 'npm (npm run dev)' : 'dev.js'}${viaNpm && target !== 'npm' ? ' under npm' : ''}, in a terminal`;
	let run;
	try {
		run = await startDev({ viaNpm, terminal: true, dir, ports });
		if (whileUp) await whileUp(run);
		const started = Date.now();
		process.kill(target === 'npm' ? run.npmPid : run.devPid, signal);
		await waitFor(() => !alive(run.devPid) && !groupAlive(run.n8nPid) && (!run.npmPid || !alive(run.npmPid)), {
			timeoutMs: 30000,
			intervalMs: 100,
			what: 'dev.js, n8n and npm to exit',
		});
		const stoppedIn = Date.now() - started;
		const free = (await portIsFree(ports.n8n)) && (await portIsFree(ports.sandbox));
		report.check(
			free,
			`${name}: dev.js${run.npmPid ? ', npm' : ''}, n8n and its task runner exited in ${(stoppedIn / 1000).toFixed(1)} s; ports ${ports.n8n} and ${ports.sandbox} free`,
			() => `ports free: ${free}\n${run.output().slice(-1500)}`,
		);
	} catch (error) {
		report.fail(name, `${error.message}${run ? `\n${run.output().slice(-1500)}` : ''}`);
	} finally {
		if (run) cleanUp(run);
	}
}

/** nohup: SIGHUP is no reason to stop; --stop is. */
async function nohupCase(report, { dir, ports }) {
	const name = 'under nohup (no terminal)';
	let run;
	try {
		run = await startDev({ viaNpm: true, terminal: false, dir, ports });
		process.kill(run.npmPid, 'SIGHUP');
		process.kill(run.devPid, 'SIGHUP');
		await new Promise((resolve) => setTimeout(resolve, 1500));
		const editor = await fetch(`http://127.0.0.1:${ports.n8n}/healthz`).catch((error) => error);
		report.check(
			alive(run.devPid) && groupAlive(run.n8nPid) && editor.status === 200,
			`${name}: SIGHUP to npm and to dev.js: dev.js and n8n keep running (/healthz ${editor.status || editor.message}), npm ${alive(run.npmPid) ? 'too' : 'is gone (Node does not keep nohup\'s SIG_IGN)'}`,
			() => run.output().slice(-1500),
		);
		const stop = spawnSync('npm', ['run', 'dev', '--', '--stop', '--dir', dir], { cwd: rt.ROOT, encoding: 'utf8', timeout: 60000 });
		const gone = !alive(run.devPid) && !groupAlive(run.n8nPid);
		const free = (await portIsFree(ports.n8n)) && (await portIsFree(ports.sandbox));
		report.check(
			stop.status === 0 && gone && free && !fs.existsSync(path.join(dir, 'dev.pid')),
			`${name}: npm run dev -- --stop: dev.js and n8n exited, ports ${ports.n8n} and ${ports.sandbox} free, dev.pid removed`,
			() => `exit ${stop.status}, gone ${gone}, free ${free}\n${stop.stdout}${stop.stderr}\n${run.output().slice(-1500)}`,
		);
	} catch (error) {
		report.fail(name, `${error.message}${run ? `\n${run.output().slice(-1500)}` : ''}`);
	} finally {
		if (run) cleanUp(run);
	}
}

/** After a failed case: nothing of it may outlive the suite. */
function cleanUp(run) {
	for (const pid of [run.devPid, run.npmPid, run.child.pid]) {
		if (pid && alive(pid)) process.kill(pid, 'SIGKILL');
	}
	if (run.n8nPid && groupAlive(run.n8nPid)) process.kill(-run.n8nPid, 'SIGKILL');
}

async function run({ report }) {
	if (!fs.existsSync('/proc/self/stat') || spawnSync('script', ['--version']).status !== 0) {
		report.info('skipped: needs Linux /proc and util-linux `script` for a pty');
		return;
	}
	const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-notify-dev-signals-'));
	try {
		const ports = { n8n: await rt.findFreePort() };
		// A port just found free can be found again: the two must differ.
		do ports.sandbox = await rt.findFreePort();
		while (ports.sandbox === ports.n8n);
		for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
			// The first start also checks the demo's answers (it is up anyway).
			const whileUp =
				signal === 'SIGINT'
					? async (started) => {
							await demoAnswers(report, ports);
							await demoRegistersItself(report, ports);
							await demoReceives(report, ports);
							await demoCredentialsPass(report, ports, started.output);
							await demoLinksThePage(report, ports, started.output);
						}
					: undefined;
			await signalCase(report, { viaNpm: false, signal, target: 'dev.js', dir, ports, whileUp });
			await signalCase(report, { viaNpm: true, signal, target: 'npm', dir, ports });
		}
		await nohupCase(report, { dir, ports });
	} finally {
		fs.rmSync(dir, { recursive: true, force: true });
	}
}

module.exports = {
	name: 'npm run dev: the demo answers with the outcome; SIGINT, SIGTERM and SIGHUP stop everything (nohup keeps it up)',
	// npm run dev always runs the pinned n8n: a run with --n8n <other> has nothing to add.
	pinnedN8nOnly: true,
	run,
};

if (require.main === module) {
	const { createReport } = require('../lib/report');
	const report = createReport();
	run({ report }).then(() => {
		console.log(report.summary());
		process.exit(report.failed ? 1 : 0);
	});
}
