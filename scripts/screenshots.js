#!/usr/bin/env node
'use strict';

/**
 * npm run screenshots: PNGs of the demo in the n8n editor, for the docs (docs/images/).
 *
 *   npm run screenshots                      uses the running "npm run dev" instance, or starts one
 *   npm run screenshots -- --url http://localhost:5678 --out docs/images
 *
 * Drives Debian's Chromium (/usr/bin/chromium; never downloads a browser) with playwright-core,
 * headless. Signs in as the dev owner, makes sure the Twilio status workflow has a delivered, a
 * seen and a discarded execution (one send each through the demo webhook), then saves:
 *   send-workflow.png      the "WhatsApp demo: send" canvas
 *   notify-panel.png       WhatsApp Notify's parameters (Send via Twilio)
 *   notify-provider-choice.png  its credential list: only the chosen Provider's credentials (Twilio's)
 *   template-list.png      its Template list (From List), filled from the sandbox's Content API
 *   status-workflow.png    the "WhatsApp demo: status (Twilio)" canvas: Delivered / Seen / Discarded
 *   trigger-panel.png      the Status Trigger's panel: production webhook URL, Register Callback
 *                          Automatically and the setup notice
 *   status-executions.png  that workflow's executions, the latest one taking the Discarded path
 *   sms-fallback.png       "WhatsApp demo: SMS fallback" (built here): WhatsApp Notify's error output
 *                          through a Filter on errorKind (not 'input') into n8n's Twilio node "Send SMS"
 *                          (To = {{ $json.recipient }}), its panel after running the nodes before it: the
 *                          item the provider refused in its input, the bad number filtered out
 *   send-and-wait.png      "WhatsApp demo: appointment confirmation": its executions, the newest resumed by a
 *                          tap on "Confirm" played by the sandbox, out of "Confirmed: mark in calendar"
 *   send-and-wait-panel.png  its "Ask to confirm" panel: Send and Wait for Reply, Choices, Limit Wait Time
 *   received.png           "WhatsApp demo: status (Meta)": the execution of a customer's reply (played by the
 *                          sandbox, answering the demo's send) out of Received into "Received: answer the customer"
 *   sandbox-page.png       the provider sandbox's page (--sandbox, default the dev sandbox on 5680): where
 *                          callbacks go, the appointment question with its buttons on top, the sends
 *                          with their callbacks and n8n's answers
 * Requests to anything but the n8n instance and the sandbox are blocked, so the run stays offline.
 * Not run by CI.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { parseArgs } = require('node:util');

const rt = require('./n8n-runtime');
const { TEST_NUMBERS } = require('../sandbox/server');

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-background-networking',
	'--disable-component-update',
	'--no-first-run',
];
const VIEWPORT = { width: 1440, height: 900 };
const DEMO_DIR = path.join(__dirname, 'demo', 'workflows');

const say = (text) => console.log(`[screenshots] ${text}`);

function readOptions() {
	const { values } = parseArgs({
		args: process.argv.slice(2),
		options: { url: { type: 'string' }, sandbox: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
	});
	return {
		help: Boolean(values.help),
		url: (values.url || 'http://localhost:5678').replace(/\/+$/, ''),
		sandbox: (values.sandbox || 'http://127.0.0.1:5680').replace(/\/+$/, ''),
		out: path.resolve(rt.ROOT, values.out || path.join('docs', 'images')),
	};
}

function demoWorkflow(file) {
	return JSON.parse(fs.readFileSync(path.join(DEMO_DIR, file), 'utf8'));
}

/** The owner's REST cookie, one sign-in per run: n8n answers 429 to more than a few sign-ins a minute, and the browser signs in too. */
const cookies = new Map();
function ownerCookie(url) {
	if (!cookies.has(url)) cookies.set(url, rt.login(url, rt.OWNER));
	return cookies.get(url);
}

async function isUp(url) {
	try {
		const response = await fetch(`${url}/healthz/readiness`, { signal: AbortSignal.timeout(2000) });
		return response.ok;
	} catch {
		return false;
	}
}

/** Starts "npm run dev" (scripts/dev.js) as a child and resolves once it prints its banner. */
function startDev() {
	say('no n8n answers there: starting one with scripts/dev.js (the first n8n install takes about 4 minutes)');
	const child = spawn(process.execPath, [path.join(__dirname, 'dev.js')], { cwd: rt.ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
	const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
	const ready = new Promise((resolve, reject) => {
		let buffer = '';
		child.stdout.on('data', (chunk) => {
			const text = chunk.toString();
			process.stdout.write(text.replace(/^(?=.)/gm, '  [dev] '));
			buffer += text;
			if (buffer.includes('Ctrl-C stops n8n and the sandbox')) resolve();
		});
		exited.then((exit) => reject(new Error(`scripts/dev.js exited before n8n was ready (${JSON.stringify(exit)})`)));
	});
	return {
		ready,
		stop: async () => {
			if (child.exitCode !== null || child.signalCode !== null) return;
			child.kill('SIGINT'); // dev.js stops n8n and the sandbox, then exits
			let timer;
			await Promise.race([exited, new Promise((resolve) => (timer = setTimeout(resolve, 30000)))]);
			clearTimeout(timer);
		},
	};
}

/** The REST side: owner cookie, sends through the demo webhook, execution counts. */
async function prepareExecutions(url, statusWorkflow) {
	const cookie = await ownerCookie(url);
	const count = async () => {
		const filter = encodeURIComponent(JSON.stringify({ workflowId: statusWorkflow.id }));
		const response = await fetch(`${url}/rest/executions?limit=1&filter=${filter}`, { headers: { cookie } });
		return /** @type {any} */ (await response.json()).data.count;
	};
	// One after the other, so the newest execution is the discarded one: delivered + seen, then discarded.
	for (const [to, expected] of [
		[TEST_NUMBERS.delivered, 2],
		[TEST_NUMBERS.undeliverable, 1],
	]) {
		const before = await count();
		const response = await fetch(`${url}/webhook/whatsapp-send`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ provider: 'twilio', to, text: 'Your order #1042 has shipped' }),
		});
		if (!response.ok) throw new Error(`the demo send to ${to} answered ${response.status}: ${await response.text()}`);
		const deadline = Date.now() + 30000;
		for (;;) {
			const now = await count();
			if (now >= before + expected) break;
			if (Date.now() > deadline) throw new Error(`expected ${expected} new executions of "${statusWorkflow.name}" after the send to ${to}, got ${now - before}`);
			await new Promise((resolve) => setTimeout(resolve, 250));
		}
	}
}

/** A headless Chromium that reaches only the n8n instance and the sandbox (offline by construction), and a page on it. */
async function openBrowser(options) {
	// Loaded here so "npm run screenshots -- --help" works without dev dependencies.
	const { chromium } = require('playwright-core');
	const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
	const context = await browser.newContext({ viewport: VIEWPORT, deviceScaleFactor: 1 });
	const allowed = [new URL(options.url).origin, new URL(options.sandbox).origin, 'data:', 'blob:'];
	await context.route('**/*', (route) => {
		const requested = route.request().url();
		if (allowed.some((prefix) => requested.startsWith(prefix))) return route.continue();
		return route.abort();
	});
	const page = await context.newPage();
	page.setDefaultTimeout(30000);
	return { browser, page };
}

/** What every picture uses: shoot(name, check), the text of a selector, opening a canvas or a node's panel, checking the canvas. */
function pictureHelpers(page, options) {
	const shoot = async (name, check) => {
		if (check) {
			const missing = await check();
			if (missing) throw new Error(`${name}: ${missing}`);
		}
		const file = path.join(options.out, name);
		await page.screenshot({ path: file });
		say(`saved ${path.relative(rt.ROOT, file)}`);
	};
	const textOf = (selector) => page.locator(selector).first().innerText();
	const openCanvas = async (workflow) => {
		await page.goto(`${options.url}/workflow/${workflow.id}`);
		await page.waitForSelector('[data-test-id="canvas-node"]');
		await page.keyboard.press('Escape');
		await page.click('[data-test-id="zoom-to-fit"]');
		// Leave room for the "Execute workflow" button that floats over the bottom of the canvas.
		await page.click('[data-test-id="zoom-out-button"]');
		await page.waitForLoadState('networkidle');
		await page.waitForTimeout(600); // the zoom animation
	};
	const openPanel = async (workflow, node) => {
		await page.goto(`${options.url}/workflow/${workflow.id}/${node.id}`);
		await page.waitForSelector('[data-test-id="ndv"] [data-test-id="node-parameters"]');
		await page.waitForLoadState('networkidle');
	};
	const expectNodes = (workflow) => async () => {
		const shown = (await page.locator('[data-test-id="canvas-node"]').allInnerTexts()).join('\n');
		const missing = workflow.nodes
			.filter((node) => node.type !== 'n8n-nodes-base.stickyNote')
			.filter((node) => !shown.includes(node.name))
			.map((node) => node.name);
		return missing.length ? `nodes not on the canvas: ${missing.join(', ')}` : null;
	};
	return { page, options, shoot, textOf, openCanvas, openPanel, expectNodes };
}

async function signIn(page, options) {
	await page.goto(`${options.url}/signin`);
	await page.fill('input[name="emailOrLdapLoginId"]', rt.OWNER.email);
	await page.fill('input[name="password"]', rt.OWNER.password);
	await page.click('[data-test-id="form-submit-button"]');
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
	say(`signed in as ${rt.OWNER.email}`);
}

/** The send workflow, WhatsApp Notify's panel, its credential choice and its Template list. */
async function shootSendWorkflow({ page, shoot, textOf, openCanvas, openPanel, expectNodes }, send, notifyNode) {
	// -- send workflow
	await openCanvas(send);
	await shoot('send-workflow.png', expectNodes(send));

	await openPanel(send, notifyNode);
	const credentialName = Object.values(notifyNode.credentials)[0].name;
	await shoot('notify-panel.png', async () => {
		const text = await textOf('[data-test-id="ndv"]');
		const wanted = ['Credential for Twilio WhatsApp API', 'Provider', 'Recipient', 'Message', 'Override (JSON)', 'Options'];
		const missing = wanted.filter((word) => !text.includes(word));
		const credential = await page.locator('[data-test-id="node-credentials-select"] input').first().inputValue();
		if (credential !== credentialName) missing.push(`credential ${credentialName} (shows ${credential})`);
		return missing.length ? `the panel lacks ${missing.join(', ')}` : null;
	});
	// One credential picker per provider, chosen by the Provider parameter: it lists that provider's credentials only.
	await page.click('[data-test-id="node-credentials-select"]');
	await page.getByText('Create new credential').first().waitFor();
	// Let the dropdown finish fading in (its transform and opacity settle).
	await page.waitForFunction(() => {
		const { document, getComputedStyle } = /** @type {any} */ (globalThis);
		const poppers = [...document.querySelectorAll('.el-popper')].filter((el) => el.offsetParent !== null && el.innerText.includes('Create new credential'));
		return poppers.length > 0 && poppers.every((el) => getComputedStyle(el).opacity === '1' && getComputedStyle(el).transform === 'none');
	});
	await page.waitForTimeout(300);
	await shoot('notify-provider-choice.png', async () => {
		const text = await page.locator('.el-select-dropdown:visible, .el-popper:visible').allInnerTexts();
		const all = text.join('\n');
		const missing = [credentialName].filter((name) => !all.includes(name));
		const others = ['Smooch (sandbox)', 'Gupshup (sandbox)', 'Meta (sandbox)'].filter((name) => all.includes(name));
		if (others.length) missing.push(`only Twilio's credentials (it also lists ${others.join(', ')})`);
		return missing.length ? `the credential list lacks ${missing.join(', ')}` : null;
	});
	await page.keyboard.press('Escape');

	// -- the Template list, filled from the sandbox through the credential (Twilio's Content API)
	await openPanel(send, notifyNode);
	await page.locator('[data-test-id="rlc-input"]').first().click();
	await page.locator('[data-test-id="rlc-item"]').first().waitFor();
	await page.waitForTimeout(400); // the dropdown's fade-in
	await shoot('template-list.png', async () => {
		const text = (await page.locator('[data-test-id="rlc-item"]').allInnerTexts()).join('\n');
		const missing = ['order_shipped (en · 2 variables)', 'invoice_ready', 'appointment_moved'].filter((name) => !text.includes(name));
		if (text.includes('spring_sale')) missing.push('nothing pending (spring_sale is listed)');
		return missing.length ? `the Template list lacks ${missing.join(', ')}: ${text.slice(0, 200)}` : null;
	});
	await page.keyboard.press('Escape');

}

/** The status workflow, the trigger's panel with its production URL, and its executions. */
async function shootStatusWorkflow({ page, options, shoot, textOf, openCanvas, openPanel, expectNodes }, status, triggerNode) {
	// -- status workflow
	await openCanvas(status);
	await shoot('status-workflow.png', expectNodes(status));

	await openPanel(status, triggerNode);
	await page.click('[title="Click to display webhook URLs"]');
	await page.click('[data-test-id="radio-button-production"]');
	const productionUrl = `${options.url}/webhook/${triggerNode.webhookId}/status`;
	await page.getByText(productionUrl).first().waitFor();
	await page.waitForTimeout(400); // the section's expand animation
	await shoot('trigger-panel.png', async () => {
		const text = await textOf('[data-test-id="ndv"]');
		if (!text.includes(productionUrl)) return `no production URL ${productionUrl}`;
		if (!text.includes('Register Callback Automatically')) return 'no Register Callback Automatically option';
		if (!text.includes('Event Streams webhook sink')) return 'no Twilio setup notice (Event Streams sink)';
		return null;
	});

	// -- the executions of the status workflow: the newest took the Discarded path
	await openExecutionPreview(page, `${options.url}/workflow/${status.id}/executions`);
	await page.waitForSelector('[data-test-id="current-executions-list"]');
	await page.waitForTimeout(600);
	await shoot('status-executions.png', async () => {
		const list = await textOf('[data-test-id="current-executions-list"]');
		return /Succeeded/.test(list) ? null : `the executions list shows no succeeded execution: ${list.slice(0, 200)}`;
	});
}

const FALLBACK_NAME = 'WhatsApp demo: SMS fallback';
/** A number the node itself refuses (not E.164): its error item has errorKind 'input'. */
const BAD_NUMBER = '(457)-746-846';

/** The SMS-fallback workflow: the demo's Twilio WhatsApp Notify (`template`), its error output through the Filter into Send SMS (`sms`, its credential). */
function fallbackDefinition(template, sms) {
	return {
		name: FALLBACK_NAME,
		nodes: [
			{ id: 'f1a2b3c4-0000-4000-8000-000000000001', name: 'Run', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [0, 0], parameters: {} },
			{
				id: 'f1a2b3c4-0000-4000-8000-000000000002',
				name: 'Customers',
				type: 'n8n-nodes-base.code',
				typeVersion: 2,
				position: [220, 0],
				parameters: {
					jsCode: `return [\n  { json: { customerId: 'C-1001', to: '${TEST_NUMBERS.delivered}', text: 'Your order #1042 has shipped' } },\n  { json: { customerId: 'C-1002', to: '${TEST_NUMBERS.invalid}', text: 'Your order #1043 has shipped' } },\n  { json: { customerId: 'C-1003', to: '${BAD_NUMBER}', text: 'Your order #1044 has shipped' } },\n];`,
				},
			},
			{
				id: 'f1a2b3c4-0000-4000-8000-000000000003',
				name: 'Send WhatsApp',
				type: rt.NODE_TYPES.notify,
				typeVersion: 1,
				position: [460, 0],
				parameters: { ...template.parameters },
				credentials: template.credentials,
				onError: 'continueErrorOutput',
			},
			{ id: 'f1a2b3c4-0000-4000-8000-000000000004', name: 'Sent', type: 'n8n-nodes-base.noOp', typeVersion: 1, position: [760, -100], parameters: {} },
			{
				id: 'f1a2b3c4-0000-4000-8000-000000000006',
				name: 'Not a bad input',
				type: 'n8n-nodes-base.filter',
				typeVersion: 2.2,
				position: [760, 120],
				parameters: {
					conditions: {
						options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
						conditions: [
							{
								id: 'f1a2b3c4-0000-4000-8000-000000000007',
								leftValue: '={{ $json.errorKind }}',
								rightValue: 'input',
								operator: { type: 'string', operation: 'notEquals' },
							},
						],
						combinator: 'and',
					},
					options: {},
				},
			},
			{
				id: 'f1a2b3c4-0000-4000-8000-000000000005',
				name: 'Send SMS',
				type: 'n8n-nodes-base.twilio',
				typeVersion: 1,
				position: [1000, 120],
				parameters: { from: '+15557654321', to: '={{ $json.recipient }}', message: "={{ $json.text }} (we could not reach you on WhatsApp)", options: {} },
				credentials: { twilioApi: { id: sms.id, name: sms.name } },
			},
		],
		connections: {
			Run: { main: [[{ node: 'Customers', type: 'main', index: 0 }]] },
			Customers: { main: [[{ node: 'Send WhatsApp', type: 'main', index: 0 }]] },
			'Send WhatsApp': { main: [[{ node: 'Sent', type: 'main', index: 0 }], [{ node: 'Not a bad input', type: 'main', index: 0 }]] },
			'Not a bad input': { main: [[{ node: 'Send SMS', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	};
}

/**
 * Builds (or rebuilds) "WhatsApp demo: SMS fallback" over REST: three customers, WhatsApp Notify
 * with its error output through a Filter (errorKind is not 'input': an SMS cannot fix a bad number)
 * into n8n's Twilio node "Send SMS".
 */
async function prepareFallback(url, send) {
	const cookie = await ownerCookie(url);
	const rest = async (method, route, body) => {
		const response = await fetch(`${url}/rest${route}`, {
			method,
			headers: { cookie, 'content-type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await response.text();
		if (!response.ok) throw new Error(`${method} /rest${route} answered ${response.status}: ${text.slice(0, 300)}`);
		return JSON.parse(text).data;
	};
	// n8n's Twilio node needs a credential of its own (the SMS account); it is never run here: the run stops before it.
	const credentials = await rest('GET', '/credentials');
	let sms = credentials.find((credential) => credential.name === 'Twilio SMS (example)');
	if (!sms) {
		sms = await rest('POST', '/credentials', {
			name: 'Twilio SMS (example)',
			type: 'twilioApi',
			data: { authType: 'authToken', accountSid: 'AC00000000000000000000000000000000', authToken: 'example' },
		});
	}
	const template = send.nodes.find((node) => node.type === rt.NODE_TYPES.notify && node.parameters.provider === 'twilio');
	const workflow = fallbackDefinition(template, sms);
	const existing = (await rest('GET', '/workflows')).filter((item) => item.name === FALLBACK_NAME);
	for (const old of existing) {
		await rest('POST', `/workflows/${old.id}/archive`).catch(() => {});
		await rest('DELETE', `/workflows/${old.id}`).catch(() => {});
	}
	const created = await rest('POST', '/workflows', workflow);
	return { ...workflow, id: created.id, nodes: created.nodes || workflow.nodes };
}

/** The SMS fallback: run the nodes before "Send SMS" from its panel, so its input shows the item WhatsApp refused. */
async function shootFallback({ page, options, shoot, textOf, openCanvas }, fallback) {
	await openCanvas(fallback);
	const smsNode = fallback.nodes.find((node) => node.name === 'Send SMS');
	await page.goto(`${options.url}/workflow/${fallback.id}/${smsNode.id}`);
	await page.waitForSelector('[data-test-id="ndv"] [data-test-id="node-parameters"]');
	await page.waitForLoadState('networkidle');
	await page.getByRole('button', { name: /Execute previous nodes/i }).first().click();
	await page.getByText(TEST_NUMBERS.invalid).first().waitFor();
	// JSON: every field of the item (the input's own, error, errorKind, errorCode, provider, recipient) fits the panel.
	await page.locator('[data-test-id="ndv-input-panel"] [data-test-id="radio-button-json"]').first().click();
	await page.getByText('"recipient"').first().waitFor();
	for (const close of await page.locator('.el-notification .el-notification__closeBtn').all()) await close.click().catch(() => {});
	await page.waitForLoadState('networkidle');
	await page.waitForTimeout(800); // the toast's fade-out
	await shoot('sms-fallback.png', async () => {
		const text = await textOf('[data-test-id="ndv"]');
		const wanted = [TEST_NUMBERS.invalid, 'C-1002', '"recipient"', '"provider"', '"error"', '"errorKind"', '"errorCode"', '21211'];
		const missing = wanted.filter((word) => !text.includes(word));
		// recipient, provider, error and errorCode are WhatsApp Notify's fields: the input is its error output.
		const to = await page.locator('[data-test-id="ndv"]').getByText('{{ $json.recipient }}').count();
		if (!to) missing.push('To = {{ $json.recipient }}');
		if (text.includes(TEST_NUMBERS.delivered)) missing.push(`nothing of the sent item (${TEST_NUMBERS.delivered} is shown)`);
		if (text.includes(BAD_NUMBER)) missing.push(`nothing of the bad number the Filter dropped (${BAD_NUMBER} is shown)`);
		return missing.length ? `the Send SMS panel lacks ${missing.join(', ')}` : null;
	});
	await page.keyboard.press('Escape');
}

/** The sandbox's page: where callbacks go, the newest sends (the appointment question, with its buttons) with their callbacks and n8n's answers. */
async function shootSandboxPage({ page, options, shoot, textOf }) {
	// Every callback of the sends above made and answered (the sandbox answers once none is pending).
	await fetch(`${options.sandbox}/_sandbox/idle`);
	await page.goto(`${options.sandbox}/_sandbox/`);
	await page.locator('.send-callbacks li[data-event]').first().waitFor();
	await shoot('sandbox-page.png', async () => {
		const text = await textOf('main');
		const wanted = ['Where callbacks go', 'Registered: ', 'HTTP 200', 'Confirm', 'Reschedule', "Play a customer's reply"];
		const missing = wanted.filter((word) => !text.includes(word));
		return missing.length ? `the sandbox page lacks ${missing.join(', ')}` : null;
	});
}

/**
 * The appointment demo asked once through its webhook, and "Confirm" tapped as the customer through
 * the sandbox (POST /_sandbox/inbound, the button found by its title): the execution resumes.
 */
async function prepareAppointment(url, sandboxUrl, appointment) {
	const cookie = await ownerCookie(url);
	const executions = async (status) => {
		const filter = encodeURIComponent(JSON.stringify({ workflowId: appointment.id, status: [status] }));
		const response = await fetch(`${url}/rest/executions?limit=20&filter=${filter}`, { headers: { cookie } });
		return /** @type {any} */ (await response.json()).data.results.map((execution) => execution.id);
	};
	const waitingBefore = new Set(await executions('waiting'));
	const hook = appointment.nodes.find((node) => node.type === 'n8n-nodes-base.webhook');
	const asked = await fetch(`${url}/webhook/${hook.parameters.path}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ name: 'Asha', to: TEST_NUMBERS.delivered, when: 'tomorrow at 10:00' }),
	});
	if (!asked.ok) throw new Error(`the appointment webhook answered ${asked.status}: ${await asked.text()}`);
	const deadline = Date.now() + 30000;
	let asking;
	while (!(asking = (await executions('waiting')).find((id) => !waitingBefore.has(id)))) {
		if (Date.now() > deadline) throw new Error(`no execution of "${appointment.name}" waits for the answer`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	let tapped = null;
	while (!tapped) {
		// 400 until the question reached the sandbox (no message with a "Confirm" button yet).
		const response = await fetch(`${sandboxUrl}/_sandbox/inbound`, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ provider: 'twilio', from: TEST_NUMBERS.delivered, button: { title: 'Confirm' } }),
		});
		if (response.ok) tapped = await response.json();
		else if (Date.now() > deadline) throw new Error(`the sandbox could not tap "Confirm": ${response.status} ${await response.text()}`);
		else await new Promise((resolve) => setTimeout(resolve, 250));
	}
	while (!(await executions('success')).includes(asking)) {
		if (Date.now() > deadline) throw new Error(`the tap (${JSON.stringify(tapped)}) did not resume execution ${asking} of "${appointment.name}"`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	return asking;
}

const REPLY_TEXT = 'Can I pick it up on Friday instead?';

/**
 * A Meta send through the demo webhook, then the customer's text answering it, played by the
 * sandbox (POST /_sandbox/inbound with replyTo): the Meta status workflow runs once more, out of
 * Received. Meta's callback carries the most fields (replyTo, profileName). Returns that execution's id.
 */
async function prepareReceived(url, sandboxUrl, statusMeta) {
	const cookie = await ownerCookie(url);
	const newest = async () => {
		const filter = encodeURIComponent(JSON.stringify({ workflowId: statusMeta.id }));
		const response = await fetch(`${url}/rest/executions?limit=1&filter=${filter}`, { headers: { cookie } });
		const [latest] = /** @type {any} */ (await response.json()).data.results;
		return latest ? Number(latest.id) : 0;
	};
	const sent = await fetch(`${url}/webhook/whatsapp-send`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ provider: 'meta', to: TEST_NUMBERS.delivered, text: 'Your order #1042 has shipped' }),
	});
	if (!sent.ok) throw new Error(`the demo send via Meta answered ${sent.status}: ${await sent.text()}`);
	const { messageId } = /** @type {any} */ (await sent.json());
	await fetch(`${sandboxUrl}/_sandbox/idle`); // its delivered and seen callbacks made and answered
	const before = await newest();
	const played = await fetch(`${sandboxUrl}/_sandbox/inbound`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ provider: 'meta', from: TEST_NUMBERS.delivered, profileName: 'Asha', text: REPLY_TEXT, replyTo: messageId }),
	});
	if (!played.ok) throw new Error(`the sandbox could not play the reply: ${played.status} ${await played.text()}`);
	const deadline = Date.now() + 30000;
	let execution;
	while ((execution = await newest()) <= before) {
		if (Date.now() > deadline) throw new Error(`the reply played by the sandbox started no execution of "${statusMeta.name}"`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
	return execution;
}

/**
 * Opens a workflow's executions at `url` and waits for the execution's canvas (its preview frame);
 * with `icons`, also for every node icon to load or fail (they load after the canvas). The frame.
 */
async function openExecutionPreview(page, url, { icons = false } = {}) {
	await page.goto(url);
	await page.waitForSelector('[data-test-id="workflow-preview-iframe"]');
	const preview = page.frameLocator('[data-test-id="workflow-preview-iframe"]');
	await preview.locator('[data-test-id="canvas-node"]').first().waitFor();
	await page.waitForLoadState('networkidle');
	if (icons) {
		await preview.locator('img').evaluateAll((images) =>
			Promise.all(
				images.map((image) =>
					image.complete
						? null
						: new Promise((done) => {
								image.addEventListener('load', done, { once: true });
								image.addEventListener('error', done, { once: true });
							}),
				),
			),
		);
	}
	return preview;
}

/** That execution in the editor: the path out of Received, and in the Logs panel the item it carried. */
async function shootReceived({ page, options, shoot, textOf }, statusMeta, execution) {
	const preview = await openExecutionPreview(page, `${options.url}/workflow/${statusMeta.id}/executions/${execution}`, { icons: true });
	// The Logs panel under the canvas: the last node's output, the customer's reply as Received gave it.
	await preview.getByText('Logs').first().click();
	await preview.getByText(REPLY_TEXT).first().waitFor();
	await preview.locator('[data-test-id="zoom-to-fit"]').first().click();
	await page.mouse.move(VIEWPORT.width - 40, 400); // off the button: no hover ring in the picture
	await page.waitForTimeout(1500); // the panel's and the zoom's animations
	await shoot('received.png', async () => {
		const list = await textOf('[data-test-id="current-executions-list"]');
		const nodes = (await preview.locator('[data-test-id="canvas-node"]').allInnerTexts()).join('\n');
		const canvas = await preview.locator('body').innerText();
		const missing = ['Meta status', 'Received: answer the customer'].filter((name) => !nodes.includes(name));
		if (!canvas.includes('Received')) missing.push('the Received output');
		if (!canvas.includes(REPLY_TEXT)) missing.push(`the reply "${REPLY_TEXT}" in the Logs panel`);
		if (!/Succeeded/.test(list)) missing.push('a succeeded execution in the list');
		return missing.length ? `the execution view lacks ${missing.join(', ')}` : null;
	});
}

/** The appointment workflow's executions, the newest resumed by the tap; the Send and Wait panel. */
async function shootAppointment({ page, options, shoot, textOf, openPanel }, appointment, resumed) {
	const preview = await openExecutionPreview(page, `${options.url}/workflow/${appointment.id}/executions/${resumed}`, { icons: true });
	await page.waitForSelector('[data-test-id="current-executions-list"]');
	await page.waitForTimeout(1500);
	await shoot('send-and-wait.png', async () => {
		const list = await textOf('[data-test-id="current-executions-list"]');
		const nodes = (await preview.locator('[data-test-id="canvas-node"]').allInnerTexts()).join('\n');
		const missing = ['Ask to confirm', 'Confirmed: mark in calendar', 'Replies'].filter((name) => !nodes.includes(name));
		if (!/Succeeded/.test(list)) missing.push('a succeeded execution in the list');
		return missing.length ? `the executions view lacks ${missing.join(', ')}` : null;
	});
	const ask = appointment.nodes.find((node) => node.name === 'Ask to confirm');
	await openPanel(appointment, ask);
	await shoot('send-and-wait-panel.png', async () => {
		const text = await textOf('[data-test-id="ndv"]');
		const missing = ['Operation', 'Response Type', 'Choices', 'Limit Wait Time', 'Status Trigger'].filter((word) => !text.includes(word));
		const operation = await page.locator('[data-test-id="parameter-input-operation"] input').first().inputValue();
		if (operation !== 'Send and Wait for Reply') missing.push(`Operation Send and Wait for Reply (shows ${operation})`);
		return missing.length ? `the panel lacks ${missing.join(', ')}` : null;
	});
	await page.keyboard.press('Escape');
}

async function main() {
	const options = readOptions();
	if (options.help) {
		console.log('Usage: npm run screenshots [-- --url http://localhost:5678] [-- --sandbox http://127.0.0.1:5680] [-- --out docs/images]');
		return;
	}
	if (!fs.existsSync(CHROMIUM)) {
		console.error(`${CHROMIUM} is missing. Install Debian's Chromium (this script never downloads a browser):\n  sudo apt-get update && sudo apt-get install -y chromium`);
		process.exit(1);
	}
	const send = demoWorkflow('send.json');
	const status = demoWorkflow('status-twilio.json');
	const appointment = demoWorkflow('appointment.json');
	const statusMeta = demoWorkflow('status-meta.json');
	const notifyNode = send.nodes.find((node) => node.type === rt.NODE_TYPES.notify && node.parameters.provider === 'twilio');
	const triggerNode = status.nodes.find((node) => node.type === rt.NODE_TYPES.statusTrigger);

	let dev = null;
	let browser = null;
	let done = false;
	const cleanup = async () => {
		if (browser) await browser.close().catch(() => {});
		browser = null;
		if (dev) await dev.stop();
		dev = null;
	};
	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.on(signal, () => {
			if (done) return;
			done = true;
			say(`${signal}: cleaning up`);
			cleanup().finally(() => process.exit(130));
		});
	}

	try {
		if (!(await isUp(options.url))) {
			if (!/^http:\/\/(localhost|127\.0\.0\.1):5678$/.test(options.url)) throw new Error(`nothing answers at ${options.url}`);
			dev = startDev();
			await dev.ready;
		} else {
			say(`using the n8n at ${options.url}`);
		}
		say('sending a delivered and an undeliverable message via Twilio so the executions list has all three outputs');
		await prepareExecutions(options.url, status);
		const fallback = await prepareFallback(options.url, send);
		say('asking the appointment question and tapping "Confirm" through the sandbox');
		const resumed = await prepareAppointment(options.url, options.sandbox, appointment);
		say("playing a customer's reply to a Meta send through the sandbox: the Meta status workflow takes Received");
		const received = await prepareReceived(options.url, options.sandbox, statusMeta);

		fs.mkdirSync(options.out, { recursive: true });
		const opened = await openBrowser(options);
		browser = opened.browser;
		await signIn(opened.page, options);
		const pictures = pictureHelpers(opened.page, options);
		await shootSendWorkflow(pictures, send, notifyNode);
		await shootStatusWorkflow(pictures, status, triggerNode);
		await shootAppointment(pictures, appointment, resumed);
		await shootReceived(pictures, statusMeta, received);
		// Before the fallback's sends, so that the page's newest message is the appointment question.
		await shootSandboxPage(pictures);
		await shootFallback(pictures, fallback);
	} finally {
		done = true;
		await cleanup();
	}
}

main().catch((error) => {
	console.error(`[screenshots] failed: ${error.stack || error.message}`);
	process.exit(1);
});
