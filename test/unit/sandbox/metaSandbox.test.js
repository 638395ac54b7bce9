/**
 * The sandbox's Meta Cloud API: the messages endpoint and its refusals, status webhooks signed
 * with the App Secret, and the GET handshake, each checked against the package's own Meta
 * module (from dist/) and against Meta's definitions written out here.
 */

'use strict';

const crypto = require('crypto');
const http = require('http');

const { startSandbox, SANDBOX_CREDENTIALS, TEST_NUMBERS } = require('../../../sandbox/server');
const { PROVIDERS, normalizeStatusCallback } = require('../../../dist/nodes/providers');

const CREDS = SANDBOX_CREDENTIALS.meta;
const MESSAGES = `/${CREDS.apiVersion}/${CREDS.phoneNumberId}/messages`;

/** A receiver that records POSTs and answers GETs the way the package's trigger does. */
async function startReceiver() {
	const receiver = { posts: [], gets: [] };
	receiver.server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const url = new URL(req.url, 'http://127.0.0.1');
			if (req.method === 'GET') {
				receiver.gets.push(url.search);
				const answer = PROVIDERS.meta.answerHandshake(/** @type {any} */ ({ query: Object.fromEntries(url.searchParams) }), { verifyToken: CREDS.verifyToken });
				res.statusCode = answer.statusCode;
				res.end(answer.body);
				return;
			}
			receiver.posts.push({ headers: req.headers, rawBody: Buffer.concat(chunks) });
			res.end();
		});
	});
	await new Promise((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
	receiver.url = `http://127.0.0.1:${receiver.server.address().port}/webhook/meta/status`;
	return receiver;
}

let sb;
let receiver;

beforeAll(async () => {
	receiver = await startReceiver();
	sb = await startSandbox({ callbackDelayMs: 5, webhooks: { meta: receiver.url } });
});
afterAll(async () => {
	await sb.close();
	await new Promise((resolve) => receiver.server.close(resolve));
});
beforeEach(async () => {
	sb.reset();
	// A callback already under way when reset() cancelled its chain still lands: wait for it first.
	await sb.idle();
	receiver.posts.length = 0;
});

/** @type {(body: object, token?: string) => Promise<{ status: number, body: any }>} */
const send = (body, token = CREDS.accessToken) =>
	fetch(sb.url + MESSAGES, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
		body: JSON.stringify(body),
	}).then(async (response) => ({ status: response.status, body: await response.json() }));

const text = (to) => ({ messaging_product: 'whatsapp', recipient_type: 'individual', to, type: 'text', text: { body: 'Hi' } });

test('a text message is accepted with a wamid, which every later status callback carries', async () => {
	const answer = await send(text(TEST_NUMBERS.delivered));
	expect(answer.status).toBe(200);
	const wamid = PROVIDERS.meta.readMessageId(answer.body);
	expect(wamid).toMatch(/^wamid\./);
	expect(answer.body.contacts).toEqual([{ input: TEST_NUMBERS.delivered, wa_id: TEST_NUMBERS.delivered.slice(1) }]);

	await sb.idle();
	const events = receiver.posts.flatMap((post) => normalizeStatusCallback({ provider: 'auto', body: post.rawBody }));
	expect(events.map((event) => [event.provider, event.status, event.messageId, event.recipient])).toEqual([
		['meta', 'sent', wamid, TEST_NUMBERS.delivered],
		['meta', 'delivered', wamid, TEST_NUMBERS.delivered],
		['meta', 'seen', wamid, TEST_NUMBERS.delivered],
	]);
});

test('each callback is signed over its exact bytes with the App Secret', async () => {
	await send(text(TEST_NUMBERS.undeliverable));
	await sb.idle();
	expect(receiver.posts).toHaveLength(2);
	for (const post of receiver.posts) {
		const expected = `sha256=${crypto.createHmac('sha256', CREDS.appSecret).update(post.rawBody).digest('hex')}`;
		expect(post.headers['x-hub-signature-256']).toBe(expected);
		const callback = { body: JSON.parse(post.rawBody), rawBody: post.rawBody, headers: post.headers, urls: [] };
		expect(PROVIDERS.meta.verifyCallback(callback, { appSecret: CREDS.appSecret })).toBe(true);
		expect(PROVIDERS.meta.verifyCallback(callback, { appSecret: 'another-secret' })).toBe(false);
	}
	const [failed] = normalizeStatusCallback({ provider: 'meta', body: receiver.posts[1].rawBody });
	expect(failed).toMatchObject({ status: 'discarded', error: { code: 131026, message: 'Message undeliverable' } });
});

test('refusals come as Graph errors: a bad token, a number outside the allowed list, throughput', async () => {
	const badToken = await send(text(TEST_NUMBERS.delivered), 'not-the-token');
	expect(badToken.status).toBe(401);
	expect(badToken.body.error.code).toBe(190);

	const notAllowed = await send(text(TEST_NUMBERS.invalid));
	expect(notAllowed.status).toBe(400);
	expect(PROVIDERS.meta.readError(notAllowed.body, 400)).toMatchObject({ code: 131030 });

	const throttled = await send(text(TEST_NUMBERS.rateLimited));
	expect(throttled.status).toBe(429);
	expect(PROVIDERS.meta.isThrottled(throttled.status, throttled.body)).toBe(true);

	const empty = await send({ ...text(TEST_NUMBERS.delivered), text: { body: '' } });
	expect(empty.status).toBe(400);
	expect(empty.body.error.code).toBe(100);
});

test('the handshake: the right Verify Token gets the challenge back, a wrong one does not', async () => {
	const verified = await sb.handshake('meta');
	expect(verified).toMatchObject({ ok: true, httpStatus: 200 });
	expect(verified.body).toBe(verified.challenge);
	expect(receiver.gets.at(-1)).toContain('hub.mode=subscribe');

	const refused = await sb.handshake('meta', { verifyToken: 'wrong-token' });
	expect(refused).toMatchObject({ ok: false, httpStatus: 403 });
	await expect(sb.handshake('twilio')).rejects.toThrow(/makes no handshake/);
});
