/**
 * Automatic registration with the Received output: a version 2 trigger (Receive Customer Messages
 * on) subscribes what it registers to customers' messages too, taking them from nobody (Smooch's
 * message:appUser trigger on its own webhook, Gupshup's MESSAGE mode on its own subscription,
 * Twilio's inbound-message.received on its own sink); a version 1 trigger registers exactly what
 * it did. Against nock, in the providers' documented shapes.
 */
const nock = require('nock');
const { runWebhookMethod, runStatusWebhook } = require('../helpers/engine');
const { providersOffline } = require('../helpers/offline');
const { GUPSHUP, SMOOCH, TWILIO } = require('../helpers/credentials');
const twilioMessages = require('../fixtures/twilio-messages.json');
const twilioStatuses = require('../fixtures/twilio-callbacks.json');
const { twilioSignature } = require('../../sandbox/providers/twilio');

providersOffline();

const PRODUCTION_URL = 'https://n8n.example.com/webhook/trigger-id/status';

/** Activation as n8n runs it: checkExists, then create when nothing is there. */
async function activate(provider, credentials, typeVersion, parameters = {}, staticData = {}) {
	const run = (method, data) => runWebhookMethod({ method, parameters: { provider, ...parameters }, credentials, staticData: data, typeVersion });
	const exists = await run('checkExists', staticData);
	if (exists.error || exists.result) return exists;
	return await run('create', exists.staticData);
}

const registered = (staticData) => staticData['node:WhatsApp Status Trigger']?.registeredCallback;

afterEach(() => nock.cleanAll());

describe('Smooch', () => {
	const credentials = { smoochApi: SMOOCH };
	const api = () => nock('https://api.smooch.io');

	/** Activates and resolves to the triggers the webhook was created with. */
	async function triggersRegistered(typeVersion, parameters) {
		let triggers;
		api().get('/v1.1/apps/app123/webhooks').reply(200, { webhooks: [] });
		api()
			.post('/v1.1/apps/app123/webhooks', (body) => Boolean((triggers = body.triggers)))
			.reply(201, { webhook: { _id: '5f8e7c6d5b4a39281706f5e4', target: PRODUCTION_URL, triggers: [], secret: 'issued-by-smooch' } });
		const { error, staticData } = await activate('smooch', credentials, typeVersion, parameters);
		expect(error).toBeNull();
		return { triggers, made: registered(staticData) };
	}

	test('version 2: its own webhook gets message:appUser beside the delivery triggers', async () => {
		const { triggers, made } = await triggersRegistered(2);
		expect(triggers).toContain('message:appUser');
		expect(triggers).toContain('notification:delivery:user');
		expect(made.receives).toBe(true);
	});

	test('version 1, or Receive Customer Messages off: the triggers of before, no customer messages', async () => {
		for (const [typeVersion, parameters] of [[1, {}], [2, { receiveMessages: false }]]) {
			const { triggers, made } = await triggersRegistered(typeVersion, parameters);
			expect(triggers).not.toContain('message:appUser');
			expect(made.receives).toBeUndefined();
		}
	});
});

describe('Gupshup', () => {
	const APP_ID = 'bf9ee64c-3d4d-4ac4-8668-732e577007c4';
	const credentials = { gupshupApi: { ...GUPSHUP, appId: APP_ID } };
	const api = () => nock('https://api.gupshup.io');

	async function modesRegistered(typeVersion) {
		let modes;
		api().get(`/wa/app/${APP_ID}/subscription`).reply(200, { status: 'success', subscriptions: [] });
		api()
			.post(`/wa/app/${APP_ID}/subscription`, (body) => Boolean((modes = body.modes)))
			.reply(200, { status: 'success', subscription: { id: '8166', appId: APP_ID, active: true, tag: 'x', url: PRODUCTION_URL, version: 2 } });
		const { error } = await activate('gupshup', credentials, typeVersion);
		expect(error).toBeNull();
		return modes;
	}

	test('version 2: its own subscription gets the MESSAGE mode; version 1 the status modes only', async () => {
		expect(await modesRegistered(2)).toBe('ENQUEUED,SENT,DELIVERED,READ,FAILED,MESSAGE');
		expect(await modesRegistered(1)).toBe('ENQUEUED,SENT,DELIVERED,READ,FAILED');
	});
});

describe('Twilio', () => {
	const credentials = { twilioWhatsAppApi: TWILIO };
	const events = () => nock('https://events.twilio.com');
	const SINK = 'DG0123456789abcdef0123456789abcdef';
	const SUBSCRIPTION = 'DF0123456789abcdef0123456789abcdef';

	async function typesRegistered(typeVersion) {
		let types;
		events().get('/v1/Sinks').query({ PageSize: 100 }).reply(200, { sinks: [] });
		events().get('/v1/Subscriptions').query({ PageSize: 100 }).reply(200, { subscriptions: [] });
		events().post('/v1/Sinks').reply(201, { sid: SINK, status: 'initialized', sink_type: 'webhook' });
		events()
			.post('/v1/Subscriptions', (body) => Boolean((types = [].concat(body.Types).map((each) => JSON.parse(each).type))))
			.reply(201, { sid: SUBSCRIPTION, sink_sid: SINK });
		const { error, staticData } = await activate('twilio', credentials, typeVersion);
		expect(error).toBeNull();
		return { types, staticData };
	}

	test('version 2: its own sink is subscribed to inbound-message.received too; version 1 to the statuses only', async () => {
		const { types } = await typesRegistered(2);
		expect(types).toContain('com.twilio.messaging.inbound-message.received');
		expect(types).toContain('com.twilio.messaging.message.delivered');
		expect((await typesRegistered(1)).types).not.toContain('com.twilio.messaging.inbound-message.received');
	});

	test('with its sink in place, a status by the classic callback is dropped (Event Streams brings it) but a customer message by the inbound webhook is not', async () => {
		const { staticData } = await typesRegistered(2);
		const body = twilioMessages.button;
		const request = { body, headers: { 'X-Twilio-Signature': twilioSignature(TWILIO.authToken, PRODUCTION_URL, body) } };
		const { outputs } = await runStatusWebhook({ parameters: { provider: 'twilio' }, credentials, staticData, request, typeVersion: 2 });
		expect(outputs.received).toEqual([expect.objectContaining({ type: 'button', button: { id: 'confirm-appointment-42', title: 'Confirm' } })]);
		const status = twilioStatuses.delivered;
		const statusRequest = { body: status, headers: { 'X-Twilio-Signature': twilioSignature(TWILIO.authToken, PRODUCTION_URL, status) } };
		const dropped = await runStatusWebhook({ parameters: { provider: 'twilio' }, credentials, staticData, request: statusRequest, typeVersion: 2 });
		expect(dropped.response.statusCode).toBe(200);
		expect(dropped.result).toEqual({ noWebhookResponse: true });
	});

	test('switching Receive Customer Messages makes activation register again', async () => {
		const { staticData } = await typesRegistered(2);
		events().get('/v1/Sinks').query({ PageSize: 100 }).reply(200, { sinks: [{ sid: SINK, description: 'x', sink_configuration: { destination: PRODUCTION_URL } }] });
		events().get('/v1/Subscriptions').query({ PageSize: 100 }).reply(200, { subscriptions: [{ sid: SUBSCRIPTION, sink_sid: SINK }] });
		nock('https://events.twilio.com').persist().get(/.*/).reply(200, { sinks: [], subscriptions: [], types: [] });
		nock('https://events.twilio.com').persist().delete(/.*/).reply(204);
		const exists = await runWebhookMethod({ method: 'checkExists', parameters: { provider: 'twilio', receiveMessages: false }, credentials, staticData, typeVersion: 2 });
		expect(exists.error).toBeNull();
		expect(exists.result).toBe(false);
	});
});
