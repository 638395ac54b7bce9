/**
 * WhatsApp Status Trigger with Meta's Cloud API, through n8n-core's WebhookContext: the GET
 * handshake on the same URL, X-Hub-Signature-256 over the raw body, and routing.
 */
const { createHmac } = require('crypto');
const { metaSignature } = require('../../sandbox/providers/meta');
const { runStatusWebhook } = require('../helpers/engine');
const meta = require('../fixtures/meta-callbacks.json');
const twilio = require('../fixtures/twilio-callbacks.json');

const APP_SECRET = 'meta-app-secret';
const VERIFY_TOKEN = 'meta-verify-token';
const META_CREDENTIAL = {
	metaWhatsAppCloudApi: { accessToken: 't', phoneNumberId: '106540352242922', appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, apiVersion: 'v24.0' },
};

/** Meta's scheme, written out here independently of the package's code. */
/** Signed as Meta does, by the sandbox's signer (independent of the package). */
const sign = (raw, secret = APP_SECRET) => metaSignature(secret, raw);

/** A POST as Meta makes it: the JSON bytes, signed. */
function metaCall(body, { signature = undefined, options = {} } = {}) {
	const raw = JSON.stringify(body);
	return {
		parameters: { provider: 'meta', options },
		credentials: META_CREDENTIAL,
		request: { body, rawBody: Buffer.from(raw), headers: { 'X-Hub-Signature-256': signature ?? sign(raw), 'content-type': 'application/json' } },
	};
}

/** Meta's GET when the Callback URL is saved in the App Dashboard. */
/**
 * @param {Record<string, string>} query
 * @param {{ provider?: string, credentials?: Record<string, object> }} [options]
 */
function handshake(query, { provider = 'meta', credentials = META_CREDENTIAL } = {}) {
	return runStatusWebhook({ method: 'GET', parameters: { provider }, credentials, request: { body: {}, query } });
}

describe('the GET handshake on the callback URL', () => {
	test('the right Verify Token: 200 with hub.challenge as plain text, no execution', async () => {
		const { response, result } = await handshake({ 'hub.mode': 'subscribe', 'hub.verify_token': VERIFY_TOKEN, 'hub.challenge': '1158201444' });
		expect(response).toMatchObject({ statusCode: 200, body: '1158201444', contentType: 'text/plain', ended: true });
		expect(result).toEqual({ noWebhookResponse: true });
	});

	test('a wrong or missing Verify Token: 403, no execution', async () => {
		for (const query of [
			{ 'hub.mode': 'subscribe', 'hub.verify_token': 'guess', 'hub.challenge': '1158201444' },
			{ 'hub.mode': 'subscribe', 'hub.challenge': '1158201444' },
			{},
		]) {
			const { response, result } = await handshake(query);
			expect(response.statusCode).toBe(403);
			expect(response.body).not.toContain('1158201444');
			expect(result).toEqual({ noWebhookResponse: true });
		}
	});

	test('a provider without a handshake answers a GET with 405', async () => {
		const credentials = { twilioWhatsAppApi: { accountSid: 'AC00000000000000000000000000000000', authToken: 'x' } };
		const { response, result } = await handshake({ 'hub.challenge': '1' }, { provider: 'twilio', credentials });
		expect(response.statusCode).toBe(405);
		expect(result).toEqual({ noWebhookResponse: true });
	});
});

describe('signed POSTs', () => {
	test('delivered, read and failed reach Delivered, Seen and Discarded with the wamid', async () => {
		const delivered = await runStatusWebhook(metaCall(meta.delivered));
		const read = await runStatusWebhook(metaCall(meta.read));
		const failed = await runStatusWebhook(metaCall(meta.failed));
		const wamid = meta.sendAnswer.messages[0].id;
		expect(delivered.outputs.delivered).toEqual([expect.objectContaining({ provider: 'meta', messageId: wamid, recipient: '+16505551234' })]);
		expect(read.outputs.seen).toEqual([expect.objectContaining({ messageId: wamid })]);
		expect(failed.outputs.discarded[0].error).toEqual({
			code: 131047,
			message: 'Re-engagement message',
			details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
		});
	});

	test('one callback with two statuses gives one item on each output', async () => {
		const { outputs } = await runStatusWebhook(metaCall(meta.batchOfTwo));
		expect(outputs.delivered).toHaveLength(1);
		expect(outputs.seen).toHaveLength(1);
		expect(outputs.discarded).toHaveLength(0);
	});

	test('sent and inbound replies go to Other when it is on, and are acknowledged otherwise', async () => {
		const quiet = await runStatusWebhook(metaCall(meta.inboundText));
		expect(quiet.response).toMatchObject({ statusCode: 200, body: '' });
		expect(quiet.result).toEqual({ noWebhookResponse: true });
		const other = await runStatusWebhook(metaCall(meta.inboundText, { options: { includeOtherEvents: true } }));
		expect(other.outputs.other).toEqual([expect.objectContaining({ providerStatus: 'message', userId: '+16505551234' })]);
		const sent = await runStatusWebhook(metaCall(meta.sent, { options: { includeOtherEvents: true } }));
		expect(sent.outputs.other).toEqual([expect.objectContaining({ status: 'sent' })]);
	});

	test('a missing, wrong or stale signature answers 401 and starts nothing', async () => {
		const raw = JSON.stringify(meta.delivered);
		for (const signature of ['', sign(raw, 'not-the-app-secret'), sign(JSON.stringify(meta.read)), `sha1=${createHmac('sha1', APP_SECRET).update(raw).digest('hex')}`]) {
			const { response, result } = await runStatusWebhook(metaCall(meta.delivered, { signature }));
			expect(response.statusCode).toBe(401);
			expect(result).toEqual({ noWebhookResponse: true });
		}
	});

	test('a Twilio-shaped body signed with the App Secret is refused as not Meta’s format', async () => {
		const { response } = await runStatusWebhook(metaCall(twilio.delivered));
		expect(response.statusCode).toBe(400);
		expect(response.body).toMatch(/not a Meta webhook/);
	});
});
