/**
 * The sandbox page (/_sandbox/) and what it reads (GET /_sandbox/overview): each provider's
 * webhook and registrations, the sends WhatsApp Notify made (through n8n-core's engine) with their
 * template parameters and callbacks, and no secret anywhere: not the credentials', not what
 * registration made (Smooch's webhook secret, Gupshup's header token, Meta's verify token).
 */

'use strict';

const { startSandbox, SANDBOX_CREDENTIALS, TEST_NUMBERS } = require('../../../sandbox/server');
const { sandboxProviders } = require('../../../sandbox/providers');
const { TEMPLATES } = require('../../../sandbox/templates');
const { overview, redact, HIDDEN } = require('../../../sandbox/lib/overview');
const { runNotify } = require('../../helpers/engine');
const { providersOffline } = require('../../helpers/offline');
const { recordingServer } = require('../../helpers/recordingServer');

providersOffline({ localServers: true });

const KITS = sandboxProviders();
const ORDER_SHIPPED = TEMPLATES.find((template) => template.name === 'order_shipped');
const VARIABLES = ['Ada', 'A-1042'];
const BUTTONS = [
	{ title: 'Confirm', id: 'confirm-8pm' },
	{ title: 'Reschedule', id: 'reschedule' },
];

/** Secrets made while registering, which only the registrations hold. */
const MADE = { gupshupHeaderToken: 'gupshup-header-token-0f3c9a', gupshupUrlToken: 'gupshup-url-token-77b1e2', metaVerifyToken: 'meta-verify-token-5d2e81' };

let sandbox;
let webhook;
const sends = {};
const madeSecrets = Object.values(MADE);

const credentialsFor = (provider) => {
	const kit = KITS[provider];
	return { [kit.credentialType]: { ...kit.sandboxCredential(sandbox.url), ...(kit.templateSettings ?? {}) } };
};

async function call(request) {
	const response = await fetch(`${sandbox.url}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
	return { status: response.status, body: await response.json().catch(() => null) };
}

/** What a status trigger registers at each provider, by hand, with secrets of its own. */
async function register() {
	const smooch = await call(KITS.smooch.registerByHand(`${webhook.url}/webhook/smooch-registered/status`));
	expect(smooch.status).toBe(201);
	madeSecrets.push(smooch.body.webhook.secret);

	const { apiKey, appId } = SANDBOX_CREDENTIALS.gupshup;
	const gupshup = await call({
		method: 'POST',
		path: `/wa/app/${appId}/subscription`,
		headers: { 'content-type': 'application/x-www-form-urlencoded', apikey: apiKey },
		body: new URLSearchParams({
			modes: 'DELIVERED,READ',
			tag: 'page-test',
			url: `${webhook.url}/webhook/gupshup-registered/status?token=${MADE.gupshupUrlToken}`,
			version: '2',
			meta: JSON.stringify({ headers: { 'X-Webhook-Token': MADE.gupshupHeaderToken } }),
		}).toString(),
	});
	expect(gupshup.status).toBe(200);

	const { accessToken, apiVersion, phoneNumberId } = SANDBOX_CREDENTIALS.meta;
	const meta = await call({
		method: 'POST',
		path: `/${apiVersion}/${phoneNumberId}`,
		headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
		body: JSON.stringify({ webhook_configuration: { override_callback_uri: `${webhook.url}/webhook/meta-registered/status`, verify_token: MADE.metaVerifyToken } }),
	});
	expect(meta.status).toBe(200);
}

async function send(provider, parameters) {
	const sent = await runNotify({ parameters: { provider, recipient: TEST_NUMBERS.delivered, ...parameters }, credentials: credentialsFor(provider) });
	expect(sent.error).toBeNull();
	return sent.items[0].json.messageId;
}

beforeAll(async () => {
	// Answers every callback 200, and Meta's GET handshake with its challenge.
	webhook = await recordingServer((request, response) => {
		const challenge = new URL(request.url, 'http://127.0.0.1').searchParams.get('hub.challenge');
		response.end(challenge ?? '');
	});
	sandbox = await startSandbox({ callbackDelayMs: 0 });
	sandbox.configure({
		webhooks: {
			twilio: `${webhook.url}/webhook/twilio-by-hand/status`,
			smooch: `${webhook.url}/webhook/smooch-by-hand/status`,
			gupshup: KITS.gupshup.callbackUrl(`${webhook.url}/webhook/gupshup-by-hand/status`, SANDBOX_CREDENTIALS.gupshup),
		},
	});
	await register();
	for (const provider of Object.keys(KITS)) {
		sends[provider] = {
			text: await send(provider, { message: `Your table at 8 is booked (${provider})` }),
			buttons: await send(provider, { message: 'Your table at 8?', replyButtons: { button: BUTTONS } }),
			template: await send(provider, {
				messageType: 'template',
				template: { __rl: true, ...KITS[provider].templateRef(ORDER_SHIPPED) },
				templateVariables: { variable: VARIABLES.map((value) => ({ value })) },
			}),
		};
	}
	// Refused by every provider: a send with no callback.
	await runNotify({ parameters: { provider: 'twilio', recipient: TEST_NUMBERS.invalid, message: 'refused' }, credentials: credentialsFor('twilio'), continueOnFail: true });
	await sandbox.idle();
}, 60000);

afterAll(async () => {
	await sandbox.close();
	await webhook.close();
});

const getOverview = async () => {
	const response = await fetch(`${sandbox.url}/_sandbox/overview`);
	expect(response.status).toBe(200);
	return { text: await response.clone().text(), data: await response.json() };
};

describe('the page', () => {
	test('/_sandbox redirects to /_sandbox/, which serves the page, its script and its style under a policy that allows only them', async () => {
		const redirect = await fetch(`${sandbox.url}/_sandbox`, { redirect: 'manual' });
		expect(redirect.status).toBe(301);
		expect(redirect.headers.get('location')).toBe('/_sandbox/');

		const page = await fetch(sandbox.pageUrl);
		expect(page.status).toBe(200);
		expect(page.headers.get('content-type')).toMatch(/^text\/html/);
		expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'.*script-src 'self'.*connect-src 'self'/);
		const html = await page.text();
		const linked = [...html.matchAll(/(?:src|href)="([^"]*)"/g)].map((match) => match[1]);
		expect(linked.sort()).toEqual(['data:,', 'page.css', 'page.js']);
		expect(html).toMatch(/<form id="reply-form"/);

		for (const [file, type] of [
			['page.js', /^text\/javascript/],
			['page.css', /^text\/css/],
		]) {
			const asset = await fetch(`${sandbox.pageUrl}${file}`);
			expect(asset.status).toBe(200);
			expect(asset.headers.get('content-type')).toMatch(type);
			const text = await asset.text();
			// Nothing fetched from elsewhere: no absolute URL, no CSS import or url().
			expect(text).not.toMatch(/https?:\/\/|@import|url\(/);
		}
		expect((await fetch(`${sandbox.pageUrl}server.js`)).status).toBe(404);
	});
});

describe('GET /_sandbox/overview', () => {
	test('every provider with its webhook set by hand and the URLs its registrations call, tokens hidden', async () => {
		const { data } = await getOverview();
		const byName = Object.fromEntries(data.providers.map((provider) => [provider.name, provider]));
		expect(Object.keys(byName)).toEqual(Object.keys(KITS));
		expect(byName.twilio).toMatchObject({ webhook: `${webhook.url}/webhook/twilio-by-hand/status`, registeredUrls: [], registrations: [] });
		expect(byName.gupshup.webhook).toBe(`${webhook.url}/webhook/gupshup-by-hand/status?token=${HIDDEN}`);
		expect(byName.gupshup.registeredUrls).toEqual([`${webhook.url}/webhook/gupshup-registered/status?token=${HIDDEN}`]);
		expect(byName.smooch.registeredUrls).toEqual([`${webhook.url}/webhook/smooch-registered/status`]);
		expect(byName.smooch.registrations[0]).toMatchObject({ triggers: ['conversation:read'], secret: HIDDEN });
		expect(byName.meta).toMatchObject({ webhook: null, registeredUrls: [`${webhook.url}/webhook/meta-registered/status`] });
		expect(byName.meta.registrations[0].verifyToken).toBe(HIDDEN);
	});

	test('each send with its recipient, text, answer and the callbacks it caused (event, URL, answer), newest first', async () => {
		const { data } = await getOverview();
		expect(data.totals).toEqual({ sends: sandbox.received.length, callbacks: sandbox.callbacks.length });
		expect(data.sends.map((each) => each.at)).toEqual(sandbox.received.map((record) => record.at).reverse());
		for (const provider of Object.keys(KITS)) {
			const shown = data.sends.find((each) => each.messageId === sends[provider].text);
			expect(shown).toMatchObject({ provider, to: TEST_NUMBERS.delivered, text: `Your table at 8 is booked (${provider})`, template: null });
			expect(shown.httpStatus).toBeGreaterThanOrEqual(200);
			expect(shown.httpStatus).toBeLessThan(300);
			const made = sandbox.callbacks.filter((callback) => callback.messageId === sends[provider].text);
			expect(made.length).toBeGreaterThanOrEqual(2);
			expect(shown.callbacks.map((callback) => [callback.event, callback.httpStatus, callback.registered])).toEqual(
				made.map((callback) => [callback.status, 200, callback.registered]),
			);
			expect(shown.callbacks.every((callback) => callback.url.startsWith(`${webhook.url}/webhook/`))).toBe(true);
		}
		// Meta's override outranks any other URL: its callbacks went to what was registered.
		const meta = data.sends.find((each) => each.messageId === sends.meta.text);
		expect(new Set(meta.callbacks.map((callback) => callback.url))).toEqual(new Set([`${webhook.url}/webhook/meta-registered/status`]));
		expect(data.callbacks.map((callback) => callback.at)).toEqual(sandbox.callbacks.map((callback) => callback.at).reverse());
	});

	test('a template send names the template and the values it fills in, in every provider’s shape', async () => {
		const { data } = await getOverview();
		for (const provider of Object.keys(KITS)) {
			const shown = data.sends.find((each) => each.messageId === sends[provider].template);
			expect([provider, shown.template]).toEqual([provider, { name: ORDER_SHIPPED.name, parameters: VARIABLES }]);
		}
	});

	test('a refused send shows the provider’s answer and no callback', async () => {
		const { data } = await getOverview();
		const [refused] = data.sends;
		expect(refused).toMatchObject({ provider: 'twilio', to: TEST_NUMBERS.invalid, httpStatus: 400, messageId: null, callbacks: [] });
		expect(refused.response.code).toBe(21211);
	});

	test('no secret: not the credentials’, not the auth headers, not what registration made', async () => {
		const { text } = await getOverview();
		const credentialSecrets = Object.values(KITS).flatMap((kit) => kit.secretFields.map((field) => kit.sandboxCredential(sandbox.url)[field]));
		expect(credentialSecrets.length).toBeGreaterThan(5);
		for (const secret of [...credentialSecrets, ...madeSecrets]) expect([secret, text.includes(secret)]).toEqual([secret, false]);
		expect(text).not.toMatch(/Basic [A-Za-z0-9+/=]{10,}|Bearer /);
		// It was there to hide: the registrations hold it.
		expect(JSON.stringify(sandbox.registrations)).toContain(MADE.gupshupHeaderToken);
	});

	test('a send’s reply buttons, as the sandbox recorded them, and nothing empty', async () => {
		const { data } = await getOverview();
		for (const provider of Object.keys(KITS)) {
			const shown = data.sends.find((each) => each.messageId === sends[provider].buttons);
			expect([provider, shown.details]).toEqual([provider, { buttons: BUTTONS }]);
			// Twilio's text is in the quick-reply Content, not in the send.
			if (provider !== 'twilio') expect([provider, shown.text]).toEqual([provider, 'Your table at 8?']);
			expect(data.sends.find((each) => each.messageId === sends[provider].text).details).toEqual({});
		}
	});
});

describe('overview() and redact()', () => {
	const at = (n) => new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString();
	const record = (n) => ({ provider: 'meta', method: 'POST', path: '/v24.0/1/messages', headers: {}, body: { to: String(n) }, rawBody: '', status: 200, response: {}, messageId: `wamid.${n}`, at: at(n) });

	test('the newest `limit` sends and callbacks, newest first, with the totals; a customer’s reply under the send it answers', () => {
		const received = Array.from({ length: 7 }, (_, n) => record(n));
		const callbacks = received.map((each) => ({ provider: 'meta', url: 'http://127.0.0.1:1/hook', status: 'sent', messageId: each.messageId, replyTo: null, httpStatus: 200, error: null, body: {}, at: each.at }));
		// The customer's answer to the newest send: shown under it.
		callbacks.push({ ...callbacks[6], status: 'inbound', messageId: 'wamid.from-customer', replyTo: 'wamid.6', at: at(8) });
		const shown = overview({ config: { webhooks: {} }, registrations: {}, received, callbacks }, { meta: KITS.meta }, { limit: 3 });
		expect(shown.sends.map((each) => each.to)).toEqual(['+6', '+5', '+4']);
		expect(shown.sends[0].callbacks.map((each) => [each.event, each.messageId])).toEqual([
			['sent', 'wamid.6'],
			['inbound', 'wamid.from-customer'],
		]);
		expect(shown.callbacks.map((each) => each.messageId)).toEqual(['wamid.from-customer', 'wamid.6', 'wamid.5']);
		expect(shown.totals).toEqual({ sends: 7, callbacks: 8 });
	});

	test('hides secret fields, header values and secret URL parameters, also inside JSON held in a string; opens that JSON', () => {
		const shown = redact({
			apikey: 'k1',
			headers: { 'X-Webhook-Token': 't1', 'Content-Type': 'application/json' },
			meta: JSON.stringify({ headers: { Authorization: 'Bearer t2' } }),
			url: 'http://127.0.0.1:5678/webhook/x/status?token=t3&b=2',
			ContentVariables: '{"1":"Ada"}',
			text: 'Hi {there}',
			nested: [{ client_secret: 't4', verify_token: '' }],
		});
		expect(shown).toEqual({
			apikey: HIDDEN,
			headers: { 'X-Webhook-Token': HIDDEN, 'Content-Type': HIDDEN },
			meta: { headers: { Authorization: HIDDEN } },
			url: `http://127.0.0.1:5678/webhook/x/status?token=${HIDDEN}&b=2`,
			ContentVariables: { 1: 'Ada' },
			text: 'Hi {there}',
			nested: [{ client_secret: HIDDEN, verify_token: '' }],
		});
	});
});
