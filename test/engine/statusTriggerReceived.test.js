/**
 * The Status Trigger's Received output, through n8n-core: version 2 (new nodes) routes customers'
 * messages there after the status outputs; version 1 keeps exactly its outputs and items.
 */
const { metaSignature } = require('../../sandbox/providers/meta');
const { twilioSignature } = require('../../sandbox/providers/twilio');
const { runStatusWebhook, triggerOutputNames } = require('../helpers/engine');
const metaMessages = require('../fixtures/meta-messages.json');
const twilioMessages = require('../fixtures/twilio-messages.json');
const smoochMessages = require('../fixtures/smooch-messages.json');
const gupshupMessages = require('../fixtures/gupshup-messages.json');
const metaStatuses = require('../fixtures/meta-callbacks.json');

const PRODUCTION_URL = 'https://n8n.example.com/webhook/trigger-id/status';
const CREDENTIALS = {
	meta: { metaWhatsAppCloudApi: { accessToken: 't', phoneNumberId: '106540352242922', appSecret: 'meta-app-secret', verifyToken: 'v', apiVersion: 'v24.0' } },
	twilio: { twilioWhatsAppApi: { accountSid: 'AC00000000000000000000000000000000', authToken: 'twilio-auth-token' } },
	smooch: { smoochApi: { appId: 'a', keyId: 'k', secret: 's', integrationId: 'i', webhookSecret: 'smooch-webhook-secret' } },
	gupshup: { gupshupApi: { apiKey: 'k', sourceNumber: '+917834811114', appName: 'DemoApp', webhookToken: 'gupshup-token' } },
};

/** A genuine callback of `provider`, signed or carrying its secret as the provider does. */
function genuine(provider, body) {
	if (provider === 'meta') {
		const raw = JSON.stringify(body);
		return { body, rawBody: Buffer.from(raw), headers: { 'X-Hub-Signature-256': metaSignature('meta-app-secret', raw) } };
	}
	if (provider === 'twilio') return { body, headers: { 'X-Twilio-Signature': twilioSignature('twilio-auth-token', PRODUCTION_URL, body) } };
	if (provider === 'smooch') return { body, headers: { 'X-API-Key': 'smooch-webhook-secret' } };
	return { body, query: { token: 'gupshup-token' } };
}

const call = (provider, body, { typeVersion = 2, parameters = {} } = {}) =>
	runStatusWebhook({ parameters: { provider, ...parameters }, credentials: CREDENTIALS[provider], request: genuine(provider, body), typeVersion });

describe('outputs', () => {
	test('a new node (version 2) draws Received after the status outputs, after Other when that is on', () => {
		expect(triggerOutputNames({ provider: 'meta' }, 2)).toEqual(['Delivered', 'Seen', 'Discarded', 'Received']);
		expect(triggerOutputNames({ provider: 'meta', options: { includeOtherEvents: true } }, 2)).toEqual(['Delivered', 'Seen', 'Discarded', 'Other', 'Received']);
		expect(triggerOutputNames({ provider: 'meta', receiveMessages: false }, 2)).toEqual(['Delivered', 'Seen', 'Discarded']);
	});

	test('an existing node (version 1) keeps exactly its outputs', () => {
		expect(triggerOutputNames({ provider: 'meta' }, 1)).toEqual(['Delivered', 'Seen', 'Discarded']);
		expect(triggerOutputNames({ provider: 'meta', options: { includeOtherEvents: true } }, 1)).toEqual(['Delivered', 'Seen', 'Discarded', 'Other']);
	});
});

describe('routing', () => {
	/** @type {Array<[string, any, any]>} */
	const cases = [
		['meta', metaMessages.buttonReply, { type: 'button', button: { id: 'cancel-button', title: 'Cancel' } }],
		['twilio', twilioMessages.button, { type: 'button', button: { id: 'confirm-appointment-42', title: 'Confirm' } }],
		['smooch', smoochMessages.reply, { type: 'button', button: { id: 'reschedule-appointment-42', title: 'Reschedule' } }],
		['gupshup', gupshupMessages.image, { type: 'image', media: expect.objectContaining({ mimeType: 'image/jpeg' }) }],
	];

	test.each(cases)('%s: a customer message reaches Received, and nothing else', async (provider, body, expected) => {
		const { outputs, result } = await call(provider, body);
		expect(outputs.received).toEqual([expect.objectContaining({ provider, kind: 'received', ...expected })]);
		expect(result.workflowData).toHaveLength(4);
		expect(result.workflowData.slice(0, 3).flat()).toEqual([]);
	});

	test.each(cases)('%s: with Other on, the message is on Received only', async (provider, body) => {
		const { outputs } = await call(provider, body, { parameters: { options: { includeOtherEvents: true } } });
		expect(outputs.received).toHaveLength(1);
		expect(outputs.other).toEqual([]);
	});

	test('statuses still reach their outputs on a version 2 node, a message beside them goes to Received', async () => {
		const delivered = await call('meta', metaStatuses.delivered);
		expect(delivered.outputs.delivered).toHaveLength(1);
		expect(delivered.outputs.received).toEqual([]);
		const mixed = await call('meta', metaMessages.textAndStatus);
		expect(mixed.outputs.delivered.map((event) => event.messageId)).toEqual(['wamid.MIXEDSTATUS']);
		expect(mixed.outputs.received.map((message) => message.text)).toEqual(['Yes']);
	});

	test('Receive Customer Messages off: messages are acknowledged and start nothing', async () => {
		const { result, response } = await call('gupshup', gupshupMessages.text, { parameters: { receiveMessages: false } });
		expect(response.statusCode).toBe(200);
		expect(result).toEqual({ noWebhookResponse: true });
	});

	test('a version 1 node: its items are what they were (a Meta message on Other when asked for, else nothing)', async () => {
		const quiet = await call('meta', metaMessages.text, { typeVersion: 1 });
		expect(quiet.result).toEqual({ noWebhookResponse: true });
		const other = await call('meta', metaMessages.text, { typeVersion: 1, parameters: { options: { includeOtherEvents: true } } });
		expect(other.result.workflowData).toHaveLength(4);
		expect(other.outputs.other).toEqual([expect.objectContaining({ status: 'other', providerStatus: 'message', userId: '+16505551234' })]);
		expect(other.outputs.received).toEqual([]);
	});

	test('a forged customer message is refused with 401, for every provider', async () => {
		const forged = {
			meta: { body: metaMessages.text, rawBody: Buffer.from(JSON.stringify(metaMessages.text)), headers: { 'X-Hub-Signature-256': metaSignature('guess', 'x') } },
			twilio: { body: twilioMessages.button, headers: { 'X-Twilio-Signature': twilioSignature('guess', PRODUCTION_URL, twilioMessages.button) } },
			smooch: { body: smoochMessages.reply, headers: { 'X-API-Key': 'guess' } },
			gupshup: { body: gupshupMessages.buttonReply, query: { token: 'guess' } },
		};
		for (const [provider, request] of Object.entries(forged)) {
			const { response, result } = await runStatusWebhook({ parameters: { provider }, credentials: CREDENTIALS[provider], request, typeVersion: 2 });
			expect([provider, response.statusCode]).toEqual([provider, 401]);
			expect(result).toEqual({ noWebhookResponse: true });
		}
	});
});
