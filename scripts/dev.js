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
 *
 * What it does: builds the package, installs n8n 2.8.4 into .tools/n8n once (about 4 minutes
 * the first time), installs the packed package into .dev/n8n as a community package, imports
 * demo/credentials.json and demo/workflows/*.json when they are new or changed, starts the
 * sandbox on 127.0.0.1:5680 with its webhooks set to the demo triggers' production URLs, starts
 * n8n on http://localhost:5678 (owner dev@example.com / Sandbox-Pass1), publishes the demo
 * workflows, and prints what to open. Ctrl-C stops n8n and the sandbox.
 */

const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { parseArgs } = require('node:util');

const rt = require('./n8n-runtime');
const { startSandbox, TEST_NUMBERS } = require('../sandbox/server');
const { sandboxProviders } = require('../sandbox/providers');

const DEV_DIR = path.join(rt.ROOT, '.dev', 'n8n');
const DEMO_DIR = path.join(rt.ROOT, 'demo');
const DEMO_MARKER = path.join(DEV_DIR, '.demo-imported');
/** The URL the demo credentials carry; rewritten when --sandbox-port differs. */
const DEMO_SANDBOX_URL = 'http://127.0.0.1:5680';
const HOST = 'localhost';

const USAGE = `Usage: npm run dev [-- options]
  --fresh             delete .dev/n8n first (a new database, owner and demo)
  --reset-demo        re-import the demo credentials and workflows into the existing .dev/n8n
  --check             send once per provider, check delivered + seen reached n8n, then stop
  --port N            n8n's port (default 5678)
  --sandbox-port N    the provider sandbox's port (default 5680)
  -h, --help          this text`;

const say = (text = '') => console.log(text);
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
	};
}

/** Resolves when nothing listens on 127.0.0.1:port; rejects with a helpful message otherwise. */
function assertPortFree(port, what) {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.once('error', (error) => {
			reject(
				new Error(
					error.code === 'EADDRINUSE'
						? `Port ${port} (${what}) is already in use. Is another "npm run dev" still running? (see: ss -ltnp 'sport = :${port}')`
						: `Cannot use port ${port} (${what}): ${error.message}`,
				),
			);
		});
		server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
	});
}

// ---------------------------------------------------------------------------------------------
// The demo: demo/credentials.json and demo/workflows/*.json

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

/** Each demo Status Trigger: its workflow, provider and production URL (what the sandbox calls). */
function demoTriggers(demo, n8nUrl) {
	const triggers = [];
	for (const workflow of demo.workflows) {
		for (const node of workflow.nodes) {
			if (node.type !== rt.NODE_TYPES.statusTrigger) continue;
			const provider = node.parameters.provider;
			let url = `${n8nUrl}/webhook/${rt.productionWebhookPath({ node, path: 'status' })}`;
			if (provider === 'gupshup') {
				const credentialId = Object.values(node.credentials || {})[0].id;
				const credential = demo.credentials.find((each) => each.id === credentialId);
				url += `?token=${encodeURIComponent(credential.data.webhookToken)}`;
			}
			triggers.push({ workflow, provider, url });
		}
	}
	return triggers;
}

function findNode(workflow, type) {
	return workflow.nodes.find((node) => node.type === type);
}

// ---------------------------------------------------------------------------------------------

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

	const started = Date.now();
	const n8nUrl = `http://${HOST}:${opts.port}`;
	const sandboxUrl = `http://127.0.0.1:${opts.sandboxPort}`;
	await assertPortFree(opts.port, 'n8n');
	await assertPortFree(opts.sandboxPort, 'provider sandbox');

	step('Building the package (npm run build)');
	const build = spawnSync('npm', ['run', 'build'], { cwd: rt.ROOT, stdio: 'inherit' });
	if (build.status !== 0) throw new Error('npm run build failed');

	if (!rt.isN8nInstalled()) {
		step(`Installing n8n ${rt.N8N_VERSION} into .tools/n8n: the first install takes about 4 minutes (~2 GB), later runs reuse it`);
	} else {
		step(`n8n ${rt.N8N_VERSION} is installed in .tools/n8n`);
	}
	await rt.ensureN8n({ log: say });

	if (opts.fresh && fs.existsSync(DEV_DIR)) {
		step(`--fresh: deleting ${path.relative(rt.ROOT, DEV_DIR)}`);
		fs.rmSync(DEV_DIR, { recursive: true, force: true });
	}
	const reused = fs.existsSync(path.join(DEV_DIR, '.n8n', 'database.sqlite'));
	step(
		reused
			? `Reusing ${path.relative(rt.ROOT, DEV_DIR)} (your workflows and executions stay; "npm run dev -- --fresh" starts over)`
			: `Creating ${path.relative(rt.ROOT, DEV_DIR)}`,
	);
	fs.mkdirSync(DEV_DIR, { recursive: true });

	step('Installing the packed package as a community package');
	rt.installPackage(DEV_DIR, { build: false, log: say });

	const demo = loadDemo(sandboxUrl);
	const previous = fs.existsSync(DEMO_MARKER) ? fs.readFileSync(DEMO_MARKER, 'utf8').trim() : null;
	if (opts.resetDemo || previous !== demo.hash) {
		step(`Importing the demo: ${demo.credentials.length} credentials and ${demo.workflows.length} workflows from demo/`);
		rt.importCredentials(DEV_DIR, demo.credentials, { log: say });
		rt.importWorkflows(DEV_DIR, demo.workflows, { activate: false, log: say });
		fs.writeFileSync(DEMO_MARKER, `${demo.hash}\n`);
	} else {
		step('The demo credentials and workflows are already imported (unchanged since; --reset-demo re-imports them)');
	}

	// -- the sandbox, then n8n
	const triggers = demoTriggers(demo, n8nUrl);
	const webhooks = Object.fromEntries(triggers.map((trigger) => [trigger.provider, trigger.url]));
	step(`Starting the provider sandbox on ${sandboxUrl}`);
	const sandbox = await startSandbox({ port: opts.sandboxPort, webhooks, log: true });

	let n8n = null;
	let stopping = false;
	const stopAll = async (code) => {
		if (stopping) return;
		stopping = true;
		say('\nStopping n8n and the sandbox...');
		await Promise.allSettled([n8n ? n8n.stop() : rt.stopAll({ timeoutMs: 5000 }), sandbox.close()]);
		say('Stopped.');
		process.exit(code);
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => stopAll(0));

	let brokerPort;
	do brokerPort = await rt.findFreePort();
	while ([5679, opts.port, opts.sandboxPort].includes(brokerPort));

	step(`Starting n8n on ${n8nUrl} (log: ${path.relative(rt.ROOT, path.join(DEV_DIR, 'n8n.log'))})`);
	n8n = await rt.startN8n({ userFolder: DEV_DIR, port: opts.port, brokerPort, host: HOST, setupOwner: true });
	n8n.exited.then((exit) => {
		if (stopping) return;
		console.error(`\nn8n exited on its own (${JSON.stringify(exit)}). The end of its log:\n${n8n.readLog().split('\n').slice(-30).join('\n')}`);
		stopAll(1);
	});

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

	const sendWorkflow = demo.workflows.find((workflow) => findNode(workflow, rt.NODE_TYPES.notify));
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
    ${TEST_NUMBERS.invalid} is refused by the provider (the send execution fails with its error).

 The sandbox (${sandboxUrl}) prints each send and callback below.
 Status callbacks go to:
${triggers.map((trigger) => `   ${trigger.provider.padEnd(8)} ${trigger.url}`).join('\n')}
 Ctrl-C stops n8n and the sandbox.
============================================================================================
`);

	if (opts.check) {
		const ok = await selfCheck({ n8n, hookUrl, formUrl, triggers });
		await stopAll(ok ? 0 : 1);
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
		const body = await response.json().catch(() => ({}));
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
	console.error(`\nnpm run dev failed: ${error.message}`);
	await rt.stopAll({ timeoutMs: 5000 }).catch(() => {});
	process.exit(1);
});
