/**
 * The Status Trigger registers its own callback (n8n's webhookMethods checkExists / create /
 * delete, through n8n-core's HookContext) against nock in the providers' documented shapes, keeps
 * what it made in the node's static data, checks callbacks against it, and removes exactly it.
 */
const { createHash, createHmac } = require('crypto');
const nock = require('nock');
const { runStatusWebhook, runWebhookMethod } = require('../helpers/engine');
const { providersOffline } = require('../helpers/offline');
const { expectNoSecrets, GUPSHUP, META, SMOOCH, TWILIO } = require('../helpers/credentials');
const smoochCallbacks = require('../fixtures/smooch-callbacks.json');
const gupshupCallbacks = require('../fixtures/gupshup-callbacks.json');

providersOffline();

const PRODUCTION_URL = 'https://n8n.example.com/webhook/trigger-id/status';
const TEST_URL = 'https://n8n.example.com/webhook-test/trigger-id/status';

/** Activation as n8n runs it: checkExists, then create when nothing is there. */
async function activate(provider, credentials, { test = false, staticData = {}, webhookBaseUrl = undefined } = {}) {
	const run = (method, data) => runWebhookMethod({ method, parameters: { provider }, credentials, staticData: data, test, webhookBaseUrl });
	const exists = await run('checkExists', staticData);
	if (exists.error || exists.result) return exists;
	return await run('create', exists.staticData);
}

const deactivate = (provider, credentials, staticData, test = false) =>
	runWebhookMethod({ method: 'delete', parameters: { provider }, credentials, staticData, test });

const registered = (staticData) => staticData['node:WhatsApp Status Trigger']?.registeredCallback;

describe('manual mode (Register Callback Automatically off)', () => {
	test('activation and deactivation call no provider and keep nothing', async () => {
		const parameters = { provider: 'smooch', registerCallback: false };
		const credentials = { smoochApi: SMOOCH };
		for (const method of ['checkExists', 'create', 'delete']) {
			const { result, error, staticData } = await runWebhookMethod({ method, parameters, credentials });
			expect(error).toBeNull();
			expect(result).toBe(true);
			expect(registered(staticData)).toBeUndefined();
		}
	});
});

describe('Smooch: a webhook on the app', () => {
	const credentials = { smoochApi: SMOOCH };
	const api = () => nock('https://api.smooch.io').matchHeader('authorization', /^Basic /);
	const webhook = (overrides = {}) => ({
		_id: '5f8e7c6d5b4a39281706f5e4',
		version: 'v1.1',
		target: PRODUCTION_URL,
		triggers: ['notification:delivery:user'],
		secret: 'issued-by-smooch-8f2d',
		...overrides,
	});

	test('activation creates one webhook with the delivery triggers; callbacks carrying its secret pass, others get 401', async () => {
		const handMade = webhook({ _id: 'hand-made', target: 'https://elsewhere.example.com/hook', secret: 'theirs' });
		api().get('/v1.1/apps/app123/webhooks').reply(200, { webhooks: [handMade] });
		api()
			.post('/v1.1/apps/app123/webhooks', {
				target: /^https:\/\/n8n\.example\.com\/webhook\/trigger-id\/status\?n8n-trigger=[0-9a-f]{16}$/,
				triggers: [
					'notification:delivery:channel',
					'notification:delivery:user',
					'notification:delivery:failure',
					'message:delivery:channel',
					'message:delivery:user',
					'message:delivery:failure',
					'conversation:read',
				],
			})
			.reply(201, { webhook: webhook() });
		const { result, error, staticData } = await activate('smooch', credentials);
		expect(error).toBeNull();
		expect(result).toBe(true);
		expect(registered(staticData)).toEqual({
			provider: 'smooch',
			url: PRODUCTION_URL,
			account: 'app123',
			mark: expect.stringMatching(/^[0-9a-f]{16}$/),
			sealedSecret: expect.stringMatching(/^v1\./),
			ids: { webhook: '5f8e7c6d5b4a39281706f5e4' },
		});
		// The secret Smooch issued is not in the workflow's static data in the clear.
		expect(JSON.stringify(staticData)).not.toContain('issued-by-smooch-8f2d');
		expect(nock.isDone()).toBe(true);

		// The credential has no Webhook Secret: the registered one is what callbacks are checked against.
		const call = (key) =>
			runStatusWebhook({
				parameters: { provider: 'smooch' },
				credentials,
				staticData,
				request: { body: smoochCallbacks.notificationDelivered, headers: key ? { 'X-API-Key': key } : {} },
			});
		const genuine = await call('issued-by-smooch-8f2d');
		expect(genuine.outputs.delivered).toEqual([expect.objectContaining({ provider: 'smooch', messageId: smoochCallbacks.notificationDelivered.notification._id })]);
		for (const forged of [await call('theirs'), await call(undefined)]) {
			expect(forged.response.statusCode).toBe(401);
			expect(forged.result).toEqual({ noWebhookResponse: true });
		}
	});

	test('checkExists finds the kept webhook by id and URL; gone from the list, it is forgotten and created again', async () => {
		const { seal } = require('../../dist/nodes/WhatsAppStatusTrigger/sealedSecret');
		const kept = { provider: 'smooch', url: PRODUCTION_URL, account: 'app123', sealedSecret: seal(SMOOCH.secret, 's'), ids: { webhook: 'w1' } };
		const staticData = { 'node:WhatsApp Status Trigger': { registeredCallback: kept } };
		api().get('/v1.1/apps/app123/webhooks').reply(200, { webhooks: [webhook({ _id: 'w1' })] });
		const found = await runWebhookMethod({ method: 'checkExists', parameters: { provider: 'smooch' }, credentials, staticData });
		expect(found.result).toBe(true);

		api().get('/v1.1/apps/app123/webhooks').reply(200, { webhooks: [webhook({ _id: 'someone-elses' })] });
		const gone = await runWebhookMethod({ method: 'checkExists', parameters: { provider: 'smooch' }, credentials, staticData });
		expect(gone.result).toBe(false);
		expect(registered(gone.staticData)).toBeUndefined();
	});

	test('the test URL gets its own webhook beside the production one', async () => {
		api().get('/v1.1/apps/app123/webhooks').reply(200, { webhooks: [webhook()] });
		api()
			.post('/v1.1/apps/app123/webhooks', (body) => body.target.startsWith(`${TEST_URL}?n8n-trigger=`))
			.reply(201, { webhook: webhook({ _id: 'test-hook', target: TEST_URL, secret: 'test-secret' }) });
		const { error, staticData } = await activate('smooch', credentials, { test: true });
		expect(error).toBeNull();
		expect(registered(staticData)).toMatchObject({ url: TEST_URL, ids: { webhook: 'test-hook' } });
		// The production webhook is not this test registration's: it stays.
		expect(nock.isDone()).toBe(true);
	});

	test('deactivation deletes exactly the webhook it made (a hand-made one is never touched)', async () => {
		const staticData = { 'node:WhatsApp Status Trigger': { registeredCallback: { provider: 'smooch', url: PRODUCTION_URL, secret: 's', ids: { webhook: 'w1' } } } };
		api().delete('/v1.1/apps/app123/webhooks/w1').reply(200, {});
		const { result, error, staticData: after } = await deactivate('smooch', credentials, staticData);
		expect(error).toBeNull();
		expect(result).toBe(true);
		expect(registered(after)).toBeUndefined();
		// nock answers nothing else: a request for the hand-made webhook would have failed the delete.
		expect(nock.isDone()).toBe(true);
	});

	test('a webhook already deleted by hand (404) counts as removed', async () => {
		const staticData = { 'node:WhatsApp Status Trigger': { registeredCallback: { provider: 'smooch', url: PRODUCTION_URL, secret: 's', ids: { webhook: 'w1' } } } };
		api().get('/v1.1/apps/app123/webhooks').reply(200, { webhooks: [] });
		api().delete('/v1.1/apps/app123/webhooks/w1').reply(404, { error: { code: 'not_found', description: 'Webhook not found' } });
		const { result, error } = await deactivate('smooch', credentials, staticData);
		expect(error).toBeNull();
		expect(result).toBe(true);
	});

	test('401: the error says to check the key, and shows no secret', async () => {
		api().get('/v1.1/apps/app123/webhooks').reply(401, { error: { code: 'unauthorized', description: 'Authorization is required' } });
		const { error } = await activate('smooch', credentials);
		expect(error.message).toMatch(/Smooch .* refused listing its registered callbacks: Authorization is required \[unauthorized\]\. Check the credential’s Key ID and Secret/);
		expectNoSecrets(error);
	});

	test('the 10-webhook cap: the error says to remove one or set the webhook up by hand, and nothing is kept', async () => {
		// Read at checkExists, and again after the refusal: a webhook made anyway would carry the trigger's mark.
		api().get('/v1.1/apps/app123/webhooks').times(2).reply(200, { webhooks: [] });
		api().post('/v1.1/apps/app123/webhooks').reply(400, { error: { code: 'bad_request', description: 'App has reached the maximum number of webhooks' } });
		const { error, staticData } = await activate('smooch', credentials);
		expect(error.message).toMatch(`refused registering ${PRODUCTION_URL}: App has reached the maximum number of webhooks [bad_request]. An app holds at most 10 webhooks`);
		expect(registered(staticData)).toBeUndefined();
		expectNoSecrets(error);
	});
});

describe('the URL the provider must reach', () => {
	test('a localhost URL is refused, naming it and WEBHOOK_URL, before any request', async () => {
		const { error } = await activate('smooch', { smoochApi: SMOOCH }, { webhookBaseUrl: 'http://localhost:5678/webhook' });
		expect(error.message).toContain('cannot reach this trigger’s URL http://localhost:5678/webhook/trigger-id/status: it is a local host name. Set WEBHOOK_URL');
	});

	test('a private address is refused; with a local Base URL (the sandbox) it is allowed', async () => {
		const refused = await activate('twilio', { twilioWhatsAppApi: TWILIO }, { webhookBaseUrl: 'http://192.168.1.20:5678/webhook' });
		expect(refused.error.message).toMatch(/it is a private address/);

		const local = { ...TWILIO, baseUrl: 'http://127.0.0.1:4010' };
		nock('http://127.0.0.1:4010').get('/v1/Sinks').query(true).reply(200, { sinks: [] });
		nock('http://127.0.0.1:4010').get('/v1/Subscriptions').query(true).reply(200, { subscriptions: [] });
		nock('http://127.0.0.1:4010').post('/v1/Sinks').reply(201, { sid: 'DG00000000000000000000000000000001' });
		nock('http://127.0.0.1:4010').post('/v1/Subscriptions').reply(201, { sid: 'DF00000000000000000000000000000001' });
		const allowed = await activate('twilio', { twilioWhatsAppApi: local }, { webhookBaseUrl: 'http://192.168.1.20:5678/webhook' });
		expect(allowed.error).toBeNull();
	});

	test('Meta needs https: an http URL is refused', async () => {
		const { error } = await activate('meta', { metaWhatsAppCloudApi: META }, { webhookBaseUrl: 'http://n8n.example.com/webhook' });
		expect(error.message).toMatch(/it is http, and Meta WhatsApp Cloud API calls only https URLs/);
	});
});

describe('Twilio: an Event Streams sink and subscription', () => {
	const credentials = { twilioWhatsAppApi: TWILIO };
	const events = () => nock('https://events.twilio.com').matchHeader('authorization', /^Basic /);
	const SINK = 'DG0123456789abcdef0123456789abcdef';
	const SUBSCRIPTION = 'DF0123456789abcdef0123456789abcdef';

	/** Event Streams' signature: the URL with bodySHA256 added, no form fields, the Auth Token as key. */
	function eventStreamsCall(events, { authToken = TWILIO.authToken } = {}) {
		const raw = JSON.stringify(events);
		const bodySHA256 = createHash('sha256').update(raw).digest('hex');
		const signature = createHmac('sha1', authToken).update(`${PRODUCTION_URL}?bodySHA256=${bodySHA256}`).digest('base64');
		return {
			body: events,
			rawBody: Buffer.from(raw),
			query: { bodySHA256 },
			url: `/webhook/trigger-id/status?bodySHA256=${bodySHA256}`,
			headers: { 'X-Twilio-Signature': signature, 'content-type': 'application/json' },
		};
	}

	const cloudEvent = (status, extra = {}) => ({
		specversion: '1.0',
		type: `com.twilio.messaging.message.${status}`,
		source: '/2010-04-01/Accounts/AC0123456789abcdef0123456789abcdef/Messages/SM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e.json',
		id: `EZ${status}0000000000000000000000000000`.slice(0, 34),
		dataschema: 'https://events-schemas.twilio.com/Messaging.MessageStatus/8',
		datacontenttype: 'application/json',
		time: '2026-12-06T02:00:00.000Z',
		data: {
			messageSid: 'SM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e',
			timestamp: '2026-12-06T02:00:00.000Z',
			accountSid: TWILIO.accountSid,
			from: 'whatsapp:+14155238886',
			to: 'whatsapp:+14155551234',
			messageStatus: status.toUpperCase(),
			apiVersion: '2010-04-01',
			eventName: `com.twilio.messaging.message.${status}`,
			...extra,
		},
	});

	test('activation creates a webhook sink for the URL and subscribes it to the status events', async () => {
		events().get('/v1/Sinks').query({ PageSize: 100 }).reply(200, { sinks: [] });
		events().get('/v1/Subscriptions').query({ PageSize: 100 }).reply(200, { subscriptions: [] });
		events()
			.post(
				'/v1/Sinks',
				(body) =>
					body.SinkType === 'webhook' &&
					JSON.parse(body.SinkConfiguration).destination === PRODUCTION_URL &&
					JSON.parse(body.SinkConfiguration).method === 'POST' &&
					/^WhatsApp Status Trigger \(n8n\) [0-9a-f]{16}$/.test(body.Description),
			)
			.reply(201, { sid: SINK, status: 'initialized', sink_type: 'webhook' });
		let types;
		events()
			.post('/v1/Subscriptions', (body) => {
				types = [].concat(body.Types).map((each) => JSON.parse(each).type);
				return body.SinkSid === SINK;
			})
			.reply(201, { sid: SUBSCRIPTION, sink_sid: SINK });
		const { error, staticData } = await activate('twilio', credentials);
		expect(error).toBeNull();
		expect(types).toEqual([
			'com.twilio.messaging.message.sent',
			'com.twilio.messaging.message.delivered',
			'com.twilio.messaging.message.read',
			'com.twilio.messaging.message.failed',
			'com.twilio.messaging.message.undelivered',
		]);
		expect(registered(staticData)).toEqual({
			provider: 'twilio',
			url: PRODUCTION_URL,
			account: TWILIO.accountSid,
			mark: expect.stringMatching(/^[0-9a-f]{16}$/),
			ids: { sink: SINK, subscription: SUBSCRIPTION },
		});
	});

	test('signed CloudEvents reach Delivered, Seen and Discarded with the SM… messageId; a forged one gets 401', async () => {
		const batch = [cloudEvent('delivered'), cloudEvent('read'), cloudEvent('undelivered', { errorCode: 63016 })];
		const { outputs } = await runStatusWebhook({ parameters: { provider: 'twilio' }, credentials, request: eventStreamsCall(batch) });
		expect(outputs.delivered).toEqual([expect.objectContaining({ provider: 'twilio', messageId: 'SM0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e', recipient: '+14155551234', providerStatus: 'delivered' })]);
		expect(outputs.seen).toHaveLength(1);
		expect(outputs.discarded[0].error).toEqual({ code: 63016, message: expect.stringMatching(/24-hour window/) });

		const forged = await runStatusWebhook({ parameters: { provider: 'twilio' }, credentials, request: eventStreamsCall(batch, { authToken: 'guessed' }) });
		expect(forged.response.statusCode).toBe(401);
		const tampered = eventStreamsCall(batch);
		tampered.rawBody = Buffer.from(JSON.stringify([cloudEvent('read')]));
		expect((await runStatusWebhook({ parameters: { provider: 'twilio' }, credentials, request: tampered })).response.statusCode).toBe(401);
	});

	test('an event and the classic callback for the same status have the same eventId', async () => {
		const { outputs } = await runStatusWebhook({ parameters: { provider: 'twilio' }, credentials, request: eventStreamsCall([cloudEvent('delivered')]) });
		const { normalizeStatusCallback } = require('../../index');
		const [classic] = normalizeStatusCallback({ provider: 'twilio', body: require('../fixtures/twilio-callbacks.json').delivered });
		expect(outputs.delivered[0].eventId).toBe(classic.eventId);
	});

	test('when the subscription is refused, the sink just made is removed and the error says what to do', async () => {
		events().get('/v1/Sinks').query(true).reply(200, { sinks: [] });
		events().get('/v1/Subscriptions').query(true).reply(200, { subscriptions: [] });
		events().post('/v1/Sinks').reply(201, { sid: SINK });
		events().post('/v1/Subscriptions').reply(400, { code: 20001, message: 'Invalid type', status: 400 });
		events().delete(`/v1/Sinks/${SINK}`).reply(204);
		const { error, staticData } = await activate('twilio', credentials);
		expect(error.message).toMatch(/Twilio refused registering .*: Invalid type \[20001\]\. Check Event Streams/);
		expect(registered(staticData)).toBeUndefined();
		expect(nock.isDone()).toBe(true);
		expectNoSecrets(error);
	});

	test('deactivation deletes the subscription, then the sink', async () => {
		const staticData = { 'node:WhatsApp Status Trigger': { registeredCallback: { provider: 'twilio', url: PRODUCTION_URL, ids: { sink: SINK, subscription: SUBSCRIPTION } } } };
		const order = [];
		events().get('/v1/Sinks').query(true).reply(200, { sinks: [{ sid: SINK, sink_configuration: { destination: PRODUCTION_URL, method: 'POST' } }] });
		events().delete(`/v1/Subscriptions/${SUBSCRIPTION}`).reply(204, () => order.push('subscription'));
		events().delete(`/v1/Sinks/${SINK}`).reply(204, () => order.push('sink'));
		const { error, staticData: after } = await deactivate('twilio', credentials, staticData);
		expect(error).toBeNull();
		expect(order).toEqual(['subscription', 'sink']);
		expect(registered(after)).toBeUndefined();
	});
});

describe('Gupshup: a subscription of the app', () => {
	const APP_ID = 'bf9ee64c-3d4d-4ac4-8668-732e577007c4';
	const credentials = { gupshupApi: { ...GUPSHUP, appId: APP_ID } };
	const api = () => nock('https://api.gupshup.io').matchHeader('apikey', GUPSHUP.apiKey);

	test('activation subscribes the URL to the status modes with a generated token that callbacks must carry', async () => {
		api().get(`/wa/app/${APP_ID}/subscription`).reply(200, { status: 'success', subscriptions: [] });
		/** @type {any} */
		let sent;
		api()
			.post(`/wa/app/${APP_ID}/subscription`, (body) => {
				sent = body;
				return true;
			})
			.reply(200, { status: 'success', subscription: { id: '8166', appId: APP_ID, active: true, tag: 'x', url: PRODUCTION_URL, version: 2 } });
		const { error, staticData } = await activate('gupshup', credentials);
		expect(error).toBeNull();
		expect(sent).toMatchObject({ modes: 'ENQUEUED,SENT,DELIVERED,READ,FAILED', url: PRODUCTION_URL, version: '2' });
		expect(sent.tag).toMatch(/^n8n-trigger-[0-9a-f]{16}$/);
		const token = JSON.parse(sent.meta).headers['X-Webhook-Token'];
		expect(token).toMatch(/^[0-9a-f]{64}$/);
		// The token is derived from the API Key and the URL: the workflow's static data holds no secret.
		expect(registered(staticData)).toEqual({ provider: 'gupshup', url: PRODUCTION_URL, account: APP_ID, mark: sent.tag.slice(12), ids: { subscription: '8166' } });
		expect(JSON.stringify(staticData)).not.toContain(token);

		const call = (headers) =>
			runStatusWebhook({ parameters: { provider: 'gupshup' }, credentials, staticData, request: { body: gupshupCallbacks.delivered, headers } });
		expect((await call({ 'X-Webhook-Token': token })).outputs.delivered).toHaveLength(1);
		expect((await call({ 'X-Webhook-Token': 'guess' })).response.statusCode).toBe(401);
	});

	test('without the App ID, activation says where to find it', async () => {
		const { error } = await activate('gupshup', { gupshupApi: GUPSHUP });
		expect(error.message).toMatch(/App ID "" is not the app's id \(a UUID/);
	});

	test('deactivation deletes exactly its subscription', async () => {
		const staticData = { 'node:WhatsApp Status Trigger': { registeredCallback: { provider: 'gupshup', url: PRODUCTION_URL, secret: 't', ids: { subscription: '8166' } } } };
		api().delete(`/wa/app/${APP_ID}/subscription/8166`).reply(204);
		const { error } = await deactivate('gupshup', credentials, staticData);
		expect(error).toBeNull();
		expect(nock.isDone()).toBe(true);
	});
});

describe('Meta: the phone number’s callback override', () => {
	const credentials = { metaWhatsAppCloudApi: META };
	const graph = () => nock('https://graph.facebook.com').matchHeader('authorization', `Bearer ${META.accessToken}`);
	const NUMBER = `/v24.0/${META.phoneNumberId}`;

	test('activation sets the override with a verify token that the GET handshake then answers', async () => {
		// Read at checkExists and again right before the override is set.
		graph().get(NUMBER).query({ fields: 'webhook_configuration' }).times(2).reply(200, { webhook_configuration: { application: 'https://app.example.com/hook' }, id: META.phoneNumberId });
		let verifyToken;
		graph()
			.post(NUMBER, (body) => {
				verifyToken = body.webhook_configuration.verify_token;
				return body.webhook_configuration.override_callback_uri === PRODUCTION_URL;
			})
			.reply(200, { success: true });
		const { error, staticData } = await activate('meta', credentials);
		expect(error).toBeNull();
		expect(verifyToken).toMatch(/^[0-9a-f]{64}$/);
		expect(verifyToken).not.toBe(META.verifyToken);
		// The token is derived again when needed: nothing secret is kept; the app's URL it displaced is.
		expect(registered(staticData)).toEqual({
			provider: 'meta',
			url: PRODUCTION_URL,
			account: META.phoneNumberId,
			mark: expect.stringMatching(/^[0-9a-f]{16}$/),
			ids: {},
			displaced: { url: 'https://app.example.com/hook', level: 'application' },
		});

		// Meta's GET comes while the POST is running, before n8n has saved the static data: none is given here.
		const handshake = (token) =>
			runStatusWebhook({
				method: 'GET',
				parameters: { provider: 'meta' },
				credentials,
				request: { body: {}, query: { 'hub.mode': 'subscribe', 'hub.verify_token': token, 'hub.challenge': '1158201444' } },
			});
		expect((await handshake(verifyToken)).response).toMatchObject({ statusCode: 200, body: '1158201444' });
		expect((await handshake('guess')).response.statusCode).toBe(403);
	});

	test('the test URL’s token is answered on the test URL', async () => {
		graph().get(NUMBER).query(true).times(2).reply(200, { webhook_configuration: { application: 'https://app.example.com/hook' } });
		let verifyToken;
		graph()
			.post(NUMBER, (body) => {
				verifyToken = body.webhook_configuration.verify_token;
				return body.webhook_configuration.override_callback_uri === TEST_URL;
			})
			.reply(200, { success: true });
		expect((await activate('meta', credentials, { test: true })).error).toBeNull();
		const { response } = await runStatusWebhook({
			method: 'GET',
			parameters: { provider: 'meta' },
			credentials,
			request: { body: {}, url: '/webhook-test/trigger-id/status', query: { 'hub.mode': 'subscribe', 'hub.verify_token': verifyToken, 'hub.challenge': '42' } },
		});
		expect(response).toMatchObject({ statusCode: 200, body: '42' });
	});

	test('a number whose override is another system’s URL: activation takes it, keeping it to forward to and to put back', async () => {
		const other = 'https://other.example.com/hook';
		graph().get(NUMBER).query(true).times(2).reply(200, { webhook_configuration: { phone_number: other, application: 'https://app.example.com/hook' } });
		graph().post(NUMBER, (body) => body.webhook_configuration.override_callback_uri === PRODUCTION_URL).reply(200, { success: true });
		const { error, staticData } = await activate('meta', credentials);
		expect(error).toBeNull();
		expect(registered(staticData).displaced).toEqual({ url: other, level: 'phone_number' });
		expect(nock.isDone()).toBe(true);

		// Deactivation clears the override, then puts the displaced one back with the credential's Verify Token.
		graph().get(NUMBER).query(true).reply(200, { webhook_configuration: { phone_number: PRODUCTION_URL } });
		const posted = [];
		graph()
			.post(NUMBER, (body) => posted.push(body.webhook_configuration) > 0)
			.times(2)
			.reply(200, { success: true });
		const removed = await deactivate('meta', credentials, staticData);
		expect(removed.error).toBeNull();
		expect(posted).toEqual([{ override_callback_uri: '' }, { override_callback_uri: other, verify_token: META.verifyToken }]);
		expect(registered(removed.staticData)).toBeUndefined();
	});

	test('a number held by another trigger of this n8n: activation refuses, naming it, and changes nothing', async () => {
		const other = 'https://n8n.example.com/webhook/another-trigger/status';
		graph().get(NUMBER).query(true).times(2).reply(200, { webhook_configuration: { phone_number: other } });
		const { error } = await activate('meta', credentials);
		expect(error.message).toMatch(/^Another trigger in this n8n holds this number’s callback URL \(https:\/\/n8n\.example\.com\/webhook\/another-trigger\/status\): (unpublish|deactivate) it/);
		expect(nock.isDone()).toBe(true);
	});

	test('a failed challenge: the error says the URL must be reachable over https and names WEBHOOK_URL', async () => {
		graph().get(NUMBER).query(true).times(3).reply(200, { webhook_configuration: { application: 'https://app.example.com/hook' } });
		graph()
			.post(NUMBER)
			.reply(400, {
				error: {
					message: '(#2200) Callback verification failed with the following errors: HTTP Status Code = 404; HTTP Message = Not Found',
					type: 'OAuthException',
					code: 2200,
					fbtrace_id: 'AbCdEf',
				},
			});
		const { error, staticData } = await activate('meta', credentials);
		expect(error.message).toMatch(/refused registering .*Callback verification failed .* \[2200\]\. .*set WEBHOOK_URL/);
		expect(registered(staticData)).toBeUndefined();
		expectNoSecrets(error);
	});

	test('deactivation clears the override when it is still this URL, and leaves another URL alone', async () => {
		const staticData = () => ({ 'node:WhatsApp Status Trigger': { registeredCallback: { provider: 'meta', url: PRODUCTION_URL, secret: 't', ids: {} } } });
		graph().get(NUMBER).query(true).reply(200, { webhook_configuration: { phone_number: PRODUCTION_URL } });
		graph().post(NUMBER, { webhook_configuration: { override_callback_uri: '' } }).reply(200, { success: true });
		expect((await deactivate('meta', credentials, staticData())).error).toBeNull();
		expect(nock.isDone()).toBe(true);

		graph().get(NUMBER).query(true).reply(200, { webhook_configuration: { phone_number: 'https://other.example.com/hook' } });
		const { error, staticData: after } = await deactivate('meta', credentials, staticData());
		expect(error).toBeNull();
		expect(registered(after)).toBeUndefined();
		expect(nock.isDone()).toBe(true);
	});
});
