/**
 * WhatsApp Status Trigger against callers who are not the provider (issue 7): hostile bodies,
 * signatures made for another host, missing secrets. Each answer is checked as n8n would see it:
 * what the node answered itself, and whether it handed n8n anything to run.
 */
const { twilioSignature } = require('../../sandbox/providers/twilio');
const { runStatusWebhook } = require('../helpers/engine');
const twilio = require('../fixtures/twilio-callbacks.json');
const smooch = require('../fixtures/smooch-callbacks.json');
const gupshup = require('../fixtures/gupshup-callbacks.json');

const AUTH_TOKEN = 'twilio-auth-token';
const TWILIO_CREDENTIAL = { twilioWhatsAppApi: { accountSid: 'AC00000000000000000000000000000000', authToken: AUTH_TOKEN } };
const SMOOCH_CREDENTIAL = { smoochApi: { appId: 'a', keyId: 'k', secret: 's', integrationId: 'i', webhookSecret: 'smooch-webhook-secret' } };
const GUPSHUP_CREDENTIAL = { gupshupApi: { apiKey: 'k', sourceNumber: '+917834811114', appName: 'DemoApp', webhookToken: 'gupshup-token' } };
const PATH = '/webhook/trigger-id/status';

/** Signed as Twilio does, by the sandbox's signer (independent of the package). */
const signTwilio = (url, params, token = AUTH_TOKEN) => twilioSignature(token, url, params);

/** Nothing was handed to n8n to run: no execution, failed or not. */
function expectNoExecution({ result }) {
	expect(result).toEqual({ noWebhookResponse: true });
}

describe('hostile bodies never reach the parser unverified, and never throw', () => {
	test.each([
		['an object with a toString field', { MessageSid: 'SM1', MessageStatus: { toString: 1 } }],
		['an array status', { MessageSid: 'SM1', MessageStatus: ['delivered'] }],
		['a number sid', { MessageSid: 1, MessageStatus: 'delivered' }],
		['a nested valueOf', { MessageSid: 'SM1', MessageStatus: 'delivered', To: { valueOf: 1, toString: 2 } }],
	])('Twilio, a JSON body with %s and any signature: 401, nothing runs', async (_what, body) => {
		const run = await runStatusWebhook({
			parameters: { provider: 'twilio' },
			credentials: TWILIO_CREDENTIAL,
			request: { body, url: PATH, headers: { 'X-Twilio-Signature': 'c2lnbmF0dXJl' } },
		});
		expect(run.response.statusCode).toBe(401);
		expectNoExecution(run);
	});

	test('Twilio, a JSON body with bodySHA256 in the query must hash to it, whatever the fields', async () => {
		const body = { MessageSid: 'SM1', MessageStatus: { toString: 1 } };
		const raw = Buffer.from(JSON.stringify(body));
		const url = `https://n8n.example.com${PATH}?bodySHA256=${'0'.repeat(64)}`;
		const run = await runStatusWebhook({
			parameters: { provider: 'twilio' },
			credentials: TWILIO_CREDENTIAL,
			request: { body, rawBody: raw, url: `${PATH}?bodySHA256=${'0'.repeat(64)}`, query: { bodySHA256: '0'.repeat(64) }, headers: { 'X-Twilio-Signature': signTwilio(url, {}) } },
		});
		expect(run.response.statusCode).toBe(401);
		expectNoExecution(run);
	});

	test('a genuine Smooch callback whose fields are objects: 400 or well-typed events, never a crash', async () => {
		const body = { ...smooch.notificationDelivered, timestamp: { toString: 1 }, error: { code: { a: 1 }, message: ['x'] } };
		const run = await runStatusWebhook({
			parameters: { provider: 'smooch' },
			credentials: SMOOCH_CREDENTIAL,
			request: { body, headers: { 'X-API-Key': 'smooch-webhook-secret' } },
		});
		const [event] = run.outputs.delivered;
		expect(typeof event.timestamp).toBe('string');
		expect(event.error).toEqual({ code: null, message: 'delivery failed' });
	});
});

describe('the Twilio signature is pinned to the URL n8n publishes', () => {
	const foreignUrl = `https://evil.example.org${PATH}`;
	const foreign = {
		body: twilio.delivered,
		url: PATH,
		headers: { host: 'evil.example.org', 'x-forwarded-host': 'evil.example.org', 'x-forwarded-proto': 'https', 'X-Twilio-Signature': signTwilio(foreignUrl, twilio.delivered) },
	};

	test('a signature Twilio made for the same path on another host is refused, whatever Host and X-Forwarded-* say', async () => {
		const run = await runStatusWebhook({ parameters: { provider: 'twilio' }, credentials: TWILIO_CREDENTIAL, request: foreign });
		expect(run.response.statusCode).toBe(401);
		expectNoExecution(run);
	});

	test('Trust Forwarded Headers (a proxy the user runs) makes X-Forwarded-Host count', async () => {
		const run = await runStatusWebhook({
			parameters: { provider: 'twilio', options: { trustForwardedHeaders: true } },
			credentials: TWILIO_CREDENTIAL,
			request: foreign,
		});
		expect(run.outputs.delivered).toHaveLength(1);
	});

	test('the URL n8n publishes is accepted without any forwarded header', async () => {
		const published = `https://n8n.example.com${PATH}`;
		const run = await runStatusWebhook({
			parameters: { provider: 'twilio' },
			credentials: TWILIO_CREDENTIAL,
			request: { body: twilio.delivered, url: PATH, headers: { host: 'internal:5678', 'x-forwarded-proto': 'http', 'X-Twilio-Signature': signTwilio(published, twilio.delivered) } },
		});
		expect(run.outputs.delivered).toHaveLength(1);
	});
});

describe('secrets', () => {
	test('Gupshup: the token is read from ?token= and X-Webhook-Token only, not Authorization', async () => {
		const run = await runStatusWebhook({
			parameters: { provider: 'gupshup' },
			credentials: GUPSHUP_CREDENTIAL,
			request: { body: gupshup.delivered, headers: { Authorization: 'Bearer gupshup-token' } },
		});
		expect(run.response.statusCode).toBe(401);
		expectNoExecution(run);
	});

	test('the 401 and 400 answers carry no secret and no internal error text', async () => {
		const forged = await runStatusWebhook({ parameters: { provider: 'smooch' }, credentials: SMOOCH_CREDENTIAL, request: { body: { trigger: 1 } } });
		expect(forged.response.body).toBe('Unauthorized: the callback failed the authenticity check');
		const unreadable = await runStatusWebhook({
			parameters: { provider: 'smooch' },
			credentials: SMOOCH_CREDENTIAL,
			request: { body: { events: 'x' }, headers: { 'X-API-Key': 'smooch-webhook-secret' } },
		});
		expect(unreadable.response.statusCode).toBe(400);
		expect(unreadable.response.body).not.toMatch(/smooch-webhook-secret|TypeError|Cannot read/);
	});
});
