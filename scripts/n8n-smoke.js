#!/usr/bin/env node
'use strict';
/**
 * Smoke check of the package inside a real n8n (scripts/n8n-runtime.js):
 * a fresh user folder on a free loopback port, the package installed as a community package,
 * three workflows imported and published through the CLI, then:
 *   1. POST /webhook/smoke            -> Webhook -> Code answers, an execution is recorded
 *   2. Webhook node without webhookId -> lives at /webhook/<workflowId>/<node name>/<path>
 *   3. WhatsApp Status Trigger (twilio), unsigned form POST   -> 401, no execution
 *   4. the same with a valid X-Twilio-Signature (delivered)    -> 200, execution on "Delivered"
 *   5. both node types of the package are known to n8n
 *   6. WhatsApp Notify (twilio) sends through a local mock of Twilio's API and returns its answer
 *
 * Usage: node scripts/n8n-smoke.js [--keep]   (--keep leaves the temp user folder in place)
 */

const crypto = require('node:crypto');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');

const rt = require('./n8n-runtime');

const keep = process.argv.includes('--keep');
const AUTH_TOKEN = 'smoke-auth-token-0123456789abcdef';

function check(condition, message) {
	if (!condition) throw new Error(`FAILED: ${message}`);
	console.log(`  ok  ${message}`);
}

/** X-Twilio-Signature: base64 HMAC-SHA1 over the URL followed by the sorted form fields. */
function twilioSignature(authToken, url, fields) {
	const data = Object.keys(fields)
		.sort()
		.reduce((text, key) => text + key + fields[key], url);
	return crypto.createHmac('sha1', authToken).update(data).digest('base64');
}

async function waitFor(fn, { timeoutMs = 15000, what }) {
	const started = Date.now();
	for (;;) {
		const value = await fn();
		if (value) return value;
		if (Date.now() - started > timeoutMs) throw new Error(`FAILED: timed out waiting for ${what}`);
		await new Promise((resolve) => setTimeout(resolve, 250));
	}
}

async function main() {
	const timings = {};
	let t = Date.now();
	await rt.ensureN8n();
	timings.ensureN8n = Date.now() - t;

	const userFolder = fs.mkdtempSync(path.join(os.tmpdir(), 'n8n-smoke-'));
	console.log(`user folder ${userFolder}`);
	let n8n;
	// A stand-in for api.twilio.com on loopback: records what WhatsApp Notify sends.
	const twilioRequests = [];
	const mockTwilio = http.createServer((req, res) => {
		let body = '';
		req.on('data', (chunk) => (body += chunk));
		req.on('end', () => {
			twilioRequests.push({ method: req.method, url: req.url, headers: req.headers, body });
			res.writeHead(201, { 'content-type': 'application/json' });
			res.end(JSON.stringify({ sid: 'SM00000000000000000000000000000099', status: 'queued', to: 'whatsapp:+15005550006' }));
		});
	});
	await new Promise((resolve) => mockTwilio.listen(0, '127.0.0.1', resolve));
	const mockUrl = `http://127.0.0.1:${mockTwilio.address().port}`;
	try {
		t = Date.now();
		rt.installPackage(userFolder);
		timings.installPackage = Date.now() - t;

		t = Date.now();
		const [credential] = rt.importCredentials(userFolder, [
			{
				name: 'Twilio smoke',
				type: 'twilioWhatsAppApi',
				data: {
					accountSid: 'AC00000000000000000000000000000000',
					authToken: AUTH_TOKEN,
					fromNumber: '+14155238886',
					messagingServiceSid: '',
					baseUrl: mockUrl,
				},
			},
		]);
		timings.importCredentials = Date.now() - t;

		const smokeHook = {
			id: 'b1',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: crypto.randomUUID(),
			parameters: { httpMethod: 'POST', path: 'smoke', responseMode: 'lastNode' },
		};
		const noIdHook = {
			id: 'c1',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			parameters: { httpMethod: 'POST', path: 'no-webhook-id', responseMode: 'onReceived' },
		};
		const trigger = {
			id: 'd1',
			name: 'WhatsApp Status Trigger',
			type: rt.NODE_TYPES.statusTrigger,
			typeVersion: 1,
			position: [0, 0],
			webhookId: crypto.randomUUID(),
			parameters: { provider: 'twilio', options: {} },
			credentials: { twilioWhatsAppApi: { id: credential.id, name: credential.name } },
		};
		const code = (name, js) => ({
			id: `${name}-code`,
			name,
			type: 'n8n-nodes-base.code',
			typeVersion: 2,
			position: [300, 0],
			parameters: { jsCode: js },
		});
		const notifyHook = {
			id: 'e1',
			name: 'Webhook',
			type: 'n8n-nodes-base.webhook',
			typeVersion: 2,
			position: [0, 0],
			webhookId: crypto.randomUUID(),
			parameters: { httpMethod: 'POST', path: 'notify', responseMode: 'lastNode' },
		};
		const notify = {
			id: 'e2',
			name: 'WhatsApp Notify',
			type: rt.NODE_TYPES.notify,
			typeVersion: 1,
			position: [300, 0],
			parameters: { provider: 'twilio', recipient: '={{ $json.body.to }}', message: '={{ $json.body.text }}' },
			credentials: { twilioWhatsAppApi: { id: credential.id, name: credential.name } },
		};
		const workflows = [
			{
				id: rt.newId(),
				name: 'Smoke webhook',
				active: true,
				nodes: [smokeHook, code('Code', 'return [{ json: { pong: true, got: $input.first().json.body } }];')],
				connections: { Webhook: { main: [[{ node: 'Code', type: 'main', index: 0 }]] } },
			},
			{
				id: rt.newId(),
				name: 'Webhook without webhookId',
				active: true,
				nodes: [noIdHook],
				connections: {},
			},
			{
				id: rt.newId(),
				name: 'Status trigger',
				active: true,
				nodes: [
					trigger,
					code('On delivered', 'return $input.all();'),
					code('On seen', 'return $input.all();'),
					code('On discarded', 'return $input.all();'),
				],
				connections: {
					'WhatsApp Status Trigger': {
						main: [
							[{ node: 'On delivered', type: 'main', index: 0 }],
							[{ node: 'On seen', type: 'main', index: 0 }],
							[{ node: 'On discarded', type: 'main', index: 0 }],
						],
					},
				},
			},
			{
				id: rt.newId(),
				name: 'Notify',
				active: true,
				nodes: [notifyHook, notify],
				connections: { Webhook: { main: [[{ node: 'WhatsApp Notify', type: 'main', index: 0 }]] } },
			},
		];
		t = Date.now();
		const imported = rt.importWorkflows(userFolder, workflows);
		timings.importWorkflows = Date.now() - t;
		const [smokeWf, noIdWf, statusWf] = imported;

		t = Date.now();
		n8n = await rt.startN8n({ userFolder, setupOwner: true, expectActive: imported.map((w) => w.id) });
		timings.start = Date.now() - t;
		console.log(`n8n ${rt.N8N_VERSION} up at ${n8n.url} (pid ${n8n.pid}, boot ${n8n.bootMs} ms, log ${n8n.logFile})`);

		// 5. node types
		const types = JSON.parse(fs.readFileSync(path.join(userFolder, '.cache/n8n/public/types/nodes.json'), 'utf8'));
		for (const type of Object.values(rt.NODE_TYPES)) {
			check(types.some((t2) => t2.name === type), `n8n knows ${type}`);
		}
		const typesOverHttp = await fetch(`${n8n.localUrl}/types/nodes.json`, { headers: { cookie: n8n.cookie } });
		check(typesOverHttp.ok, 'GET /types/nodes.json with the owner cookie');

		// 1. Webhook -> Code
		const smokeUrl = n8n.webhookUrl(rt.productionWebhookPath({ node: smokeHook, path: 'smoke', isFullPath: true }));
		check(smokeUrl === `${n8n.localUrl}/webhook/smoke`, `Webhook node with webhookId lives at ${smokeUrl}`);
		const smokeRes = await fetch(smokeUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ ping: 1 }),
		});
		const smokeBody = await smokeRes.json();
		check(smokeRes.status === 200 && smokeBody.pong === true && smokeBody.got.ping === 1, `POST ${smokeUrl} -> 200 ${JSON.stringify(smokeBody)}`);
		const smokeExecutions = await waitFor(
			async () => {
				const list = await n8n.executions({ workflowId: smokeWf.id });
				return list.length && list.every((e) => e.status === 'success') ? list : null;
			},
			{ what: 'the smoke execution' },
		);
		check(smokeExecutions.length === 1 && smokeExecutions[0].mode === 'webhook', `one execution (mode webhook, ${smokeExecutions[0].status})`);

		// 2. webhookId matters for the URL
		const noIdPath = rt.productionWebhookPath({ workflowId: noIdWf.id, node: noIdHook, path: 'no-webhook-id', isFullPath: true });
		const noIdRes = await fetch(n8n.webhookUrl(noIdPath), { method: 'POST' });
		check(noIdRes.status === 200, `Webhook node WITHOUT webhookId lives at /webhook/${noIdPath} (${noIdRes.status})`);
		const noIdShort = await fetch(n8n.webhookUrl('no-webhook-id'), { method: 'POST' });
		check(noIdShort.status === 404, `... and not at /webhook/no-webhook-id (${noIdShort.status})`);

		// 3. status trigger, unsigned
		const statusPath = rt.productionWebhookPath({ node: trigger, path: 'status' });
		const statusUrl = n8n.webhookUrl(statusPath);
		check(statusPath === `${trigger.webhookId}/status`, `trigger URL is /webhook/<webhookId>/status: ${statusUrl}`);
		const fields = {
			MessageSid: 'SM00000000000000000000000000000001',
			MessageStatus: 'delivered',
			AccountSid: 'AC00000000000000000000000000000000',
			From: 'whatsapp:+14155238886',
			To: 'whatsapp:+15005550006',
			ApiVersion: '2010-04-01',
			ChannelPrefix: 'whatsapp',
		};
		const form = new URLSearchParams(fields).toString();
		const unsigned = await fetch(statusUrl, {
			method: 'POST',
			headers: { 'content-type': 'application/x-www-form-urlencoded' },
			body: form,
		});
		const unsignedText = await unsigned.text();
		check(unsigned.status === 401, `unsigned Twilio callback -> ${unsigned.status} ${unsignedText}`);

		// 4. status trigger, signed
		const signed = await fetch(statusUrl, {
			method: 'POST',
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				'x-twilio-signature': twilioSignature(AUTH_TOKEN, statusUrl, fields),
			},
			body: form,
		});
		check(signed.status === 200, `signed Twilio callback -> ${signed.status}`);
		const statusExecutions = await waitFor(
			async () => {
				const list = await n8n.executions({ workflowId: statusWf.id, includeData: true });
				return list.length && list.every((e) => e.status === 'success') ? list : null;
			},
			{ what: 'the status trigger execution' },
		);
		check(statusExecutions.length === 1, 'exactly one execution: the 401 started none');
		const data = statusExecutions[0].data || '';
		check(
			typeof data === 'string' && data.includes('On delivered') && data.includes('SM00000000000000000000000000000001'),
			'the execution ran "On delivered" with the message id',
		);
		// 6. WhatsApp Notify -> mock Twilio
		const notifyRes = await fetch(n8n.webhookUrl('notify'), {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify({ to: '+15005550006', text: 'Hello from the smoke check' }),
		});
		const notifyText = await notifyRes.text();
		check(notifyRes.status === 200, `POST /webhook/notify -> ${notifyRes.status} ${notifyText.slice(0, 300)}`);
		check(twilioRequests.length === 1, `the mock Twilio got ${twilioRequests.length} request(s)`);
		const sent = twilioRequests[0];
		const sentForm = new URLSearchParams(sent.body);
		check(
			sent.method === 'POST' && sent.url === '/2010-04-01/Accounts/AC00000000000000000000000000000000/Messages.json',
			`... ${sent.method} ${sent.url}`,
		);
		check(
			sentForm.get('To') === 'whatsapp:+15005550006' && sentForm.get('Body') === 'Hello from the smoke check',
			`... form To=${sentForm.get('To')} From=${sentForm.get('From')} Body=${sentForm.get('Body')}`,
		);
		check(
			sent.headers.authorization ===
				`Basic ${Buffer.from(`AC00000000000000000000000000000000:${AUTH_TOKEN}`).toString('base64')}`,
			'... with Basic auth from the credential',
		);

		check(n8n.activationErrors.length === 0, 'no activation errors in the log');
		const networkErrors = n8n.readLog().match(/ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT/g);
		check(!networkErrors, `no network errors in the log${networkErrors ? `: ${networkErrors.join(', ')}` : ''}`);

		t = Date.now();
		await n8n.stop();
		timings.stop = Date.now() - t;
		check(n8n.process.exitCode !== undefined, `n8n stopped (exit ${n8n.process.exitCode}, ${n8n.process.signalCode || 'no signal'})`);
		n8n = null;
		console.log('timings (ms):', JSON.stringify(timings));
		console.log('SMOKE OK');
	} finally {
		if (n8n) await n8n.stop();
		mockTwilio.close();
		if (keep) console.log(`kept ${userFolder}`);
		else fs.rmSync(userFolder, { recursive: true, force: true });
	}
}

main().catch((error) => {
	console.error(error.stack || error.message);
	process.exit(1);
});
