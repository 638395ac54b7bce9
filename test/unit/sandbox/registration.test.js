/**
 * The loop without a provider console, against the sandbox: the Status Trigger registers its URL
 * through each provider's registration API (n8n-core's HookContext), WhatsApp Notify sends
 * (n8n-core's engine), and the sandbox calls what was registered, signed with what was
 * registered; a local receiver hands each call to the trigger's webhook (n8n-core's
 * WebhookContext) with the static data activation left. Deactivation removes exactly that.
 */

'use strict';

const http = require('http');

const { startSandbox, SANDBOX_CREDENTIALS, TEST_NUMBERS } = require('../../../sandbox/server');
const { runNotify, runStatusWebhook, runWebhookMethod } = require('../../helpers/engine');
const { providersOffline } = require('../../helpers/offline');

providersOffline({ localServers: true });

const CREDENTIAL_TYPES = { smooch: 'smoochApi', gupshup: 'gupshupApi', twilio: 'twilioWhatsAppApi', meta: 'metaWhatsAppCloudApi' };

/** Sandbox credentials with no callback secret of their own: only what registration makes can verify. */
function credentialsFor(provider, baseUrl) {
	const { smooch, gupshup, twilio, meta } = SANDBOX_CREDENTIALS;
	const values = {
		smooch: { appId: smooch.appId, keyId: smooch.keyId, secret: smooch.secret, integrationId: smooch.integrationId, region: 'custom', baseUrl },
		gupshup: { apiKey: gupshup.apiKey, sourceNumber: gupshup.sourceNumber, appName: gupshup.appName, appId: gupshup.appId, baseUrl },
		twilio: { accountSid: twilio.accountSid, authToken: twilio.authToken, fromNumber: twilio.fromNumber, baseUrl },
		meta: { accessToken: meta.accessToken, phoneNumberId: meta.phoneNumberId, appSecret: meta.appSecret, apiVersion: meta.apiVersion, baseUrl },
	}[provider];
	return { [CREDENTIAL_TYPES[provider]]: values };
}

/**
 * Plays n8n's webhook server for one trigger: each request goes to the trigger's webhook with the
 * static data of the latest activation (`state.staticData`); what it answers goes back.
 */
async function startReceiver(state) {
	const receiver = { outputs: [], answers: [] };
	receiver.server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', async () => {
			const rawBody = Buffer.concat(chunks);
			const url = new URL(req.url, 'http://127.0.0.1');
			const text = rawBody.toString('utf-8');
			const body = !text ? {} : String(req.headers['content-type']).includes('json') ? JSON.parse(text) : Object.fromEntries(new URLSearchParams(text));
			const { response, outputs } = await runStatusWebhook({
				method: req.method,
				parameters: { provider: state.provider },
				credentials: state.credentials,
				staticData: state.staticData,
				webhookBaseUrl: receiver.webhookBaseUrl,
				request: { body, rawBody, headers: req.headers, query: Object.fromEntries(url.searchParams), url: req.url },
			});
			receiver.answers.push(response.statusCode ?? 200);
			if (req.method === 'POST') receiver.outputs.push(outputs);
			res.statusCode = response.statusCode ?? 200;
			res.end(response.body ?? '');
		});
	});
	await new Promise((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
	receiver.webhookBaseUrl = `http://127.0.0.1:${receiver.server.address().port}/webhook`;
	receiver.triggerUrl = `${receiver.webhookBaseUrl}/trigger-id/status`;
	return receiver;
}

let sandbox;
beforeAll(async () => {
	sandbox = await startSandbox({ callbackDelayMs: 0 });
});
afterAll(() => sandbox.close());

describe.each(['smooch', 'gupshup', 'twilio', 'meta'])('%s: register, receive, remove', (provider) => {
	test('activation registers one callback for the trigger’s URL; statuses arrive verified; deactivation removes it', async () => {
		const credentials = credentialsFor(provider, sandbox.url);
		const state = { provider, credentials, staticData: {} };
		const receiver = await startReceiver(state);
		try {
			const hook = (method) =>
				runWebhookMethod({ method, parameters: { provider }, credentials, staticData: state.staticData, webhookBaseUrl: receiver.webhookBaseUrl });
			const exists = await hook('checkExists');
			expect(exists.result).toBe(false);
			const created = await hook('create');
			expect(created.error).toBeNull();
			state.staticData = created.staticData;
			const mine = () => JSON.stringify(sandbox.registrations[provider] ?? []).split(receiver.triggerUrl).length - 1;
			// Twilio: a sink names the URL; its subscription names the sink.
			expect(mine()).toBe(1);
			expect((await hook('checkExists')).result).toBe(true);

			const sent = await runNotify({ parameters: { provider, recipient: TEST_NUMBERS.delivered, message: 'registered' }, credentials });
			expect(sent.error).toBeNull();
			await sandbox.idle();
			const events = receiver.outputs.flatMap((outputs) => [...outputs.delivered, ...outputs.seen]);
			expect(receiver.answers.every((status) => status === 200)).toBe(true);
			expect(events.some((event) => event.status === 'delivered' && event.messageId === sent.items[0].json.messageId)).toBe(true);
			expect(events.some((event) => event.status === 'seen')).toBe(true);

			// The same body without what the registration made (secret, token, signature): refused.
			const delivered = sandbox.callbacks.filter((callback) => callback.provider === provider && callback.registered).pop();
			const forged = await fetch(receiver.triggerUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(delivered.body) });
			expect(forged.status).toBe(401);

			const removed = await hook('delete');
			expect(removed.error).toBeNull();
			expect(mine()).toBe(0);
		} finally {
			await new Promise((resolve) => receiver.server.close(resolve));
		}
	});
});
