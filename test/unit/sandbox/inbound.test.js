/**
 * The sandbox plays a customer's message (POST /_sandbox/inbound): each provider's documented
 * inbound callback, signed as the provider signs, to the URLs that take customer messages. Checked
 * with the package's own verifiers and readers (from dist/), so the sandbox cannot drift from them.
 */

'use strict';

const axios = require('axios').default;

const { startSandbox, SANDBOX_CREDENTIALS: CREDS } = require('../../../sandbox/server');
const { recordingServer } = require('../../helpers/recordingServer');
const { PROVIDERS, normalizeCallback } = require('../../../dist/nodes/providers');

const CUSTOMER = '+5511987654321';
const SETTINGS = { twilio: CREDS.twilio, smooch: CREDS.smooch, gupshup: CREDS.gupshup, meta: CREDS.meta };

let sandbox;
let hook;

beforeAll(async () => {
	hook = await recordingServer((_request, response) => response.end());
	sandbox = await startSandbox({
		webhooks: {
			twilio: `${hook.url}/twilio`,
			smooch: `${hook.url}/smooch`,
			gupshup: `${hook.url}/gupshup?token=${CREDS.gupshup.webhookToken}`,
			meta: `${hook.url}/meta`,
		},
	});
});

afterAll(async () => {
	await sandbox.close();
	await hook.close();
});

beforeEach(() => {
	hook.requests.length = 0;
});

const play = (message) => axios.post(`${sandbox.url}/_sandbox/inbound`, message, { validateStatus: () => true });

/** The one request the hook got, as the trigger would see it, checked and read by the package. */
function readAtHook(provider) {
	expect(hook.requests).toHaveLength(1);
	const [request] = hook.requests;
	const url = new URL(request.url, hook.url);
	const isJson = String(request.headers['content-type']).includes('json');
	const body = isJson ? JSON.parse(request.body) : Object.fromEntries(new URLSearchParams(request.body));
	const callback = { body, headers: request.headers, query: Object.fromEntries(url.searchParams), rawBody: Buffer.from(request.body), urls: [url.toString()] };
	expect(PROVIDERS[provider].verifyCallback(callback, SETTINGS[provider])).toBe(true);
	const { statuses, received } = normalizeCallback({ provider, body, headers: request.headers });
	expect(statuses).toEqual([]);
	expect(received).toHaveLength(1);
	return received[0];
}

describe.each(['twilio', 'smooch', 'gupshup', 'meta'])('%s', (provider) => {
	test('a text reaches the configured webhook, signed, in the documented shape', async () => {
		const answer = await play({ provider, from: CUSTOMER, text: 'Is it ready?', profileName: 'Ana' });
		expect(answer.status).toBe(200);
		expect(answer.data.delivered).toEqual([{ url: expect.stringContaining(`/${provider}`), status: 200 }]);
		expect(readAtHook(provider)).toMatchObject({ provider, from: CUSTOMER, type: 'text', text: 'Is it ready?', profileName: 'Ana' });
	});

	test('a button tap carries the id and title, and the message it answers', async () => {
		await play({ provider, from: CUSTOMER, button: { id: 'confirm-42', title: 'Confirm' }, replyTo: 'MSG-1' });
		const message = readAtHook(provider);
		expect(message).toMatchObject({ type: 'button', button: { id: 'confirm-42', title: 'Confirm' } });
		// Smooch's v1.1 payload names no message it answers.
		if (provider !== 'smooch') expect(message.replyTo).toBe('MSG-1');
	});

	test('an image with its MIME type (a URL, or Meta’s media id)', async () => {
		await play({ provider, from: CUSTOMER, media: { url: 'https://example.com/part.png', mimeType: 'image/png' }, text: 'The part' });
		const message = readAtHook(provider);
		expect(message).toMatchObject({ type: 'image', media: expect.objectContaining({ mimeType: 'image/png' }) });
		if (provider === 'meta') expect(message.media.id).toMatch(/^\d+$/);
		else expect(message.media.url).toBe('https://example.com/part.png');
	});
});

test('the sandbox records what it played among the callbacks', async () => {
	await play({ provider: 'gupshup', from: CUSTOMER, text: 'hello' });
	const last = sandbox.callbacks[sandbox.callbacks.length - 1];
	expect(last).toMatchObject({ provider: 'gupshup', status: 'inbound', httpStatus: 200 });
	expect(last.body.payload.payload.text).toBe('hello');
});

test('a Twilio Event Streams sink subscribed to inbound messages gets the CloudEvent, signed with bodySHA256', async () => {
	const auth = { username: CREDS.twilio.accountSid, password: CREDS.twilio.authToken };
	const form = (fields) => new URLSearchParams(fields).toString();
	const sink = await axios.post(`${sandbox.url}/v1/Sinks`, form({ Description: 'test', SinkType: 'webhook', SinkConfiguration: JSON.stringify({ destination: `${hook.url}/sink`, method: 'POST' }) }), { auth });
	const subscription = await axios.post(
		`${sandbox.url}/v1/Subscriptions`,
		form({ Description: 'test', SinkSid: sink.data.sid, Types: JSON.stringify({ type: 'com.twilio.messaging.inbound-message.received' }) }),
		{ auth },
	);
	try {
		const answer = await play({ provider: 'twilio', from: CUSTOMER, text: 'via the sink' });
		expect(answer.data.delivered.map((each) => new URL(each.url).pathname).sort()).toEqual(['/sink', '/twilio']);
		const request = hook.requests.find((each) => each.url.startsWith('/sink'));
		const url = new URL(request.url, hook.url);
		const body = JSON.parse(request.body);
		const callback = { body, headers: request.headers, query: Object.fromEntries(url.searchParams), rawBody: Buffer.from(request.body), urls: [url.toString()] };
		expect(PROVIDERS.twilio.verifyCallback(callback, CREDS.twilio)).toBe(true);
		expect(normalizeCallback({ provider: 'twilio', body }).received).toEqual([expect.objectContaining({ type: 'text', text: 'via the sink', from: CUSTOMER })]);
	} finally {
		await axios.delete(`${sandbox.url}/v1/Subscriptions/${subscription.data.sid}`, { auth });
		await axios.delete(`${sandbox.url}/v1/Sinks/${sink.data.sid}`, { auth });
	}
});

test('a sink subscribed only to statuses gets no customer message', async () => {
	const auth = { username: CREDS.twilio.accountSid, password: CREDS.twilio.authToken };
	const form = (fields) => new URLSearchParams(fields).toString();
	const sink = await axios.post(`${sandbox.url}/v1/Sinks`, form({ Description: 'test', SinkType: 'webhook', SinkConfiguration: JSON.stringify({ destination: `${hook.url}/statuses`, method: 'POST' }) }), { auth });
	const subscription = await axios.post(`${sandbox.url}/v1/Subscriptions`, form({ Description: 'test', SinkSid: sink.data.sid, Types: JSON.stringify({ type: 'com.twilio.messaging.message.delivered' }) }), { auth });
	try {
		const answer = await play({ provider: 'twilio', from: CUSTOMER, text: 'not for the status sink' });
		expect(answer.data.delivered.map((each) => new URL(each.url).pathname)).toEqual(['/twilio']);
	} finally {
		await axios.delete(`${sandbox.url}/v1/Subscriptions/${subscription.data.sid}`, { auth });
		await axios.delete(`${sandbox.url}/v1/Sinks/${sink.data.sid}`, { auth });
	}
});

test('a request it cannot play is refused with 400, saying what is wrong', async () => {
	/** @type {Array<[object, RegExp]>} */
	const cases = [
		[{ provider: 'nobody', from: CUSTOMER, text: 'x' }, /provider must be one of/],
		[{ provider: 'meta', from: 'not a number', text: 'x' }, /from must be/],
		[{ provider: 'meta', from: CUSTOMER }, /give text, button or media/],
		[{ provider: 'meta', from: CUSTOMER, button: { id: '', title: 'empty id' } }, /button must be/],
		// A title alone taps that button of the latest message with buttons to the customer: there is none.
		[{ provider: 'meta', from: CUSTOMER, button: { title: 'no id' } }, /no message with a "no id" button was sent to/],
		[{ provider: 'meta', from: CUSTOMER, media: { url: 'file:///etc/passwd' } }, /media must be/],
	];
	for (const [message, error] of cases) {
		const answer = await play(message);
		expect(answer.status).toBe(400);
		expect(answer.data.error).toMatch(error);
	}
	expect(hook.requests).toEqual([]);
});
