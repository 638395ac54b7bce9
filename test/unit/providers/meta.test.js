/**
 * Meta's WhatsApp Cloud API as one provider module: the send request, the answer readers,
 * which refusals count as throttling, X-Hub-Signature-256, the GET handshake, and the
 * status callbacks in the shapes Meta's docs show.
 */
const { metaSignature: sandboxSignature } = require('../../../sandbox/providers/meta');
const { meta, metaSignature } = require('../../../dist/nodes/providers/meta');
const { detectProvider, detectProviderAmong, normalizeStatusCallback, PROVIDERS } = require('../../../dist/nodes/providers');
const fixtures = require('../../fixtures/meta-callbacks.json');
const gupshup = require('../../fixtures/gupshup-callbacks.json');

const SETTINGS = {
	accessToken: 'meta-access-token',
	phoneNumberId: '106540352242922',
	businessAccountId: '102290129340398',
	appSecret: 'meta-app-secret',
	verifyToken: 'meta-verify-token',
	apiVersion: 'v24.0',
	baseUrl: 'https://graph.facebook.com',
};

/** Meta's scheme written out here, apart from the package's code. */
/** Signed as Meta does, by the sandbox's signer (independent of the package). */
const sign = (rawBody, secret = SETTINGS.appSecret) => sandboxSignature(secret, rawBody);

describe('X-Hub-Signature-256', () => {
	test("computes the test vector of Meta's WhatsApp Node.js SDK (secret TEST_APP_SECRET, body \"test\")", () => {
		// WhatsApp/WhatsApp-Nodejs-SDK, src/__tests__/utils.test.ts: generate_x_hub_256_sig('test', …).
		expect(metaSignature('TEST_APP_SECRET', 'test')).toBe('sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221');
		const vector = { body: 'test', rawBody: Buffer.from('test'), urls: [], headers: { 'X-Hub-Signature-256': 'sha256=0c61947b610d4f45e65f3d680e26027121ec2413e77598bcb6cfc6e0d9888221' } };
		expect(meta.verifyCallback(vector, { appSecret: 'TEST_APP_SECRET' })).toBe(true);
		expect(meta.verifyCallback(vector, { appSecret: 'another-secret' })).toBe(false);
	});

	test('is checked over the raw bytes: the same JSON spelled differently fails', () => {
		const raw = JSON.stringify(fixtures.delivered);
		const callback = { body: fixtures.delivered, rawBody: Buffer.from(raw), urls: [], headers: { 'x-hub-signature-256': sign(raw) } };
		expect(meta.verifyCallback(callback, SETTINGS)).toBe(true);
		expect(meta.verifyCallback({ ...callback, headers: { 'x-hub-signature-256': sign(raw).toUpperCase().replace('SHA256=', 'sha256=') } }, SETTINGS)).toBe(true);
		const respaced = JSON.stringify(fixtures.delivered, null, 1);
		expect(meta.verifyCallback({ ...callback, rawBody: Buffer.from(respaced) }, SETTINGS)).toBe(false);
	});

	test('missing, malformed or odd values answer false and never throw', () => {
		const raw = Buffer.from(JSON.stringify(fixtures.read));
		/** @type {any[]} */
		const odd = [
			{ headers: {}, rawBody: raw },
			{ headers: { 'x-hub-signature-256': sign(raw).slice(7) }, rawBody: raw },
			{ headers: { 'x-hub-signature-256': ['sha256=00', sign(raw)] }, rawBody: raw },
			{ headers: { 'x-hub-signature-256': 42 }, rawBody: raw },
			{ headers: { 'x-hub-signature-256': sign(raw) }, rawBody: undefined },
			{ headers: { 'x-hub-signature-256': sign(raw) }, rawBody: { toString: () => 'x' } },
			{ headers: undefined, rawBody: 17 },
		];
		for (const call of odd) {
			expect(meta.verifyCallback({ body: { constructor: 1, __proto__: null }, urls: [], ...call }, SETTINGS)).toBe(false);
		}
		expect(meta.verifyCallback({ body: {}, rawBody: raw, urls: [], headers: { 'x-hub-signature-256': sign(raw) } }, { appSecret: '' })).toBe(false);
	});
});

describe('the GET handshake', () => {
	const query = (overrides = {}) => ({ 'hub.mode': 'subscribe', 'hub.verify_token': SETTINGS.verifyToken, 'hub.challenge': '1158201444', ...overrides });

	test('echoes hub.challenge when the Verify Token matches', () => {
		expect(meta.answerHandshake({ body: undefined, query: query() }, SETTINGS)).toEqual({ statusCode: 200, body: '1158201444' });
	});

	test.each([
		['a wrong token', { 'hub.verify_token': 'guess' }, SETTINGS],
		['another mode', { 'hub.mode': 'unsubscribe' }, SETTINGS],
		['no challenge', { 'hub.challenge': undefined }, SETTINGS],
		['a challenge that is not a plain token', { 'hub.challenge': '<script>alert(1)</script>' }, SETTINGS],
		['a repeated token', { 'hub.verify_token': [SETTINGS.verifyToken, SETTINGS.verifyToken] }, SETTINGS],
		['a credential without a Verify Token', {}, { ...SETTINGS, verifyToken: '' }],
	])('answers 403 to %s', (_what, overrides, settings) => {
		expect(meta.answerHandshake({ body: undefined, query: query(overrides) }, settings).statusCode).toBe(403);
	});

	test('answers 403, without throwing, when there is no query at all', () => {
		expect(meta.answerHandshake({ body: undefined }, SETTINGS).statusCode).toBe(403);
	});
});

describe('sending', () => {
	const toSend = (overrides = {}) => ({ recipient: '+16505551234', message: 'Your order shipped', override: {}, settings: SETTINGS, ...overrides });

	test('a text message: POST /{version}/{phone-number-id}/messages with the body Meta documents', () => {
		expect(meta.buildSendRequest(toSend())).toEqual({
			method: 'POST',
			url: 'https://graph.facebook.com/v24.0/106540352242922/messages',
			body: {
				messaging_product: 'whatsapp',
				recipient_type: 'individual',
				to: '+16505551234',
				type: 'text',
				text: { body: 'Your order shipped' },
			},
			encoding: 'json',
		});
	});

	test('the override is merged last; another type drops the text object unless the override sets it', () => {
		const preview = meta.buildSendRequest(toSend({ override: { text: { preview_url: true } } }));
		expect(preview.body.text).toEqual({ body: 'Your order shipped', preview_url: true });
		const image = meta.buildSendRequest(toSend({ override: { type: 'image', image: { link: 'https://example.com/r.png', caption: 'Receipt' } } }));
		expect(image.body).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: '+16505551234',
			type: 'image',
			image: { link: 'https://example.com/r.png', caption: 'Receipt' },
		});
	});

	test('_config.phoneNumberId switches the sender, and only a numeric id passes', () => {
		expect(meta.buildSendRequest(toSend({ settings: { ...SETTINGS, phoneNumberId: '1234567890' } })).url).toBe(
			'https://graph.facebook.com/v24.0/1234567890/messages',
		);
		expect(Object.keys(meta.configurableSettings)).toEqual(['phoneNumberId']);
		expect(meta.configurableSettings.phoneNumberId.test('1234567890')).toBe(true);
		expect(meta.configurableSettings.phoneNumberId.test('123/../me')).toBe(false);
		expect(meta.recipientFields).toEqual([['to']]);
	});

	test('a bad Phone Number ID or API Version, or an empty text, stops before sending', () => {
		expect(() => meta.buildSendRequest(toSend({ settings: { ...SETTINGS, phoneNumberId: '+15550783881' } }))).toThrow(/Phone Number ID "\+15550783881" is not a numeric id/);
		expect(() => meta.buildSendRequest(toSend({ settings: { ...SETTINGS, apiVersion: '24' } }))).toThrow(/API Version "24" is not like v24.0/);
		expect(() => meta.buildSendRequest(toSend({ message: '' }))).toThrow(/needs a Message/);
	});

	test('messageId is messages[0].id, the wamid that status callbacks carry', () => {
		expect(meta.readMessageId(fixtures.sendAnswer)).toBe(fixtures.delivered.entry[0].changes[0].value.statuses[0].id);
		expect(meta.readMessageId({ messages: [] })).toBeUndefined();
		expect(meta.readMessageId(fixtures.notAllowedError)).toBeUndefined();
	});

	test("a refusal reads Meta's code, message and details", () => {
		expect(meta.readError(fixtures.notAllowedError, 400)).toEqual({
			code: 131030,
			message: 'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.',
		});
		expect(meta.readError('<html>Bad gateway</html>', 502)).toEqual({ code: 502, message: 'Meta answered HTTP 502' });
		const titleOnly = { error: { message: '(#100) Invalid parameter', code: 100, error_data: { details: 'Parameter value is not valid' } } };
		expect(meta.readError(titleOnly, 400)).toEqual({ code: 100, message: 'Invalid parameter: Parameter value is not valid' });
	});

	test.each([
		[429, {}, true],
		[400, fixtures.throughputError, true],
		[400, { error: { code: 131056, message: '(#131056) (Business Account, Consumer Account) pair rate limit hit' } }, true],
		[400, { error: { code: 80007, message: '(#80007) Rate limit issues' } }, true],
		[400, { error: { code: 4, message: '(#4) Application request limit reached' } }, true],
		[400, { error: { code: 131048, message: '(#131048) Spam rate limit hit' } }, false],
		[400, fixtures.notAllowedError, false],
		[500, { error: { code: 1, message: 'An unknown error occurred' } }, false],
		[400, 'not json', false],
	])('HTTP %s %j counts as throttled: %s', (status, body, throttled) => {
		expect(meta.isThrottled(status, body)).toBe(throttled);
	});
});

describe('status callbacks', () => {
	const receivedAt = new Date('2026-01-01T00:00:00.000Z');
	const parse = (body) => normalizeStatusCallback({ provider: 'meta', body, receivedAt });
	const wamid = fixtures.delivered.entry[0].changes[0].value.statuses[0].id;

	test('delivered, read and sent map to delivered, seen and sent, with the send’s wamid and + recipient', () => {
		expect(parse(fixtures.delivered)).toEqual([
			{
				provider: 'meta',
				status: 'delivered',
				providerStatus: 'delivered',
				messageId: wamid,
				recipient: '+16505551234',
				timestamp: '2025-06-18T16:22:55.000Z',
				error: null,
				eventId: expect.stringMatching(/^meta:[0-9a-f]{20}$/),
				raw: fixtures.delivered.entry[0].changes[0].value.statuses[0],
			},
		]);
		expect(parse(fixtures.read)[0]).toMatchObject({ status: 'seen', messageId: wamid, timestamp: '2025-06-18T16:23:10.000Z' });
		expect(parse(fixtures.sent)[0]).toMatchObject({ status: 'sent', providerStatus: 'sent', messageId: wamid });
	});

	test('failed is discarded with errors[0]: code, title and error_data.details', () => {
		expect(parse(fixtures.failed)).toEqual([
			expect.objectContaining({
				status: 'discarded',
				providerStatus: 'failed',
				messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBJGQjZEQTA5OTJBRTA4RDI4NTIA',
				recipient: '+16505551235',
				error: {
					code: 131047,
					message: 'Re-engagement message',
					details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
				},
			}),
		]);
	});

	test('a callback holding two statuses gives two events, in order', () => {
		const events = parse(fixtures.batchOfTwo);
		expect(events.map((event) => [event.status, event.messageId, event.recipient])).toEqual([
			['delivered', 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI4QTE3RjA2RUQ5RjkwMDg2QjQA', '+16505551236'],
			['seen', 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI5QjI4MDE3RkUwMDAxOTdDNUEA', '+16505551237'],
		]);
		expect(events[0].eventId).not.toBe(events[1].eventId);
	});

	test('a repeated status keeps its eventId; delivered and read of one message differ', () => {
		expect(parse(fixtures.delivered)[0].eventId).toBe(parse(JSON.parse(JSON.stringify(fixtures.delivered)))[0].eventId);
		expect(parse(fixtures.delivered)[0].eventId).not.toBe(parse(fixtures.read)[0].eventId);
	});

	test("an inbound reply is an Other event with the sender's number as userId", () => {
		expect(parse(fixtures.inboundText)).toEqual([
			expect.objectContaining({
				provider: 'meta',
				status: 'other',
				providerStatus: 'message',
				messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
				userId: '+16505551234',
				error: null,
			}),
		]);
	});

	test('a body that is not the envelope is refused with a reason', () => {
		expect(() => parse({ object: 'page', entry: [] })).toThrow(/not a Meta webhook/);
	});
});

describe("'auto' tells Meta and Gupshup v3 apart by content", () => {
	test('Meta’s own envelope is Meta; the same envelope with Gupshup’s ids is Gupshup', () => {
		expect(detectProvider(fixtures.failed).name).toBe('meta');
		expect(detectProvider(fixtures.batchOfTwo).name).toBe('meta');
		expect(detectProvider(gupshup.v3Statuses).name).toBe('gupshup');
		expect(normalizeStatusCallback({ provider: 'auto', body: fixtures.delivered })[0]).toMatchObject({ provider: 'meta', messageId: expect.stringMatching(/^wamid\./) });
		expect(normalizeStatusCallback({ provider: 'auto', body: gupshup.v3Statuses })[0]).toMatchObject({ provider: 'gupshup', messageId: '7c8f2f0e-1d2b-4b0a-9a53-2b9d2f7f1c11' });
	});

	test('the answer does not depend on the registry’s order: Gupshup’s markers outrank the envelope they relay', () => {
		const bodies = [fixtures.delivered, fixtures.batchOfTwo, fixtures.inboundText, gupshup.v3Statuses];
		const providers = Object.values(PROVIDERS);
		for (const body of bodies) {
			expect(detectProviderAmong([...providers].reverse(), body).name).toBe(detectProvider(body).name);
		}
		// gs_id on a status is Gupshup's mark even without gs_app_id on the body.
		const { gs_app_id: _appId, ...withoutAppId } = gupshup.v3Statuses;
		expect(detectProvider(withoutAppId).name).toBe('gupshup');
	});

	test('a fifth provider that relays Meta’s envelope with its own marker takes its bodies; plain Meta bodies stay Meta’s', () => {
		// A 360dialog-like relay: the same envelope, marked by a field of its own on the body.
		/** @type {any} */
		const relay = {
			name: 'relay360',
			displayName: 'Relay 360',
			recognizes: (body) => meta.recognizes(body) && typeof body.relay_account_id === 'string',
			relays: 'meta',
		};
		const providers = [...Object.values(PROVIDERS), relay];
		const relayed = { ...fixtures.delivered, relay_account_id: 'acc-1' };
		expect(detectProviderAmong(providers, relayed).name).toBe('relay360');
		expect(detectProviderAmong([relay, ...Object.values(PROVIDERS)], relayed).name).toBe('relay360');
		for (const body of [fixtures.delivered, fixtures.failed, fixtures.batchOfTwo, fixtures.inboundText]) {
			expect(detectProviderAmong(providers, body).name).toBe('meta');
		}
		expect(detectProviderAmong(providers, gupshup.v3Statuses).name).toBe('gupshup');
		// Two relays' markers on one body: who sent it is unclear, so it is refused, naming both.
		expect(() => detectProviderAmong(providers, { ...gupshup.v3Statuses, relay_account_id: 'acc-1' })).toThrow(/Gupshup or Relay 360: name the provider/);
	});
});
