/**
 * Registration on a real account (issue 20), through n8n-core's HookContext against nock in the
 * providers' documented shapes: delete never throws and what it leaves is found again; one
 * registration per trigger wherever its URL moves (WEBHOOK_URL changed, a test URL from before a
 * restart, a create whose answer never came, the credential switched); Twilio's sink is checked
 * with its subscription and event types, SMS statuses never reach Delivered, and a classic Status
 * Callback does not repeat Event Streams; Meta's displaced URL gets every callback, unchanged.
 */
const { createHmac } = require('crypto');
const http = require('http');
const nock = require('nock');
const { Container } = require('@n8n/di');
const { Logger } = require('@n8n/backend-common');
const { runStatusWebhook, runWebhookMethod } = require('../helpers/engine');
const { providersOffline } = require('../helpers/offline');
const { expectNoSecrets, GUPSHUP, META, SMOOCH, TWILIO } = require('../helpers/credentials');
const { forwardsSettled } = require('../../dist/nodes/WhatsAppStatusTrigger/metaSharing');
const twilioCallbacks = require('../fixtures/twilio-callbacks.json');

// Loopback too: a closed port answers ECONNREFUSED, a local server can drop a connection.
providersOffline({ localServers: true });

/**
 * A local server that drops every connection without an answer, for `onRequest` calls first.
 * @param {(req: import('http').IncomingMessage) => void} [onRequest]
 */
async function droppingServer(onRequest = () => undefined) {
	const server = http.createServer((req) => {
		onRequest(req);
		// After the request was read: the provider got it, the answer never comes.
		req.on('end', () => req.socket.destroy());
		req.resume();
	});
	await new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(undefined)));
	const { port } = /** @type {import('net').AddressInfo} */ (server.address());
	return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(resolve)) };
}

const PRODUCTION_URL = 'https://n8n.example.com/webhook/trigger-id/status';
const OLD_URL = 'https://old-tunnel.example.net/webhook/trigger-id/status';
const NODE = 'node:WhatsApp Status Trigger';
const registered = (staticData) => staticData[NODE]?.registeredCallback;
const withRegistration = (registration) => ({ [NODE]: { registeredCallback: registration } });

let warnings;
beforeEach(() => {
	warnings = [];
	jest.spyOn(Container.get(Logger), 'warn').mockImplementation((message) => warnings.push(message));
	jest.spyOn(Container.get(Logger), 'info').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

const run = (method, provider, credentials, staticData, options = {}) =>
	runWebhookMethod({ method, parameters: { provider }, credentials, staticData, ...options });

describe('delete never throws', () => {
	const credentials = { smoochApi: SMOOCH };
	const api = () => nock('https://api.smooch.io');
	const kept = { provider: 'smooch', url: PRODUCTION_URL, account: 'app123', ids: { webhook: 'w1' } };

	test('the provider down: the workflow still deactivates, the log says what stays, the next activation adopts it (one registration)', async () => {
		api().delete('/v1.1/apps/app123/webhooks/w1').reply(503, { error: { code: 'service_unavailable', description: 'Service Unavailable' } });
		const removed = await run('delete', 'smooch', credentials, withRegistration(kept));
		expect(removed.error).toBeNull();
		expect(removed.result).toBe(true);
		expect(warnings.join('\n')).toMatch(/registration for https:\/\/n8n\.example\.com\/webhook\/trigger-id\/status was not removed: Smooch .* refused removing .*: Service Unavailable \[service_unavailable\]\. Try again later\. It is removed when the workflow is next (published|activated)/);
		expectNoSecrets(warnings.join('\n'));
		// Kept, so that the next activation finds it.
		expect(registered(removed.staticData)).toEqual(kept);
	});

	test('no answer at all (ECONNREFUSED): the log names the host and the code', async () => {
		const down = await droppingServer();
		await down.close();
		const removed = await run('delete', 'smooch', { smoochApi: { ...SMOOCH, region: 'custom', baseUrl: down.url } }, withRegistration(kept));
		expect(removed.error).toBeNull();
		expect(warnings.join('\n')).toMatch(new RegExp(`did not answer at ${down.url.slice(7).replace(/\./g, '\\.')} \\(ECONNREFUSED\\)`));
	});

	test('a credential that cannot be read any more: still no throw', async () => {
		const removed = await run('delete', 'smooch', {}, withRegistration(kept));
		expect(removed.error).toBeNull();
		expect(warnings).toHaveLength(1);
	});
});

describe('one registration per trigger, wherever its URL moves', () => {
	const credentials = { twilioWhatsAppApi: TWILIO };
	const events = () => nock('https://events.twilio.com');
	const sink = (sid, destination, description = 'made by hand') => ({ sid, description, sink_configuration: { destination, method: 'POST' } });
	const ALL_TYPES = ['sent', 'delivered', 'read', 'failed', 'undelivered'].map((status) => ({ type: `com.twilio.messaging.message.${status}` }));

	test('WEBHOOK_URL changed across a restart: the old URL’s sink and subscription are removed, the new URL registered', async () => {
		const old = { provider: 'twilio', url: OLD_URL, account: TWILIO.accountSid, ids: { sink: 'DGold', subscription: 'DFold' } };
		events().get('/v1/Sinks').query(true).reply(200, { sinks: [sink('DGold', OLD_URL), sink('DGhand', 'https://elsewhere.example.com/hook')] });
		events().get('/v1/Subscriptions').query(true).reply(200, { subscriptions: [{ sid: 'DFold', sink_sid: 'DGold' }] });
		events().delete('/v1/Subscriptions/DFold').reply(204);
		events().delete('/v1/Sinks/DGold').reply(204);
		const exists = await run('checkExists', 'twilio', credentials, withRegistration(old), { activation: 'init' });
		expect(exists.error).toBeNull();
		expect(exists.result).toBe(false);
		// The hand-made sink was not touched: nock would have refused a request for it.
		expect(nock.isDone()).toBe(true);
	});

	test('a test URL registered before a restart is removed at n8n’s start; the production one stays', async () => {
		// The test registration's mark, as the editor's listening made it.
		events().get('/v1/Sinks').query(true).reply(200, { sinks: [] });
		events().get('/v1/Subscriptions').query(true).reply(200, { subscriptions: [] });
		events().post('/v1/Sinks').reply(201, { sid: 'DGtest' });
		events().post('/v1/Subscriptions').reply(201, { sid: 'DFtest' });
		const created = await run('checkExists', 'twilio', credentials, {}, { test: true });
		const listening = await run('create', 'twilio', credentials, created.staticData, { test: true });
		const testMark = registered(listening.staticData).mark;
		const production = { provider: 'twilio', url: PRODUCTION_URL, account: TWILIO.accountSid, mark: 'aaaaaaaaaaaaaaaa', ids: { sink: 'DGprod', subscription: 'DFprod' } };

		const testUrl = 'https://n8n.example.com/webhook-test/trigger-id/status';
		events().get('/v1/Sinks').query(true).reply(200, { sinks: [sink('DGprod', PRODUCTION_URL), sink('DGtest', testUrl, `WhatsApp Status Trigger (n8n) ${testMark}`)] });
		events().get('/v1/Subscriptions').query(true).reply(200, { subscriptions: [{ sid: 'DFprod', sink_sid: 'DGprod' }, { sid: 'DFtest', sink_sid: 'DGtest' }] });
		events().get('/v1/Subscriptions/DFprod/SubscribedEvents').query(true).reply(200, { types: ALL_TYPES });
		events().delete('/v1/Subscriptions/DFtest').reply(204);
		events().delete('/v1/Sinks/DGtest').reply(204);
		const start = await run('checkExists', 'twilio', credentials, withRegistration(production), { activation: 'init' });
		expect(start.result).toBe(true);
		expect(nock.isDone()).toBe(true);
	});

	test('the test URL beside the production URL: listening removes neither the production sink nor anything not its own', async () => {
		events().get('/v1/Sinks').query(true).reply(200, { sinks: [sink('DGprod', PRODUCTION_URL, 'WhatsApp Status Trigger (n8n) aaaaaaaaaaaaaaaa')] });
		events().get('/v1/Subscriptions').query(true).reply(200, { subscriptions: [{ sid: 'DFprod', sink_sid: 'DGprod' }] });
		const exists = await run('checkExists', 'twilio', credentials, {}, { test: true });
		expect(exists.result).toBe(false);
		expect(nock.isDone()).toBe(true);
	});

	test('listening handed the production registration’s static data leaves the production sink alone', async () => {
		const production = { provider: 'twilio', url: PRODUCTION_URL, account: TWILIO.accountSid, mark: 'aaaaaaaaaaaaaaaa', ids: { sink: 'DGprod', subscription: 'DFprod' } };
		events().get('/v1/Sinks').query(true).reply(200, { sinks: [sink('DGprod', PRODUCTION_URL, 'WhatsApp Status Trigger (n8n) aaaaaaaaaaaaaaaa')] });
		events().get('/v1/Subscriptions').query(true).reply(200, { subscriptions: [{ sid: 'DFprod', sink_sid: 'DGprod' }] });
		const exists = await run('checkExists', 'twilio', credentials, withRegistration(production), { test: true });
		expect(exists.result).toBe(false);
		// No DELETE was answered: one for the production sink would have failed the check.
		expect(nock.isDone()).toBe(true);
		expect(warnings).toEqual([]);
	});

	test('create getting no answer on its first step: what it made anyway (it carries the mark) is removed', async () => {
		// Twilio made the sink although the answer was lost: the list then shows it, marked.
		const lost = [];
		const local = await droppingServer((req) => {
			let body = '';
			req.on('data', (chunk) => (body += chunk));
			req.on('end', () => lost.push(new URLSearchParams(body).get('Description')));
			req.pause();
		});
		// Unmatched requests (the POST) go through to the dropping server.
		const api = () => nock(local.url, { allowUnmocked: true });
		try {
			const localCredentials = { twilioWhatsAppApi: { ...TWILIO, baseUrl: local.url } };
			api().get('/v1/Sinks').query(true).reply(200, { sinks: [] });
			api().get('/v1/Subscriptions').query(true).reply(200, { subscriptions: [] });
			const exists = await run('checkExists', 'twilio', localCredentials, {});
			api().get('/v1/Sinks').query(true).reply(200, () => ({ sinks: [sink('DGlost', PRODUCTION_URL, lost[0])] }));
			api().get('/v1/Subscriptions').query(true).reply(200, { subscriptions: [] });
			api().delete('/v1/Sinks/DGlost').reply(204);
			const created = await run('create', 'twilio', localCredentials, exists.staticData);
			expect(created.error.message).toMatch(/^Twilio did not answer at 127\.0\.0\.1:\d+ \(ECONNRESET\) while registering/);
			expect(lost[0]).toMatch(/^WhatsApp Status Trigger \(n8n\) [0-9a-f]{16}$/);
			expect(registered(created.staticData)).toBeUndefined();
			expect(nock.isDone()).toBe(true);
		} finally {
			await local.close();
		}
	});

	test('the credential switched to another Twilio account: delete asks nothing of the new account and says where the sink is', async () => {
		const made = { provider: 'twilio', url: PRODUCTION_URL, account: 'AC00000000000000000000000000000001', ids: { sink: 'DG1', subscription: 'DF1' } };
		const removed = await run('delete', 'twilio', credentials, withRegistration(made));
		expect(removed.error).toBeNull();
		expect(warnings.join('\n')).toContain(`was made in account AC00000000000000000000000000000001, but the credential now points at ${TWILIO.accountSid}: remove it in AC00000000000000000000000000000001 by hand`);
	});

	test('the credential switched to another Smooch app its key cannot open: the log says where the webhook is', async () => {
		const made = { provider: 'smooch', url: PRODUCTION_URL, account: 'old-app', ids: { webhook: 'w1' } };
		nock('https://api.smooch.io').delete('/v1.1/apps/old-app/webhooks/w1').reply(401, { error: { code: 'unauthorized', description: 'Authorization is required' } });
		const removed = await run('delete', 'smooch', { smoochApi: SMOOCH }, withRegistration(made));
		expect(removed.error).toBeNull();
		expect(warnings.join('\n')).toContain(`It was made in old-app; the credential now points at ${SMOOCH.appId}: remove it there by hand, or point the credential back.`);
	});

	test('the credential switched to another Gupshup app: delete removes it in the app that made it', async () => {
		const app = 'bf9ee64c-3d4d-4ac4-8668-732e577007c4';
		const made = { provider: 'gupshup', url: PRODUCTION_URL, account: app, ids: { subscription: '8166' } };
		nock('https://api.gupshup.io').delete(`/wa/app/${app}/subscription/8166`).reply(204);
		const removed = await run('delete', 'gupshup', { gupshupApi: { ...GUPSHUP, appId: '11111111-2222-3333-4444-555555555555' } }, withRegistration(made));
		expect(removed.error).toBeNull();
		expect(nock.isDone()).toBe(true);
	});
});

describe('Twilio: the sink, its subscription and the event types; SMS; two routes for one status', () => {
	const credentials = { twilioWhatsAppApi: TWILIO };
	const events = () => nock('https://events.twilio.com');
	const kept = { provider: 'twilio', url: PRODUCTION_URL, account: TWILIO.accountSid, ids: { sink: 'DG1', subscription: 'DF1' } };

	test('a subscription removed by hand: checkExists says no, and the orphaned sink is removed before the new one is made', async () => {
		events().get('/v1/Sinks').query(true).reply(200, { sinks: [{ sid: 'DG1', sink_configuration: { destination: PRODUCTION_URL } }] });
		events().get('/v1/Subscriptions').query(true).reply(200, { subscriptions: [] });
		events().get('/v1/Subscriptions/DF1/SubscribedEvents').query(true).reply(404, { code: 20404, message: 'not found' });
		events().delete('/v1/Sinks/DG1').reply(204);
		const exists = await run('checkExists', 'twilio', credentials, withRegistration(kept), { activation: 'init' });
		expect(exists.result).toBe(false);
		expect(registered(exists.staticData)).toBeUndefined();
		expect(nock.isDone()).toBe(true);
	});

	test('a subscription that lost an event type: made again', async () => {
		events().get('/v1/Sinks').query(true).reply(200, { sinks: [{ sid: 'DG1', sink_configuration: { destination: PRODUCTION_URL } }] });
		events().get('/v1/Subscriptions').query(true).reply(200, { subscriptions: [{ sid: 'DF1', sink_sid: 'DG1' }] });
		events().get('/v1/Subscriptions/DF1/SubscribedEvents').query(true).reply(200, { types: [{ type: 'com.twilio.messaging.message.sent' }] });
		events().delete('/v1/Subscriptions/DF1').reply(204);
		events().delete('/v1/Sinks/DG1').reply(204);
		const exists = await run('checkExists', 'twilio', credentials, withRegistration(kept));
		expect(exists.result).toBe(false);
		expect(nock.isDone()).toBe(true);
	});

	const signed = (fields) => {
		let data = PRODUCTION_URL;
		for (const key of Object.keys(fields).sort()) data += key + fields[key];
		return { body: fields, headers: { 'X-Twilio-Signature': createHmac('sha1', TWILIO.authToken).update(data).digest('base64') }, url: '/webhook/trigger-id/status' };
	};

	test('an SMS’s delivered status (no whatsapp: address) goes to Other, never Delivered', async () => {
		const sms = { ...twilioCallbacks.delivered, To: '+14155551234', From: '+14155238886' };
		const { outputs } = await runStatusWebhook({ parameters: { provider: 'twilio', options: { includeOtherEvents: true } }, credentials, request: signed(sms) });
		expect(outputs.delivered).toEqual([]);
		expect(outputs.other).toEqual([expect.objectContaining({ status: 'other', providerStatus: 'delivered' })]);

		const whatsApp = await runStatusWebhook({ parameters: { provider: 'twilio' }, credentials, request: signed(twilioCallbacks.delivered) });
		expect(whatsApp.outputs.delivered).toHaveLength(1);
	});

	test('with Event Streams registered, a classic Status Callback to the same URL is acknowledged and dropped (its status comes as an event)', async () => {
		const classic = await runStatusWebhook({ parameters: { provider: 'twilio' }, credentials, staticData: withRegistration(kept), request: signed(twilioCallbacks.delivered) });
		expect(classic.response.statusCode).toBe(200);
		expect(classic.outputs.delivered).toEqual([]);
	});
});

describe('Meta: the displaced URL gets every callback, unchanged', () => {
	const credentials = { metaWhatsAppCloudApi: META };
	const APP_URL = 'https://helpdesk.example.com/whatsapp';
	const kept = { provider: 'meta', url: PRODUCTION_URL, account: META.phoneNumberId, ids: {}, displaced: { url: APP_URL, level: 'application' } };
	const message = {
		object: 'whatsapp_business_account',
		entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550001111', phone_number_id: META.phoneNumberId }, contacts: [{ profile: { name: 'Ana' }, wa_id: '14155551234' }], messages: [{ from: '14155551234', id: 'wamid.IN1', timestamp: '1765000000', type: 'text', text: { body: 'Hi' } }] } }] }],
	};
	const call = (body) => {
		const raw = JSON.stringify(body);
		const signature = `sha256=${createHmac('sha256', META.appSecret).update(raw).digest('hex')}`;
		return { body, rawBody: Buffer.from(raw), headers: { 'x-hub-signature-256': signature, 'content-type': 'application/json' } };
	};

	test('a customer message reaches the displaced URL byte for byte with Meta’s signature; Meta gets 200', async () => {
		const request = call(message);
		let forwarded;
		nock('https://helpdesk.example.com')
			.post('/whatsapp', (body) => (forwarded = body) !== undefined)
			.matchHeader('x-hub-signature-256', request.headers['x-hub-signature-256'])
			.matchHeader('authorization', (value) => value === undefined)
			.reply(200);
		const { response } = await runStatusWebhook({ parameters: { provider: 'meta' }, credentials, staticData: withRegistration(kept), request });
		expect(response.statusCode ?? 200).toBe(200);
		await forwardsSettled();
		expect(JSON.stringify(forwarded)).toBe(request.rawBody.toString());
		expect(nock.isDone()).toBe(true);
	});

	test('a failing displaced URL: retried, logged with the URL and the answer; Meta still gets 200', async () => {
		nock('https://helpdesk.example.com').post('/whatsapp').times(3).reply(502, 'Bad Gateway');
		const { response } = await runStatusWebhook({ parameters: { provider: 'meta' }, credentials, staticData: withRegistration(kept), request: call(message) });
		expect(response.statusCode ?? 200).toBe(200);
		// Real waits between the tries (about 5 s in all): the answer above came before any of them.
		await forwardsSettled();
		expect(nock.isDone()).toBe(true);
		expect(warnings.join('\n')).toMatch(/forwarding a Meta callback to https:\/\/helpdesk\.example\.com\/whatsapp failed 3 times; last answer: HTTP 502 Bad Gateway/);
	}, 60_000);

	test('with Forward Number Events off, nothing is forwarded', async () => {
		const { response } = await runStatusWebhook({
			parameters: { provider: 'meta', forwardNumberEvents: false },
			credentials,
			staticData: withRegistration(kept),
			request: call(message),
		});
		expect(response.statusCode ?? 200).toBe(200);
		await forwardsSettled();
		// providersOffline refuses any request nock does not answer: none was made.
		expect(nock.pendingMocks()).toEqual([]);
	});

	test('a displaced URL that is not public https (static data edited, say) is never forwarded to', async () => {
		for (const url of ['http://helpdesk.example.com/whatsapp', 'https://10.0.0.5/whatsapp', 'https://localhost/whatsapp']) {
			const edited = { ...kept, displaced: { url, level: 'application' } };
			const { response } = await runStatusWebhook({ parameters: { provider: 'meta' }, credentials, staticData: withRegistration(edited), request: call(message) });
			expect(response.statusCode ?? 200).toBe(200);
			await forwardsSettled();
		}
		// No attempt was made: a failed one would have been logged.
		expect(warnings).toEqual([]);
	});

	test('a callback that fails the signature check is never forwarded', async () => {
		const forged = { ...call(message), headers: { 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } };
		const { response } = await runStatusWebhook({ parameters: { provider: 'meta' }, credentials, staticData: withRegistration(kept), request: forged });
		expect(response.statusCode).toBe(401);
		await forwardsSettled();
	});
});
