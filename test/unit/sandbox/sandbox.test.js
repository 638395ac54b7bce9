/**
 * The provider sandbox (sandbox/server.js): its send APIs, its refusals, and
 * its status callbacks, checked against the providers' documented shapes and
 * against the package's own normalizer and callback verifiers (from dist/).
 */

'use strict';

const crypto = require('crypto');
const http = require('http');
const path = require('path');
const { spawn } = require('child_process');

const axios = require('axios').default;

const { startSandbox, SANDBOX_CREDENTIALS: CREDS, TEST_NUMBERS } = require('../../../sandbox/server');
const { sandboxProviders } = require('../../../sandbox/providers');
const { twilioSignature } = require('../../../sandbox/providers/twilio');
const { TEMPLATES } = require('../../../sandbox/templates');

/** The sandbox's approved template with two variables, under Gupshup's id. */
const ORDER_SHIPPED = TEMPLATES.find((template) => template.name === 'order_shipped').gupshupId;

let packageProviders;
let toFormBody;
try {
	packageProviders = require('../../../dist/nodes/providers');
	({ toFormBody } = require('../../../dist/nodes/shared/transport'));
} catch (error) {
	throw new Error(`dist/ is missing or broken: run "npm run build" in /work/main first (${error.message})`);
}
const { normalizeStatusCallback, PROVIDERS } = packageProviders;

const ORDINARY = TEST_NUMBERS.delivered;
const TWILIO_MESSAGES = `/2010-04-01/Accounts/${CREDS.twilio.accountSid}/Messages.json`;
const SMOOCH_NOTIFICATIONS = `/v1.1/apps/${CREDS.smooch.appId}/notifications`;
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

// ---------------------------------------------------------------------------
// Helpers

/** A webhook receiver that records every request and answers `status` (200 unless changed). */
async function startReceiver() {
	const receiver = { requests: [], status: 200 };
	receiver.server = http.createServer((req, res) => {
		let rawBody = '';
		req.setEncoding('utf-8');
		req.on('data', (chunk) => (rawBody += chunk));
		req.on('end', () => {
			const isJson = String(req.headers['content-type']).includes('application/json');
			receiver.requests.push({
				path: req.url,
				headers: req.headers,
				rawBody,
				body: isJson ? JSON.parse(rawBody) : Object.fromEntries(new URLSearchParams(rawBody)),
			});
			res.statusCode = receiver.status;
			res.end();
		});
	});
	await new Promise((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
	receiver.url = `http://127.0.0.1:${receiver.server.address().port}`;
	return receiver;
}

/** Twilio's signature, computed here from its definition (independent of the sandbox's code). */
function expectedTwilioSignature(authToken, url, params) {
	const data = url + Object.keys(params).sort().map((key) => key + params[key]).join('');
	return crypto.createHmac('sha1', authToken).update(data).digest('base64');
}

let sb;
let receiver;
const api = axios.create({ validateStatus: () => true });

const webhookUrls = () => ({
	twilio: `${receiver.url}/webhook/twilio/status?source=sandbox&b=2`,
	smooch: `${receiver.url}/webhook/smooch/status`,
	gupshup: `${receiver.url}/webhook/gupshup/status?token=${CREDS.gupshup.webhookToken}`,
});

function twilioSend(fields, auth = { username: CREDS.twilio.accountSid, password: CREDS.twilio.authToken }) {
	return api.post(sb.url + TWILIO_MESSAGES, new URLSearchParams(fields).toString(), { auth, headers: FORM });
}

function smoochSend(body, auth = { username: CREDS.smooch.keyId, password: CREDS.smooch.secret }) {
	return api.post(sb.url + SMOOCH_NOTIFICATIONS, body, { auth });
}

function smoochText(recipient, text = 'Your order shipped') {
	return {
		destination: { integrationId: CREDS.smooch.integrationId, destinationId: recipient },
		author: { role: 'appMaker' },
		message: { type: 'text', text },
	};
}

function gupshupFields(recipient, extra = {}) {
	return {
		channel: 'whatsapp',
		source: CREDS.gupshup.sourceNumber.slice(1),
		destination: recipient.replace(/^\+/, ''),
		'src.name': CREDS.gupshup.appName,
		message: JSON.stringify({ type: 'text', text: 'Your order shipped' }),
		...extra,
	};
}

/**
 * apikey null sends no apikey header at all.
 * @param {Record<string, string>} fields
 * @param {{ apikey?: string | null, template?: boolean }} [options]
 */
function gupshupSend(fields, { apikey = CREDS.gupshup.apiKey, template = false } = {}) {
	const headers = apikey === null ? FORM : { ...FORM, apikey };
	return api.post(`${sb.url}/wa/api/v1/${template ? 'template/msg' : 'msg'}`, new URLSearchParams(fields).toString(), { headers });
}

function twilioText(recipient) {
	return { To: `whatsapp:${recipient}`, From: `whatsapp:${CREDS.twilio.fromNumber}`, Body: 'Your order shipped' };
}

/** The webhook requests the receiver got for one provider path, in arrival order. */
const receivedAt = (fragment) => receiver.requests.filter((request) => request.path.includes(fragment));

/** Normalizes one received callback with the package's normalizer. */
const normalize = (provider, request) => normalizeStatusCallback({ provider, body: request.body, headers: request.headers });

beforeAll(async () => {
	receiver = await startReceiver();
	sb = await startSandbox({ port: 0, callbackDelayMs: 5 });
});

afterAll(async () => {
	await sb.close();
	await new Promise((resolve) => receiver.server.close(resolve));
});

beforeEach(async () => {
	sb.reset();
	// A callback the last test's chain had already sent when reset() cancelled it still lands:
	// wait until every chain has ended (its request answered, so recorded) before clearing.
	await sb.idle();
	sb.configure({ latencyMs: 0, rateLimitPerSecond: 0, retryAfterSeconds: 1, callbackDelayMs: 5, webhooks: webhookUrls() });
	receiver.requests.length = 0;
	receiver.status = 200;
});

// ---------------------------------------------------------------------------

describe('module API', () => {
	test('exports a credential per provider that fills every field its n8n credential requires, and distinct E.164 test numbers', () => {
		const { n8n } = require('../../../package.json');
		const credentialTypes = Object.fromEntries(
			n8n.credentials.map((file) => {
				const type = new (Object.values(require(path.resolve(__dirname, '../../..', file)))[0])();
				return [type.name, type];
			}),
		);
		const providers = Object.entries(sandboxProviders());
		expect(providers.map(([name]) => name).sort()).toEqual(Object.keys(CREDS).sort());
		for (const [name, kit] of providers) {
			// Fields shown only in another mode (a custom host) are required only there.
			const required = credentialTypes[kit.credentialType].properties.filter((field) => field.required && !field.displayOptions);
			for (const field of required) expect([name, field.name, typeof CREDS[name][field.name]]).toEqual([name, field.name, 'string']);
			for (const value of Object.values(CREDS[name])) expect(value).not.toBe('');
		}
		const numbers = Object.values(TEST_NUMBERS);
		for (const number of numbers) expect(number).toMatch(/^\+[1-9]\d{7,14}$/);
		expect(new Set(numbers).size).toBe(numbers.length);
	});

	test('listens on 127.0.0.1 and exposes received / callbacks arrays that reset() empties in place', async () => {
		expect(sb.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
		const received = sb.received;
		await twilioSend(twilioText(ORDINARY));
		expect(received).toHaveLength(1);
		sb.reset();
		expect(received).toHaveLength(0);
		expect(sb.received).toBe(received);
	});

	test('configure() refuses unknown settings and webhooks off this machine', () => {
		expect(() => sb.configure({ latency: 5 })).toThrow(/unknown setting/);
		expect(() => sb.configure({ latencyMs: -1 })).toThrow(/≥ 0/);
		expect(() => sb.configure({ webhooks: { twilio: 'http://example.com/hook' } })).toThrow(/this machine/);
		expect(() => sb.configure({ webhooks: { whatsapp: `${receiver.url}/x` } })).toThrow(/unknown provider/);
	});
});

describe('authentication', () => {
	test('Twilio answers 401 / 20003 for a missing or wrong credential', async () => {
		for (const auth of [undefined, { username: CREDS.twilio.accountSid, password: 'wrong' }]) {
			const response = await api.post(sb.url + TWILIO_MESSAGES, new URLSearchParams(twilioText(ORDINARY)).toString(), {
				auth,
				headers: FORM,
			});
			expect(response.status).toBe(401);
			expect(response.data).toEqual({
				code: 20003,
				message: 'Authenticate',
				more_info: 'https://www.twilio.com/docs/errors/20003',
				status: 401,
			});
		}
		// A valid credential for another account than the path's is refused too.
		const other = await api.post(`${sb.url}/2010-04-01/Accounts/AC${'1'.repeat(32)}/Messages.json`, '', {
			auth: { username: CREDS.twilio.accountSid, password: CREDS.twilio.authToken },
			headers: FORM,
		});
		expect(other.status).toBe(401);
	});

	test('Smooch answers 401 unauthorized for a missing or wrong key', async () => {
		for (const auth of [undefined, { username: CREDS.smooch.keyId, password: 'wrong' }]) {
			const response = await api.post(sb.url + SMOOCH_NOTIFICATIONS, smoochText(ORDINARY), { auth });
			expect(response.status).toBe(401);
			expect(response.data).toEqual({
				error: { code: 'unauthorized', description: 'Authorization header is missing or invalid' },
			});
		}
	});

	test('Gupshup answers 401 Authentication Failed for a missing or wrong apikey', async () => {
		for (const apikey of [null, 'wrong']) {
			const response = await gupshupSend(gupshupFields(ORDINARY), { apikey });
			expect(response.status).toBe(401);
			expect(response.data).toEqual({ status: 'error', message: 'Authentication Failed' });
		}
	});

	test('the credential-test endpoints answer 200 with the right credential and 401 without', async () => {
		const twilioAuth = { username: CREDS.twilio.accountSid, password: CREDS.twilio.authToken };
		const account = `${sb.url}/2010-04-01/Accounts/${CREDS.twilio.accountSid}.json`;
		const good = await api.get(account, { auth: twilioAuth });
		expect(good.status).toBe(200);
		expect(good.data).toMatchObject({ sid: CREDS.twilio.accountSid, status: 'active' });
		expect((await api.get(account)).status).toBe(401);

		const webhooks = `${sb.url}/v1.1/apps/${CREDS.smooch.appId}/webhooks`;
		const smooch = await api.get(webhooks, { auth: { username: CREDS.smooch.keyId, password: CREDS.smooch.secret } });
		expect(smooch.status).toBe(200);
		expect(smooch.data).toEqual({ webhooks: [] });
		expect((await api.get(webhooks, { auth: { username: 'x', password: 'y' } })).status).toBe(401);

		const balance = `${sb.url}/sm/api/v2/wallet/balance`;
		const gupshup = await api.get(balance, { headers: { apikey: CREDS.gupshup.apiKey } });
		expect(gupshup.status).toBe(200);
		expect(gupshup.data).toEqual({ status: 'success', balance: 100, currency: 'USD' });
		expect((await api.get(balance)).status).toBe(401);

		// Credential tests are not sends: they are not recorded.
		expect(sb.received).toHaveLength(0);
	});
});

describe('successful sends', () => {
	test('Twilio answers 201 with a message resource (queued, SM id)', async () => {
		const response = await twilioSend(twilioText(ORDINARY));
		expect(response.status).toBe(201);
		expect(response.data).toMatchObject({
			account_sid: CREDS.twilio.accountSid,
			api_version: '2010-04-01',
			body: 'Your order shipped',
			direction: 'outbound-api',
			from: `whatsapp:${CREDS.twilio.fromNumber}`,
			messaging_service_sid: null,
			status: 'queued',
			to: `whatsapp:${ORDINARY}`,
			error_code: null,
		});
		expect(response.data.sid).toMatch(/^SM[0-9a-f]{32}$/);
		expect(response.data.date_created).toMatch(/^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
		expect(sb.received[0]).toMatchObject({ provider: 'twilio', status: 201, messageId: response.data.sid });
	});

	test('Twilio answers accepted with a Messaging Service, and reads repeated MediaUrl as an array', async () => {
		const form = new URLSearchParams([
			['To', `whatsapp:${ORDINARY}`],
			['MessagingServiceSid', `MG${'a'.repeat(32)}`],
			['MediaUrl', 'https://example.com/a.png'],
			['MediaUrl', 'https://example.com/b.png'],
		]);
		const response = await api.post(sb.url + TWILIO_MESSAGES, form.toString(), {
			auth: { username: CREDS.twilio.accountSid, password: CREDS.twilio.authToken },
			headers: FORM,
		});
		expect(response.status).toBe(201);
		expect(response.data).toMatchObject({ status: 'accepted', from: null, messaging_service_sid: `MG${'a'.repeat(32)}`, num_media: '2' });
		expect(sb.received[0].body.MediaUrl).toEqual(['https://example.com/a.png', 'https://example.com/b.png']);
	});

	test('Smooch answers 201 with notification._id (a uuid)', async () => {
		const response = await smoochSend(smoochText(ORDINARY));
		expect(response.status).toBe(201);
		expect(Object.keys(response.data)).toEqual(['notification']);
		expect(response.data.notification._id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
	});

	test('Gupshup answers 202 submitted with a messageId, on /msg and /template/msg', async () => {
		const session = await gupshupSend(gupshupFields(ORDINARY));
		expect(session.status).toBe(202);
		expect(session.data).toEqual({ status: 'submitted', messageId: expect.stringMatching(/^[0-9a-f-]{36}$/) });

		const fields = gupshupFields(ORDINARY, { template: JSON.stringify({ id: ORDER_SHIPPED, params: ['Ada', 'A-1'] }) });
		delete fields.message;
		const template = await gupshupSend(fields, { template: true });
		expect(template.status).toBe(202);
		expect(template.data.status).toBe('submitted');
		expect(sb.received.map((entry) => entry.path)).toEqual(['/wa/api/v1/msg', '/wa/api/v1/template/msg']);
	});

	test('the requests the package builds (dist) are accepted, and its readMessageId finds the id', async () => {
		const settings = {
			twilio: { ...CREDS.twilio, baseUrl: sb.url },
			smooch: { ...CREDS.smooch, region: 'custom', baseUrl: sb.url },
			gupshup: { ...CREDS.gupshup, baseUrl: sb.url },
		};
		const auth = {
			twilio: { auth: { username: CREDS.twilio.accountSid, password: CREDS.twilio.authToken } },
			smooch: { auth: { username: CREDS.smooch.keyId, password: CREDS.smooch.secret } },
			gupshup: { headers: { apikey: CREDS.gupshup.apiKey } },
		};
		/** @type {Array<[string, object]>} */
		const cases = [
			['twilio', {}],
			['smooch', {}],
			['gupshup', {}],
			['gupshup', { template: { id: ORDER_SHIPPED, params: ['Ada', 'A-1'] } }],
		];
		for (const [name, override] of cases) {
			const provider = PROVIDERS[name];
			const request = provider.buildSendRequest({ recipient: ORDINARY, message: 'Hello from n8n', override, settings: settings[name] });
			const isForm = request.encoding === 'form';
			const response = await api.request({
				method: request.method,
				url: request.url,
				data: isForm ? toFormBody(request.body) : request.body,
				...auth[name],
				headers: { ...(auth[name].headers || {}), ...(isForm ? FORM : {}) },
			});
			expect([name, response.status]).toEqual([name, name === 'gupshup' ? 202 : 201]);
			expect(provider.readMessageId(response.data)).toBe(sb.received.at(-1).messageId);
		}
	});
});

describe('refused sends', () => {
	test('Twilio checks To, From and Body', async () => {
		const missingBody = await twilioSend({ To: `whatsapp:${ORDINARY}`, From: `whatsapp:${CREDS.twilio.fromNumber}` });
		expect(missingBody.status).toBe(400);
		expect(missingBody.data).toMatchObject({ code: 21602, status: 400 });

		const badTo = await twilioSend({ ...twilioText(ORDINARY), To: 'whatsapp:12' });
		expect(badTo.status).toBe(400);
		expect(badTo.data).toEqual({
			code: 21211,
			message: "Invalid 'To' Phone Number: whatsapp:12",
			more_info: 'https://www.twilio.com/docs/errors/21211',
			status: 400,
		});

		// An SMS number to a WhatsApp sender: the channels differ.
		const mixed = await twilioSend({ ...twilioText(ORDINARY), To: ORDINARY });
		expect(mixed.data).toMatchObject({ code: 21910, status: 400 });

		// An SMS (plain numbers on both sides) is sent: the account sends both channels.
		const sms = await twilioSend({ To: ORDINARY, From: CREDS.twilio.fromNumber, Body: 'an SMS' });
		expect(sms.status).toBe(201);

		const noFrom = await twilioSend({ To: `whatsapp:${ORDINARY}`, Body: 'hi' });
		expect(noFrom.status).toBe(400);
		expect(noFrom.data.code).toBe(21603);
	});

	test('the 400 test number is refused by every provider', async () => {
		const twilio = await twilioSend(twilioText(TEST_NUMBERS.invalid));
		expect(twilio.status).toBe(400);
		expect(twilio.data).toMatchObject({ code: 21211, message: `Invalid 'To' Phone Number: whatsapp:${TEST_NUMBERS.invalid}` });

		const smooch = await smoochSend(smoochText(TEST_NUMBERS.invalid));
		expect(smooch.status).toBe(400);
		expect(smooch.data.error.code).toBe('bad_request');
		expect(typeof smooch.data.error.description).toBe('string');

		const gupshup = await gupshupSend(gupshupFields(TEST_NUMBERS.invalid));
		expect(gupshup.status).toBe(400);
		expect(gupshup.data).toEqual({ status: 'error', message: 'Invalid Destination' });

		expect(sb.received.map((entry) => [entry.provider, entry.status, entry.messageId])).toEqual([
			['twilio', 400, null],
			['smooch', 400, null],
			['gupshup', 400, null],
		]);
		await sb.idle();
		expect(receiver.requests).toHaveLength(0);
	});

	test('Smooch and Gupshup refuse malformed requests with 400', async () => {
		const noDestination = await smoochSend({ message: { type: 'text', text: 'hi' } });
		expect(noDestination.status).toBe(400);
		expect(noDestination.data.error.code).toBe('bad_request');
		const noMessage = await smoochSend({ destination: { integrationId: 'x', destinationId: ORDINARY } });
		expect(noMessage.status).toBe(400);

		const plusDestination = await gupshupSend({ ...gupshupFields(ORDINARY), destination: ORDINARY });
		expect(plusDestination.status).toBe(400);
		expect(plusDestination.data).toEqual({ status: 'error', message: 'Invalid Destination' });
		const { destination, ...noDest } = gupshupFields(ORDINARY);
		expect(destination).toBeDefined();
		expect((await gupshupSend(noDest)).data).toEqual({ status: 'error', message: 'Invalid Destination' });
	});

	test('the 429 test number always answers 429 with Retry-After, in each provider\'s shape', async () => {
		sb.configure({ retryAfterSeconds: 7 });
		const twilio = await twilioSend(twilioText(TEST_NUMBERS.rateLimited));
		expect(twilio.status).toBe(429);
		expect(twilio.headers['retry-after']).toBe('7');
		expect(twilio.data).toMatchObject({ code: 20429, message: 'Too Many Requests', status: 429 });

		const smooch = await smoochSend(smoochText(TEST_NUMBERS.rateLimited));
		expect(smooch.status).toBe(429);
		expect(smooch.headers['retry-after']).toBe('7');
		expect(smooch.data.error.code).toBe('too_many_requests');

		const gupshup = await gupshupSend(gupshupFields(TEST_NUMBERS.rateLimited));
		expect(gupshup.status).toBe(429);
		expect(gupshup.headers['retry-after']).toBe('7');
		expect(gupshup.data).toEqual({ status: 'error', message: 'Too Many Requests' });

		// Always: a second try gets the same.
		expect((await twilioSend(twilioText(TEST_NUMBERS.rateLimited))).status).toBe(429);
	});

	test('the 500 test number fails with 500 and no callbacks', async () => {
		expect((await twilioSend(twilioText(TEST_NUMBERS.serverError))).status).toBe(500);
		expect((await smoochSend(smoochText(TEST_NUMBERS.serverError))).status).toBe(500);
		const gupshup = await gupshupSend(gupshupFields(TEST_NUMBERS.serverError));
		expect(gupshup.status).toBe(500);
		expect(gupshup.data.status).toBe('error');
		await sb.idle();
		expect(sb.callbacks).toHaveLength(0);
	});
});

describe('rate limit and latency', () => {
	test('past R sends in one second each provider answers 429 with Retry-After; the window slides', async () => {
		sb.configure({ rateLimitPerSecond: 2, retryAfterSeconds: 2, webhooks: { twilio: null, smooch: null, gupshup: null } });
		const statuses = [];
		for (let i = 0; i < 3; i++) statuses.push((await twilioSend(twilioText(ORDINARY))).status);
		expect(statuses).toEqual([201, 201, 429]);
		const refused = await twilioSend(twilioText(ORDINARY));
		expect(refused.headers['retry-after']).toBe('2');
		expect(refused.data).toEqual({
			code: 20429,
			message: 'Too Many Requests',
			more_info: 'https://www.twilio.com/docs/errors/20429',
			status: 429,
		});

		// The window is per provider: Smooch and Gupshup still have theirs.
		expect((await smoochSend(smoochText(ORDINARY))).status).toBe(201);
		expect((await smoochSend(smoochText(ORDINARY))).status).toBe(201);
		const smooch = await smoochSend(smoochText(ORDINARY));
		expect(smooch.status).toBe(429);
		expect(smooch.data.error.code).toBe('too_many_requests');
		expect((await gupshupSend(gupshupFields(ORDINARY))).status).toBe(202);
		expect((await gupshupSend(gupshupFields(ORDINARY))).status).toBe(202);
		const gupshup = await gupshupSend(gupshupFields(ORDINARY));
		expect(gupshup.status).toBe(429);
		expect(gupshup.data).toEqual({ status: 'error', message: 'Too Many Requests' });

		// Refusals are recorded too.
		expect(sb.received.filter((entry) => entry.status === 429)).toHaveLength(4);

		await new Promise((resolve) => setTimeout(resolve, 1050));
		expect((await twilioSend(twilioText(ORDINARY))).status).toBe(201);
	});

	test('latencyMs delays each send answer', async () => {
		sb.configure({ latencyMs: 150 });
		const started = Date.now();
		const response = await twilioSend(twilioText(ORDINARY));
		expect(response.status).toBe(201);
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
	});
});

describe('Twilio callbacks', () => {
	test('the signer matches the PROVIDERS.md test vector', () => {
		const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
		const params = {
			CallSid: 'CA1234567890ABCDE',
			Caller: '+14158675309',
			Digits: '1234',
			From: '+14158675309',
			To: '+18005551212',
		};
		expect(expectedTwilioSignature('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
		expect(twilioSignature('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
	});

	test('an ordinary number gets sent, delivered, read: form-encoded and signed over the configured URL', async () => {
		const { data } = await twilioSend(twilioText(ORDINARY));
		await sb.idle();
		const requests = receivedAt('/webhook/twilio/');
		expect(requests.map((request) => request.body.MessageStatus)).toEqual(['sent', 'delivered', 'read']);
		const url = webhookUrls().twilio;
		for (const request of requests) {
			expect(request.path).toBe('/webhook/twilio/status?source=sandbox&b=2');
			expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
			expect(request.body).toMatchObject({
				MessageSid: data.sid,
				SmsSid: data.sid,
				AccountSid: CREDS.twilio.accountSid,
				ApiVersion: '2010-04-01',
				ChannelPrefix: 'whatsapp',
				ChannelToAddress: ORDINARY,
				To: `whatsapp:${ORDINARY}`,
				From: `whatsapp:${CREDS.twilio.fromNumber}`,
			});
			expect(request.body.ChannelInstallSid).toMatch(/^XE[0-9a-f]{32}$/);
			expect(request.body.ErrorCode).toBeUndefined();
			expect(request.headers['x-twilio-signature']).toBe(expectedTwilioSignature(CREDS.twilio.authToken, url, request.body));
			// The package's trigger accepts it as genuine.
			expect(
				PROVIDERS.twilio.verifyCallback(
					{ headers: request.headers, body: request.body, urls: [url] },
					{ authToken: CREDS.twilio.authToken },
				),
			).toBe(true);
		}
		expect(requests.map((request) => request.body.EventType)).toEqual([undefined, 'DELIVERED', 'READ']);

		const events = requests.flatMap((request) => normalize('twilio', request));
		expect(events.map((event) => [event.status, event.messageId])).toEqual([
			['sent', data.sid],
			['delivered', data.sid],
			['seen', data.sid],
		]);
		expect(sb.callbacks.map((callback) => [callback.provider, callback.status, callback.messageId, callback.httpStatus, callback.url])).toEqual([
			['twilio', 'sent', data.sid, 200, url],
			['twilio', 'delivered', data.sid, 200, url],
			['twilio', 'read', data.sid, 200, url],
		]);
	});

	test('the undeliverable and outside-window numbers are accepted, then discarded with 63024 / 63016', async () => {
		const undeliverable = (await twilioSend(twilioText(TEST_NUMBERS.undeliverable))).data;
		await sb.idle();
		const outside = (await twilioSend(twilioText(TEST_NUMBERS.outsideWindow))).data;
		await sb.idle();
		expect(undeliverable.status).toBe('queued');
		expect(outside.status).toBe('queued');

		const requests = receivedAt('/webhook/twilio/');
		expect(requests.map((request) => [request.body.MessageSid, request.body.MessageStatus, request.body.ErrorCode, request.body.EventType])).toEqual([
			[undeliverable.sid, 'sent', undefined, undefined],
			[undeliverable.sid, 'undelivered', '63024', 'UNDELIVERED'],
			[outside.sid, 'failed', '63016', undefined],
		]);
		expect(requests[1].body.ChannelStatusMessage).toBe('Invalid message recipient');
		for (const request of requests) {
			expect(request.headers['x-twilio-signature']).toBe(expectedTwilioSignature(CREDS.twilio.authToken, webhookUrls().twilio, request.body));
		}

		const discarded = requests.flatMap((request) => normalize('twilio', request)).filter((event) => event.status === 'discarded');
		expect(discarded.map((event) => [event.messageId, event.error.code])).toEqual([
			[undeliverable.sid, 63024],
			[outside.sid, 63016],
		]);
	});
});

describe('Smooch callbacks', () => {
	test('an ordinary number gets channel, user, then conversation:read, with X-API-Key', async () => {
		const id = (await smoochSend(smoochText(ORDINARY))).data.notification._id;
		await sb.idle();
		const requests = receivedAt('/webhook/smooch/');
		expect(requests.map((request) => request.body.trigger)).toEqual([
			'notification:delivery:channel',
			'notification:delivery:user',
			'conversation:read',
		]);
		for (const request of requests) {
			expect(request.headers['x-api-key']).toBe(CREDS.smooch.webhookSecret);
			expect(request.headers['content-type']).toBe('application/json');
			expect(request.body).toMatchObject({ app: { _id: CREDS.smooch.appId }, version: 'v1.1' });
			expect(typeof request.body.timestamp).toBe('number');
			expect(request.body.timestamp).toBeLessThan(1e11); // seconds, not milliseconds
			expect(PROVIDERS.smooch.verifyCallback({ headers: request.headers, body: request.body, urls: [] }, { webhookSecret: CREDS.smooch.webhookSecret })).toBe(true);
		}
		const [channel, user, read] = requests.map((request) => request.body);
		for (const delivery of [channel, user]) {
			expect(delivery).toMatchObject({
				destination: { type: 'whatsapp', integrationId: CREDS.smooch.integrationId, destinationId: ORDINARY },
				notification: { _id: id },
				externalMessages: [{ id: expect.stringMatching(/^wamid\./) }],
			});
		}
		expect([channel.isFinalEvent, user.isFinalEvent]).toEqual([false, true]);
		expect(read.notification).toBeUndefined();
		expect(read).toMatchObject({
			appUser: { _id: expect.any(String) },
			conversation: { _id: expect.any(String) },
			source: { type: 'whatsapp', integrationId: CREDS.smooch.integrationId },
		});

		const events = requests.flatMap((request) => normalize('smooch', request));
		expect(events.map((event) => [event.status, event.messageId])).toEqual([
			['sent', id],
			['delivered', id],
			['seen', null],
		]);
		expect(events[2].conversationId).toBe(read.conversation._id);
		expect(events[2].userId).toBe(read.appUser._id);
		expect(sb.callbacks.map((callback) => [callback.status, callback.messageId, callback.httpStatus])).toEqual([
			['notification:delivery:channel', id, 200],
			['notification:delivery:user', id, 200],
			['conversation:read', id, 200],
		]);
	});

	test('a recipient keeps the same appUser and conversation ids across messages', async () => {
		await smoochSend(smoochText(ORDINARY));
		await sb.idle();
		await smoochSend(smoochText(ORDINARY));
		await smoochSend(smoochText('+15557654321'));
		await sb.idle();
		const reads = receivedAt('/webhook/smooch/')
			.map((request) => request.body)
			.filter((body) => body.trigger === 'conversation:read');
		expect(reads).toHaveLength(3);
		const ordinary = reads.filter((body) => body.conversation._id === reads[0].conversation._id);
		expect(ordinary).toHaveLength(2);
		expect(ordinary[1].appUser._id).toBe(ordinary[0].appUser._id);
	});

	test('failures carry WhatsApp\'s error in underlyingError and isFinalEvent', async () => {
		const undeliverable = (await smoochSend(smoochText(TEST_NUMBERS.undeliverable))).data.notification._id;
		await sb.idle();
		const outside = (await smoochSend(smoochText(TEST_NUMBERS.outsideWindow))).data.notification._id;
		await sb.idle();
		const bodies = receivedAt('/webhook/smooch/').map((request) => request.body);
		expect(bodies.map((body) => [body.notification._id, body.trigger])).toEqual([
			[undeliverable, 'notification:delivery:channel'],
			[undeliverable, 'notification:delivery:failure'],
			[outside, 'notification:delivery:failure'],
		]);
		expect(bodies[1]).toMatchObject({
			isFinalEvent: true,
			error: { code: 'uncategorized_error', underlyingError: { errors: [{ code: 131026, title: 'Message undeliverable' }] } },
		});
		expect(bodies[2].error.underlyingError.errors[0]).toEqual({
			code: 470,
			title: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number',
		});

		const discarded = receivedAt('/webhook/smooch/')
			.flatMap((request) => normalize('smooch', request))
			.filter((event) => event.status === 'discarded');
		expect(discarded.map((event) => [event.messageId, event.error.code])).toEqual([
			[undeliverable, 131026],
			[outside, 470],
		]);
	});
});

describe('Gupshup callbacks', () => {
	test('an ordinary number gets enqueued, sent, delivered, read (v2 message-event), token kept in the URL', async () => {
		const messageId = (await gupshupSend(gupshupFields(ORDINARY))).data.messageId;
		await sb.idle();
		const requests = receivedAt('/webhook/gupshup/');
		expect(requests.map((request) => request.body.payload.type)).toEqual(['enqueued', 'sent', 'delivered', 'read']);
		for (const request of requests) {
			expect(request.path).toBe(`/webhook/gupshup/status?token=${CREDS.gupshup.webhookToken}`);
			expect(request.body).toMatchObject({ app: CREDS.gupshup.appName, version: 2, type: 'message-event' });
			expect(request.body.timestamp).toBeGreaterThan(1e12); // milliseconds
			expect(request.body.payload.destination).toBe(ORDINARY.slice(1));
			const query = Object.fromEntries(new URL(request.path, receiver.url).searchParams);
			expect(PROVIDERS.gupshup.verifyCallback({ headers: request.headers, body: request.body, query, urls: [] }, { webhookToken: CREDS.gupshup.webhookToken })).toBe(true);
		}
		const [enqueued, ...later] = requests.map((request) => request.body.payload);
		expect(enqueued).toEqual({
			id: messageId,
			type: 'enqueued',
			destination: ORDINARY.slice(1),
			payload: { whatsappMessageId: expect.stringMatching(/^wamid\./), type: 'session' },
		});
		for (const event of later) {
			expect(event.id).toBe(enqueued.payload.whatsappMessageId);
			expect(event.gsId).toBe(messageId);
			expect(event.payload).toEqual({ ts: expect.any(Number) });
		}

		const events = requests.flatMap((request) => normalize('gupshup', request));
		expect(events.map((event) => [event.status, event.messageId])).toEqual([
			['sent', messageId],
			['sent', messageId],
			['delivered', messageId],
			['seen', messageId],
		]);
	});

	test('a template send is enqueued as a template', async () => {
		const fields = gupshupFields(ORDINARY, { template: JSON.stringify({ id: ORDER_SHIPPED, params: ['Ada', 'A-1'] }) });
		delete fields.message;
		await gupshupSend(fields, { template: true });
		await sb.idle();
		expect(receivedAt('/webhook/gupshup/')[0].body.payload.payload.type).toBe('template');
	});

	test('failures: 1002 (Gupshup\'s own, under its id) and 470 (WhatsApp\'s, with gsId)', async () => {
		const undeliverable = (await gupshupSend(gupshupFields(TEST_NUMBERS.undeliverable))).data.messageId;
		await sb.idle();
		const outside = (await gupshupSend(gupshupFields(TEST_NUMBERS.outsideWindow))).data.messageId;
		await sb.idle();
		const payloads = receivedAt('/webhook/gupshup/').map((request) => request.body.payload);
		expect(payloads.map((payload) => payload.type)).toEqual(['failed', 'enqueued', 'failed']);
		expect(payloads[0]).toEqual({
			id: undeliverable,
			type: 'failed',
			destination: TEST_NUMBERS.undeliverable.slice(1),
			payload: { code: 1002, reason: 'Number Does Not Exists On WhatsApp' },
		});
		expect(payloads[2]).toMatchObject({
			id: payloads[1].payload.whatsappMessageId,
			gsId: outside,
			payload: {
				code: 470,
				reason: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number',
			},
		});

		const discarded = receivedAt('/webhook/gupshup/')
			.flatMap((request) => normalize('gupshup', request))
			.filter((event) => event.status === 'discarded');
		expect(discarded.map((event) => [event.messageId, event.error.code])).toEqual([
			[undeliverable, 1002],
			[outside, 470],
		]);
	});
});

describe('callback delivery', () => {
	test('each message\'s callbacks go out in order, spaced by callbackDelayMs', async () => {
		sb.configure({ callbackDelayMs: 60 });
		await twilioSend(twilioText(ORDINARY));
		await sb.idle();
		const times = sb.callbacks.map((callback) => Date.parse(callback.at));
		expect(sb.callbacks.map((callback) => callback.status)).toEqual(['sent', 'delivered', 'read']);
		expect(times[1] - times[0]).toBeGreaterThanOrEqual(50);
		expect(times[2] - times[1]).toBeGreaterThanOrEqual(50);
	});

	test('with callbackRatePerSecond, callbacks of all messages start at most that many per second, each timed to its answer', async () => {
		sb.configure({ callbackDelayMs: 0, callbackRatePerSecond: 20 });
		await Promise.all([TEST_NUMBERS.delivered, ORDINARY].map((to) => twilioSend(twilioText(to))));
		await sb.idle();
		sb.configure({ callbackRatePerSecond: 0 });
		// Start = answered minus the time the answer took.
		const starts = sb.callbacks.map((callback) => Date.parse(callback.at) - callback.answerMs).sort((a, b) => a - b);
		expect(sb.callbacks.length).toBeGreaterThanOrEqual(4);
		expect(sb.callbacks.every((callback) => callback.answerMs >= 0 && callback.httpStatus === 200)).toBe(true);
		// 20/s: 50 ms apart; Date's millisecond and timer rounding allow a few ms less.
		starts.slice(1).forEach((start, index) => expect(start - starts[index]).toBeGreaterThanOrEqual(45));
	});

	test('records what the webhook answered', async () => {
		receiver.status = 401;
		await smoochSend(smoochText(TEST_NUMBERS.outsideWindow));
		await sb.idle();
		expect(sb.callbacks.map((callback) => callback.httpStatus)).toEqual([401]);
	});

	test('records an unreachable webhook with httpStatus null', async () => {
		const closed = http.createServer();
		await new Promise((resolve) => closed.listen(0, '127.0.0.1', () => resolve(undefined)));
		const deadUrl = `http://127.0.0.1:${/** @type {import('net').AddressInfo} */ (closed.address()).port}/gone`;
		await new Promise((resolve) => closed.close(resolve));
		sb.configure({ webhooks: { smooch: deadUrl } });
		await smoochSend(smoochText(TEST_NUMBERS.outsideWindow));
		await sb.idle();
		expect(sb.callbacks).toHaveLength(1);
		expect(sb.callbacks[0]).toMatchObject({ url: deadUrl, httpStatus: null });
		expect(sb.callbacks[0].error).toBeTruthy();
	});

	test('no webhook configured for a provider means no callbacks for it', async () => {
		sb.configure({ webhooks: { twilio: null } });
		await twilioSend(twilioText(ORDINARY));
		await sb.idle();
		expect(sb.callbacks).toHaveLength(0);
		expect(receiver.requests).toHaveLength(0);
	});

	test('reset() drops callbacks that are still pending', async () => {
		sb.configure({ callbackDelayMs: 300 });
		await twilioSend(twilioText(ORDINARY));
		sb.reset();
		await sb.idle();
		await new Promise((resolve) => setTimeout(resolve, 350));
		expect(sb.callbacks).toHaveLength(0);
		expect(receiver.requests).toHaveLength(0);
	});
});

describe('HTTP control endpoints', () => {
	test('/_sandbox/received, /callbacks, /config and /reset', async () => {
		const configured = await api.post(`${sb.url}/_sandbox/config`, { latencyMs: 0, callbackDelayMs: 1, webhooks: { gupshup: null } });
		expect(configured.status).toBe(200);
		expect(configured.data).toMatchObject({ latencyMs: 0, callbackDelayMs: 1, webhooks: { twilio: webhookUrls().twilio } });
		expect(configured.data.webhooks.gupshup).toBeUndefined();

		const sent = await twilioSend(twilioText(ORDINARY));
		await gupshupSend(gupshupFields(ORDINARY), { apikey: 'wrong' });

		const received = await api.get(`${sb.url}/_sandbox/received`);
		expect(received.status).toBe(200);
		expect(received.data).toHaveLength(2);
		expect(received.data[0]).toMatchObject({
			provider: 'twilio',
			method: 'POST',
			path: TWILIO_MESSAGES,
			status: 201,
			messageId: sent.data.sid,
			body: { To: `whatsapp:${ORDINARY}`, From: `whatsapp:${CREDS.twilio.fromNumber}`, Body: 'Your order shipped' },
			rawBody: new URLSearchParams(twilioText(ORDINARY)).toString(),
		});
		expect(received.data[0].headers['content-type']).toBe('application/x-www-form-urlencoded');
		expect(new Date(received.data[0].at).toISOString()).toBe(received.data[0].at);
		expect(received.data[1]).toMatchObject({ provider: 'gupshup', status: 401, messageId: null });

		expect((await api.get(`${sb.url}/_sandbox/idle`)).data).toEqual({ idle: true });
		const callbacks = await api.get(`${sb.url}/_sandbox/callbacks`);
		expect(callbacks.data.map((callback) => callback.status)).toEqual(['sent', 'delivered', 'read']);

		const bad = await api.post(`${sb.url}/_sandbox/config`, { webhooks: { twilio: 'http://203.0.113.9/hook' } });
		expect(bad.status).toBe(400);
		expect(bad.data.error).toMatch(/this machine/);

		expect((await api.post(`${sb.url}/_sandbox/reset`)).status).toBe(200);
		expect((await api.get(`${sb.url}/_sandbox/received`)).data).toEqual([]);
		expect((await api.get(`${sb.url}/_sandbox/callbacks`)).data).toEqual([]);
	});

	test('unknown paths answer 404 and wrong methods 405', async () => {
		expect((await api.get(`${sb.url}/nothing/here`)).status).toBe(404);
		expect((await api.get(sb.url + TWILIO_MESSAGES)).status).toBe(405);
		expect(sb.received).toHaveLength(0);
	});
});

describe('CLI', () => {
	test('prints its URL and credentials, serves, and stops on SIGTERM', async () => {
		const child = spawn(process.execPath, [path.join(__dirname, '../../../sandbox/server.js'), '--port', '0', '--latency', '0'], {
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let output = '';
		child.stdout.on('data', (chunk) => (output += chunk));
		// The banner comes in several writes: wait for all of it (a busy machine splits them far
		// apart), judging by what a person reads, the URL and the credentials.
		const printed = () =>
			new Promise((resolve, reject) => {
				const timer = setTimeout(() => reject(new Error(`the URL and credentials were not printed: ${output}`)), 20000);
				const check = () => {
					const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
					if (match && output.includes(CREDS.twilio.authToken) && output.includes(CREDS.gupshup.apiKey)) {
						clearTimeout(timer);
						resolve(match[1]);
					}
				};
				child.stdout.on('data', check);
				check();
			});
		const url = await printed();
		try {
			const config = await api.get(`${url}/_sandbox/config`);
			expect(config.status).toBe(200);
		} finally {
			const exited = new Promise((resolve) => child.on('exit', (code) => resolve(code)));
			child.kill('SIGTERM');
			expect(await exited).toBe(0);
		}
	});
});
