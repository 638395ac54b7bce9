/**
 * WhatsApp Status Trigger through n8n-core's WebhookContext: authenticity
 * checks, and routing of every callback format onto Delivered / Seen /
 * Discarded (and Other when asked for).
 */
const { twilioSignature } = require('../../sandbox/providers/twilio');
const { runStatusWebhook, triggerOutputNames } = require('../helpers/engine');
const smooch = require('../fixtures/smooch-callbacks.json');
const gupshup = require('../fixtures/gupshup-callbacks.json');
const twilio = require('../fixtures/twilio-callbacks.json');
const meta = require('../fixtures/meta-callbacks.json');
const { META } = require('../helpers/credentials');

const TWILIO_CREDENTIAL = { twilioWhatsAppApi: { accountSid: 'AC00000000000000000000000000000000', authToken: 'twilio-auth-token' } };
const SMOOCH_CREDENTIAL = { smoochApi: { appId: 'a', keyId: 'k', secret: 's', integrationId: 'i', webhookSecret: 'smooch-webhook-secret' } };
const GUPSHUP_CREDENTIAL = { gupshupApi: { apiKey: 'k', sourceNumber: '+917834811114', appName: 'DemoApp', webhookToken: 'gupshup-token' } };
// What n8n shows as the production URL in the harness (WEBHOOK_URL https://n8n.example.com/).
const PRODUCTION_URL = 'https://n8n.example.com/webhook/trigger-id/status';

/** Signed as Twilio does, by the sandbox's signer (independent of the package, checked against Twilio's test vector). */
const signTwilio = (url, params, token = 'twilio-auth-token') => twilioSignature(token, url, params);

const twilioCall = (body, { url = PRODUCTION_URL, path = '/webhook/trigger-id/status', signature = undefined } = {}) => ({
	parameters: { provider: 'twilio' },
	credentials: TWILIO_CREDENTIAL,
	request: { body, url: path, headers: { 'X-Twilio-Signature': signature ?? signTwilio(url, body) } },
});

describe('authenticity', () => {
	test('a correctly signed Twilio callback is accepted and routed', async () => {
		const { outputs, response } = await runStatusWebhook(twilioCall(twilio.delivered));
		expect(response.statusCode).toBeUndefined();
		expect(outputs.delivered).toHaveLength(1);
	});

	test('Twilio: a forged signature, or none, answers 401 and starts nothing', async () => {
		for (const signature of ['RSOYDt4T1cUTdK1PDd93/VVr8B8=', '']) {
			const { result, response } = await runStatusWebhook(twilioCall(twilio.delivered, { signature }));
			expect(response.statusCode).toBe(401);
			expect(result).toEqual({ noWebhookResponse: true });
		}
	});

	test('Twilio: a body changed after signing fails the check', async () => {
		const signature = signTwilio(PRODUCTION_URL, twilio.undelivered);
		const tampered = { ...twilio.undelivered, MessageStatus: 'delivered' };
		const { response } = await runStatusWebhook(twilioCall(tampered, { signature }));
		expect(response.statusCode).toBe(401);
	});

	test('Twilio: the query string is part of the signed URL, and the editor test URL is accepted', async () => {
		const signedWithQuery = signTwilio(`${PRODUCTION_URL}?tenant=7`, twilio.read);
		const withQuery = await runStatusWebhook(
			twilioCall(twilio.read, { path: '/webhook/trigger-id/status?tenant=7', signature: signedWithQuery }),
		);
		expect(withQuery.outputs.seen).toHaveLength(1);

		const testUrl = 'https://n8n.example.com/webhook-test/trigger-id/status';
		const inEditor = await runStatusWebhook(
			twilioCall(twilio.read, { path: '/webhook-test/trigger-id/status', signature: signTwilio(testUrl, twilio.read) }),
		);
		expect(inEditor.outputs.seen).toHaveLength(1);
	});

	test('Twilio: the Public URL option is what gets checked behind a proxy', async () => {
		const publicUrl = 'https://hooks.example.org/twilio/status';
		const call = twilioCall(twilio.delivered, { signature: signTwilio(publicUrl, twilio.delivered) });
		const without = await runStatusWebhook(call);
		expect(without.response.statusCode).toBe(401);
		const withOption = await runStatusWebhook({ ...call, parameters: { provider: 'twilio', options: { publicUrl } } });
		expect(withOption.outputs.delivered).toHaveLength(1);
	});

	test('Smooch: X-API-Key must equal the webhook secret', async () => {
		const call = (key) => ({
			parameters: { provider: 'smooch' },
			credentials: SMOOCH_CREDENTIAL,
			request: { body: smooch.notificationDelivered, headers: key === undefined ? {} : { 'X-API-Key': key } },
		});
		expect((await runStatusWebhook(call('smooch-webhook-secret'))).outputs.delivered).toHaveLength(1);
		expect((await runStatusWebhook(call('wrong'))).response.statusCode).toBe(401);
		expect((await runStatusWebhook(call(undefined))).response.statusCode).toBe(401);
	});

	test('Gupshup: the token is accepted from the query or the X-Webhook-Token header, and required', async () => {
		const call = (request) => ({ parameters: { provider: 'gupshup' }, credentials: GUPSHUP_CREDENTIAL, request: { body: gupshup.delivered, ...request } });
		expect((await runStatusWebhook(call({ query: { token: 'gupshup-token' } }))).outputs.delivered).toHaveLength(1);
		expect((await runStatusWebhook(call({ headers: { 'X-Webhook-Token': 'gupshup-token' } }))).outputs.delivered).toHaveLength(1);
		expect((await runStatusWebhook(call({ query: { token: 'guess' } }))).response.statusCode).toBe(401);
		expect((await runStatusWebhook(call({}))).response.statusCode).toBe(401);
	});

	test('a credential without a callback secret: every callback is refused with 401, for every provider', async () => {
		const cases = [
			['smooch', { smoochApi: { ...SMOOCH_CREDENTIAL.smoochApi, webhookSecret: '' } }, { body: smooch.notificationDelivered, headers: { 'X-API-Key': '' } }],
			['gupshup', { gupshupApi: { ...GUPSHUP_CREDENTIAL.gupshupApi, webhookToken: '' } }, { body: gupshup.delivered, query: { token: '' } }],
			['twilio', { twilioWhatsAppApi: { ...TWILIO_CREDENTIAL.twilioWhatsAppApi, authToken: '' } }, twilioCall(twilio.delivered).request],
			['meta', { metaWhatsAppCloudApi: { ...META, appSecret: '' } }, { body: meta.delivered, headers: { 'X-Hub-Signature-256': 'sha256=' } }],
		];
		for (const [provider, credentials, request] of cases) {
			const { result, response } = await runStatusWebhook({ parameters: { provider }, credentials, request });
			expect([provider, response.statusCode, response.body]).toEqual([
				provider,
				401,
				'Unauthorized: the credential has no callback secret to check callbacks against',
			]);
			expect(result).toEqual({ noWebhookResponse: true });
		}
	});

	test('Accept Unverified Callbacks reads callbacks without a secret (Smooch, Gupshup)', async () => {
		const options = { acceptUnverifiedCallbacks: true };
		const fromSmooch = await runStatusWebhook({
			parameters: { provider: 'smooch', options },
			credentials: { smoochApi: { ...SMOOCH_CREDENTIAL.smoochApi, webhookSecret: '' } },
			request: { body: smooch.notificationDelivered },
		});
		expect(fromSmooch.response.statusCode).toBeUndefined();
		expect(fromSmooch.outputs.delivered).toHaveLength(1);
		const fromGupshup = await runStatusWebhook({
			parameters: { provider: 'gupshup', options },
			credentials: { gupshupApi: { ...GUPSHUP_CREDENTIAL.gupshupApi, webhookToken: '' } },
			request: { body: gupshup.read },
		});
		expect(fromGupshup.outputs.seen).toHaveLength(1);
	});

	test('the option does not turn off a check the credential can make', async () => {
		const { response } = await runStatusWebhook({
			parameters: { provider: 'smooch', options: { acceptUnverifiedCallbacks: true } },
			credentials: SMOOCH_CREDENTIAL,
			request: { body: smooch.notificationDelivered, headers: { 'X-API-Key': 'wrong' } },
		});
		expect(response.statusCode).toBe(401);
	});

	test('the check comes before reading: a forged malformed body is 401, a genuine malformed body is 400', async () => {
		const forged = await runStatusWebhook({ parameters: { provider: 'smooch' }, credentials: SMOOCH_CREDENTIAL, request: { body: { hello: 'world' } } });
		expect(forged.response.statusCode).toBe(401);
		const malformed = await runStatusWebhook({
			parameters: { provider: 'smooch' },
			credentials: SMOOCH_CREDENTIAL,
			request: { body: { hello: 'world' }, headers: { 'X-API-Key': 'smooch-webhook-secret' } },
		});
		expect(malformed.response.statusCode).toBe(400);
		expect(malformed.result).toEqual({ noWebhookResponse: true });
	});

	test('a Twilio callback posted to a Gupshup trigger is unreadable: 400', async () => {
		const { response } = await runStatusWebhook({
			parameters: { provider: 'gupshup' },
			credentials: GUPSHUP_CREDENTIAL,
			request: { body: twilio.delivered, query: { token: 'gupshup-token' } },
		});
		expect(response.statusCode).toBe(400);
	});
});

describe('routing', () => {
	const smoochCall = (body) => ({
		parameters: { provider: 'smooch' },
		credentials: SMOOCH_CREDENTIAL,
		request: { body, headers: { 'X-API-Key': 'smooch-webhook-secret' } },
	});
	const gupshupCall = (body, options) => ({
		parameters: { provider: 'gupshup', options },
		credentials: GUPSHUP_CREDENTIAL,
		request: { body, query: { token: 'gupshup-token' } },
	});

	test('Twilio delivered, read, undelivered and failed land on Delivered, Seen, Discarded', async () => {
		const delivered = await runStatusWebhook(twilioCall(twilio.delivered));
		const read = await runStatusWebhook(twilioCall(twilio.read));
		const undelivered = await runStatusWebhook(twilioCall(twilio.undelivered));
		const failed = await runStatusWebhook(twilioCall(twilio.failedOutsideWindow));

		expect(delivered.outputs.delivered[0]).toMatchObject({
			provider: 'twilio',
			status: 'delivered',
			messageId: 'SM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e',
			recipient: '+14155551234',
			error: null,
			raw: twilio.delivered,
		});
		expect(read.outputs.seen[0]).toMatchObject({ status: 'seen', messageId: 'SM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e' });
		expect(undelivered.outputs.discarded[0]).toMatchObject({
			status: 'discarded',
			providerStatus: 'undelivered',
			error: { code: 63024, message: 'Invalid message recipient' },
		});
		expect(failed.outputs.discarded[0].error).toEqual({
			code: 63016,
			message: 'Outside the 24-hour window: send a template (ContentSid) instead of free-form text',
		});
	});

	test('Smooch v1.1 notification and conversation-message triggers, and conversation:read', async () => {
		const delivered = await runStatusWebhook(smoochCall(smooch.notificationDelivered));
		const failed = await runStatusWebhook(smoochCall(smooch.notificationFailed));
		const conversation = await runStatusWebhook(smoochCall(smooch.conversationMessageDelivered));
		const read = await runStatusWebhook(smoochCall(smooch.conversationRead));

		expect(delivered.outputs.delivered[0]).toMatchObject({
			provider: 'smooch',
			messageId: 'e7e5d9d7-4aef-4f1f-b4e5-7d2c3a4e5f60',
			recipient: '+15145555333',
			timestamp: '2020-03-26T17:21:55.385Z',
		});
		expect(failed.outputs.discarded[0]).toMatchObject({
			messageId: '0b3a8e44-5a1c-4d42-9a3e-1f2b3c4d5e6f',
			error: { code: 470, message: expect.stringContaining('24 hours') },
		});
		expect(conversation.outputs.delivered[0].messageId).toBe('5e7dbc1d1a4b53000f9a7e01');
		expect(read.outputs.seen[0]).toMatchObject({
			status: 'seen',
			messageId: null,
			conversationId: '105e47578be874292d365ee8',
			userId: 'c7f6e6d6c3a637261bd9656f',
		});
	});

	test('a Sunshine v2 batch gives one item per event, each on its output', async () => {
		const { outputs } = await runStatusWebhook(smoochCall(smooch.v2Batch));
		expect(outputs.delivered.map((event) => event.messageId)).toEqual(['5fb29c3f0c9de5000c0a1aff']);
		expect(outputs.seen).toEqual([
			expect.objectContaining({ messageId: null, conversationId: 'a6b2e1c0d9e8f7a6b5c4d3e2', userId: '7494535bff5cef41a15be74d', eventId: 'smooch:5fb29c4b0c9de5000c0a1b02' }),
		]);
		expect(outputs.discarded[0]).toMatchObject({ messageId: '5fb29c400c9de5000c0a1b00', error: { code: 131026, message: 'Message Undeliverable' } });
		// The channel-delivery event is "sent": acknowledged, not emitted while Other is off.
		expect(outputs.other).toEqual([]);
	});

	test('Gupshup v2: gsId is the messageId; synchronous failures use id', async () => {
		const delivered = await runStatusWebhook(gupshupCall(gupshup.delivered));
		const read = await runStatusWebhook(gupshupCall(gupshup.read));
		const failedAsync = await runStatusWebhook(gupshupCall(gupshup.failedAsync));
		const failedSync = await runStatusWebhook(gupshupCall(gupshup.failedSync));

		expect(delivered.outputs.delivered[0]).toMatchObject({
			messageId: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35',
			recipient: '+919163125987',
			timestamp: '2020-01-28T16:09:26.000Z',
		});
		expect(read.outputs.seen[0].messageId).toBe('ee4a68a0-1203-4c85-8dc3-49d0b3226a35');
		expect(failedAsync.outputs.discarded[0]).toMatchObject({ messageId: '59f8db90-b8a3-4b4e-b2d2-6c8f2a1d0e11', error: { code: 470 } });
		expect(failedSync.outputs.discarded[0]).toMatchObject({
			messageId: 'a1b2c3d4-0000-4c85-8dc3-49d0b3226a99',
			error: { code: 1002, message: 'Number Does Not Exists On WhatsApp' },
		});
	});

	test('Gupshup v3 statuses: one item per status, with gs_id as the messageId', async () => {
		const { outputs } = await runStatusWebhook(gupshupCall(gupshup.v3Statuses, { includeOtherEvents: true }));
		expect(outputs.delivered.map((event) => event.messageId)).toEqual(['7c8f2f0e-1d2b-4b0a-9a53-2b9d2f7f1c11']);
		expect(outputs.seen.map((event) => event.messageId)).toEqual(['7c8f2f0e-1d2b-4b0a-9a53-2b9d2f7f1c11']);
		expect(outputs.discarded[0]).toMatchObject({ recipient: '+16505551235', error: { code: 131026, message: 'Message undeliverable' } });
		expect(outputs.other.map((event) => event.status)).toEqual(['sent']);
	});

	test('sent / enqueued events are acknowledged with an empty 200 and start nothing, unless Other is on', async () => {
		const quiet = await runStatusWebhook(twilioCall(twilio.sent));
		expect(quiet.response.statusCode).toBe(200);
		expect(quiet.response.body).toBe('');
		expect(quiet.result).toEqual({ noWebhookResponse: true });

		const enqueued = await runStatusWebhook(gupshupCall(gupshup.enqueued, { includeOtherEvents: true }));
		expect(enqueued.outputs.other).toEqual([expect.objectContaining({ status: 'sent', providerStatus: 'enqueued' })]);
		expect(enqueued.result.workflowData).toHaveLength(4);
	});

	test('inbound messages on the same endpoint are acknowledged, not emitted', async () => {
		const gupshupInbound = await runStatusWebhook(gupshupCall(gupshup.inboundMessage, { includeOtherEvents: true }));
		expect(gupshupInbound.response.statusCode).toBe(200);
		const smoochInbound = await runStatusWebhook(smoochCall(smooch.appUserMessage));
		expect(smoochInbound.outputs).toEqual({ delivered: [], seen: [], discarded: [], other: [], received: [] });
	});

	test('a repeated callback carries the same eventId; a different event does not', async () => {
		const first = await runStatusWebhook(twilioCall(twilio.delivered));
		const again = await runStatusWebhook(twilioCall(twilio.delivered));
		const read = await runStatusWebhook(twilioCall(twilio.read));
		expect(first.outputs.delivered[0].eventId).toBe(again.outputs.delivered[0].eventId);
		expect(read.outputs.seen[0].eventId).not.toBe(first.outputs.delivered[0].eventId);
	});

	test('the editor shows three outputs, four with Include Other Events', () => {
		expect(triggerOutputNames({ provider: 'twilio' })).toEqual(['Delivered', 'Seen', 'Discarded']);
		expect(triggerOutputNames({ provider: 'twilio', options: { includeOtherEvents: true } })).toEqual([
			'Delivered',
			'Seen',
			'Discarded',
			'Other',
		]);
	});
});
