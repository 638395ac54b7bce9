/**
 * Every error item of WhatsApp Notify says which kind of failure it reports (`errorKind`), so a
 * fallback can take only what it can fix: 'input' (the node refused the item, nothing was sent),
 * 'provider' (the provider answered and refused the message), 'unreachable' (no usable answer:
 * the provider may or may not have taken it). Each error path, through n8n-core's engine.
 */
const nock = require('nock');
const { providersOffline } = require('../helpers/offline');
const { runNotify } = require('../helpers/engine');
const { recordingServer } = require('../helpers/recordingServer');
const { CREDENTIALS, TWILIO, META, expectNoSecrets } = require('../helpers/credentials');

providersOffline({ localServers: true });

const TWILIO_PATH = `/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`;
const twilioAnswers = (...answer) => nock('https://api.twilio.com').post(TWILIO_PATH).reply(...answer);
const text = (recipient) => ({ provider: 'twilio', recipient, message: 'Your order shipped' });

/** One item through WhatsApp Notify with "Continue (using error output)": its error item. */
async function errorItemOf(parameters, credentials = CREDENTIALS) {
	const { items, errorItems, error } = await runNotify({
		parameters: { ...parameters, options: { maxRetries: 0, ...parameters.options } },
		items: [{ json: { customer: 'C-7' } }],
		credentials,
		onError: 'continueErrorOutput',
	});
	expect(error).toBeNull();
	expect(items).toEqual([]);
	expect(errorItems).toHaveLength(1);
	expectNoSecrets(errorItems);
	return errorItems[0].json;
}

describe("'input': the node refused the item before sending anything", () => {
	test.each([
		['a number not in E.164', text('(457)-746-846'), /^Invalid recipient "\(457\)-746-846" in item 0/],
		['media from a URL that is not https', { ...text('+15551110001'), messageType: 'media', mediaType: 'image', mediaUrl: 'http://example.com/a.png' }, /item 0/],
		['an override that is not JSON', { ...text('+15551110001'), override: '{"Body": ' }, /^Invalid override in item 0/],
		['an override that changes the recipient', { ...text('+15551110001'), override: '{"To": "whatsapp:+15550009999"}' }, /may not set "To"/],
	])('%s', async (_case, parameters, message) => {
		const scope = nock('https://api.twilio.com').post(TWILIO_PATH).reply(201, { sid: 'SM-never' });
		const item = await errorItemOf(parameters);
		expect(item).toMatchObject({ customer: 'C-7', errorKind: 'input', errorCode: null, provider: 'twilio' });
		expect(item.error).toMatch(message);
		expect(scope.isDone()).toBe(false);
	});
});

describe("'provider': the provider answered and refused the message", () => {
	test.each([
		['Twilio, an invalid number (400)', () => twilioAnswers(400, { code: 21211, message: "Invalid 'To' Phone Number" }), 21211],
		['Twilio, the credential refused (401)', () => twilioAnswers(401, { code: 20003, message: 'Authenticate' }), 20003],
		['Twilio, still too many requests when retries ran out (429)', () => twilioAnswers(429, { code: 20429, message: 'Too Many Requests' }), 20429],
	])('%s', async (_case, answer, code) => {
		answer();
		const item = await errorItemOf(text('+15550000400'));
		expect(item).toMatchObject({ customer: 'C-7', errorKind: 'provider', errorCode: code, provider: 'twilio', recipient: '+15550000400' });
	});

	test('Meta, a Graph error (400, code 131030)', async () => {
		nock('https://graph.facebook.com')
			.post(`/${META.apiVersion}/${META.phoneNumberId}/messages`)
			.reply(400, { error: { message: '(#131030) Recipient phone number not in allowed list', type: 'OAuthException', code: 131030, fbtrace_id: 'A1' } });
		const item = await errorItemOf({ provider: 'meta', recipient: '+15550000400', message: 'x' });
		expect(item).toMatchObject({ errorKind: 'provider', errorCode: 131030, provider: 'meta' });
	});
});

describe("'unreachable': no usable answer, the provider may or may not have taken the message", () => {
	test.each([
		['a 500', () => twilioAnswers(500, { code: 20500, message: 'Internal Server Error' })],
		['a 503 without a body', () => twilioAnswers(503, '')],
	])('%s', async (_case, answer) => {
		answer();
		const item = await errorItemOf(text('+15551110001'));
		expect(item).toMatchObject({ customer: 'C-7', errorKind: 'unreachable', provider: 'twilio', recipient: '+15551110001' });
	});

	/** A Twilio credential whose Base URL is a local server that answers with `answer(request, response)`. */
	async function twilioAt(answer) {
		const server = await recordingServer(answer);
		return { server, credentials: { twilioWhatsAppApi: { ...TWILIO, baseUrl: server.url } } };
	}

	test('a connection dropped before an answer', async () => {
		const { server, credentials } = await twilioAt((request) => request.socket.destroy());
		const item = await errorItemOf(text('+15551110001'), credentials).finally(() => server.close());
		expect(item).toMatchObject({ customer: 'C-7', errorKind: 'unreachable', errorCode: null, recipient: '+15551110001' });
		expect(item.error).toMatch(/did not answer for item 0/);
	});

	test('a refused connection (nothing listens at the Base URL)', async () => {
		const { server, credentials } = await twilioAt(() => undefined);
		await server.close();
		const item = await errorItemOf(text('+15551110001'), credentials);
		expect(item).toMatchObject({ errorKind: 'unreachable', errorCode: null });
		expect(item.error).toMatch(/did not answer for item 0 \(\+15551110001\): the connection was refused/);
	});

	test('a timeout', async () => {
		const { server, credentials } = await twilioAt((_request, response) =>
			setTimeout(() => response.writeHead(201, { 'content-type': 'application/json' }).end('{"sid":"SM-late"}'), 1500),
		);
		const item = await errorItemOf({ ...text('+15551110001'), options: { timeout: 1000 } }, credentials).finally(() => server.close());
		expect(item).toMatchObject({ errorKind: 'unreachable', errorCode: null });
		expect(item.error).toMatch(/did not answer for item 0/);
	});

	test('a redirect, which is never followed', async () => {
		twilioAnswers(307, '', { location: 'https://elsewhere.example.com/' });
		const item = await errorItemOf(text('+15551110001'));
		expect(item).toMatchObject({ errorKind: 'unreachable' });
		expect(item.error).toMatch(/a redirect to elsewhere\.example\.com/);
	});
});

test('with Continue On Fail (regular output) the kinds are the same, in input order among the sent items', async () => {
	nock('https://api.twilio.com')
		.post(TWILIO_PATH)
		.times(3)
		.reply((_uri, body) => {
			const to = new URLSearchParams(body).get('To');
			if (to.endsWith('400')) return [400, { code: 21211, message: 'Invalid To' }];
			if (to.endsWith('500')) return [500, { code: 20500, message: 'Internal Server Error' }];
			return [201, { sid: 'SM-ok' }];
		});
	const phones = ['+15551110001', '+15550000400', '12345', '+15550000500'];
	const { items } = await runNotify({
		parameters: { provider: 'twilio', recipient: '={{ $json.phone }}', message: 'x' },
		items: phones.map((phone) => ({ json: { phone } })),
		credentials: CREDENTIALS,
		continueOnFail: true,
	});
	expect(items.map((item) => [item.pairedItem.item, item.json.status ?? item.json.errorKind])).toEqual([
		[0, 'sent'],
		[1, 'provider'],
		[2, 'input'],
		[3, 'unreachable'],
	]);
});

describe("reply buttons on Twilio: the Content a message needs is asked for before sending", () => {
	test.each([
		[403, 'provider'],
		[500, 'unreachable'],
	])('the Content API answers %s: %s, and nothing is sent', async (status, kind) => {
		nock('https://content.twilio.com').get('/v1/Content').query(true).reply(status, { code: 20403, message: 'Forbidden' });
		const send = nock('https://api.twilio.com').post(TWILIO_PATH).reply(201, { sid: 'SM-never' });
		const item = await errorItemOf({ ...text('+15551110001'), replyButtons: { button: [{ title: 'Yes' }, { title: 'No' }] } });
		expect(item).toMatchObject({ customer: 'C-7', errorKind: kind, errorCode: null });
		expect(item.error).toMatch(/quick-reply Content for 2 reply buttons could not be found or made/);
		expect(send.isDone()).toBe(false);
	});
});

describe('Send and Wait for Reply: its error item says the kind too', () => {
	const question = (recipient) => ({
		provider: 'meta',
		operation: 'sendAndWait',
		recipient,
		message: 'Refund of 40 EUR for order 1042: approve?',
		responseType: 'approval',
		approvalOptions: { values: { approvalType: 'double', approveLabel: 'Approve', disapproveLabel: 'Decline' } },
		replyTriggerSetup: 'manual',
	});
	const metaAnswers = (...answer) => nock('https://graph.facebook.com').post(`/${META.apiVersion}/${META.phoneNumberId}/messages`).reply(...answer);

	test.each([
		['a number not in E.164', '12345', () => undefined, 'input'],
		['Meta refuses the number (400, 131030)', '+15550000400', () => metaAnswers(400, { error: { message: '(#131030) Recipient phone number not in allowed list', code: 131030 } }), 'provider'],
		['Meta fails (500)', '+15550000500', () => metaAnswers(500, { error: { message: 'An unknown error occurred', code: 1 } }), 'unreachable'],
	])('%s: %s', async (_case, recipient, answer, kind) => {
		answer();
		const item = await errorItemOf(question(recipient));
		expect(item).toMatchObject({ customer: 'C-7', errorKind: kind, provider: 'meta' });
	});
});
