/**
 * The wait token and the resume decision, as plain functions: a token reads back only with the
 * key that made it, any change to it is caught, it is bound to its recipient; a tap is used
 * once; n8n's answer decides between resumed and not-a-wait; no answer leaves the tap unused.
 */
const { PROVIDERS } = require('../../../dist/nodes/providers');
const { checkAnswer, forgetUsedTaps, isWaitTap, makeWaitToken, readWaitToken, resumeFromReply, signAnswer, waitKey } = require('../../../dist/nodes/shared/waitToken');

const SIGNED = `https://n8n.example.com/webhook-waiting/41/0f5a0c4e-2d1b-4f6a-9c3e-7b8d9e0f1a2b?approved=true&signature=${'ab12'.repeat(16)}`;
const RECIPIENT = '+16505551234';
const key = waitKey(PROVIDERS.twilio, { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'token-1' });
const tapOf = (id, extra = {}) => ({ provider: 'twilio', from: RECIPIENT, messageId: 'SM1', eventId: 'e1', timestamp: '2026-12-07T10:00:00.000Z', profileName: 'Asha', button: { id, title: 'Approve' }, ...extra });

afterEach(() => forgetUsedTaps());

describe('the token', () => {
	test('reads back the exact signed resume URL, with the key that made it', () => {
		const token = makeWaitToken(key, SIGNED, RECIPIENT);
		expect(token.startsWith('wnw1.')).toBe(true);
		expect(readWaitToken(key, token).resumeUrl).toBe(SIGNED);
		expect(isWaitTap({ button: { id: token, title: null } })).toBe(true);
		expect(isWaitTap({ button: { id: 'confirm', title: null } })).toBe(false);
	});

	test('any character changed, or another account’s key, reads as forged', () => {
		const token = makeWaitToken(key, SIGNED, RECIPIENT);
		const other = waitKey(PROVIDERS.twilio, { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'token-2' });
		expect(readWaitToken(other, token)).toBeUndefined();
		for (const at of [6, 30, 45, 80, token.length - 1]) {
			const changed = token.slice(0, at) + (token[at] === 'a' ? 'b' : 'a') + token.slice(at + 1);
			expect(readWaitToken(key, changed)).toBeUndefined();
		}
	});

	test('a URL n8n did not sign makes no token', () => {
		expect(() => makeWaitToken(key, 'https://n8n.example.com/webhook-waiting/41/x?approved=true', RECIPIENT)).toThrow('no n8n signature');
	});

	test('the key needs the account’s secret: a credential without it is named', () => {
		expect(() => waitKey(PROVIDERS.meta, { phoneNumberId: '1' })).toThrow('has no appSecret');
	});
});

describe('resumeFromReply', () => {
	const answered = (body) => async () => ({ statusCode: 200, body });

	test('resumed when the waiting node answers {resumed: true}; the answer is signed for it', async () => {
		const token = makeWaitToken(key, SIGNED, RECIPIENT);
		const seen = [];
		const post = async (url, body, headers) => {
			seen.push({ url, body, headers });
			return { statusCode: 200, body: { resumed: true } };
		};
		expect(await resumeFromReply(tapOf(token), key, post)).toBe('resumed');
		expect(seen[0].url).toBe(SIGNED);
		expect(checkAnswer(key, seen[0].body, seen[0].headers['x-whatsapp-notify-signature'])).toEqual(seen[0].body);
		expect(seen[0].headers['x-whatsapp-notify-signature']).toBe(signAnswer(key, seen[0].body));
	});

	test('not-a-wait when n8n answers anything else (its “no action required” page, 404, 409)', async () => {
		const token = makeWaitToken(key, SIGNED, RECIPIENT);
		expect(await resumeFromReply(tapOf(token, { messageId: 'a' }), key, answered('<html>No action required</html>'))).toBe('not-a-wait');
		expect(await resumeFromReply(tapOf(token, { messageId: 'b' }), key, async () => ({ statusCode: 409, body: { message: 'running' } }))).toBe('not-a-wait');
	});

	test('rejected: forged, another recipient, or the same tap again; a new tap of the same button is not a replay', async () => {
		const token = makeWaitToken(key, SIGNED, RECIPIENT);
		const post = answered({ resumed: true });
		expect(await resumeFromReply(tapOf(`${token}x`), key, post)).toBe('rejected');
		expect(await resumeFromReply(tapOf(token, { from: '+447700900123' }), key, post)).toBe('rejected');
		expect(await resumeFromReply(tapOf(token), key, post)).toBe('resumed');
		expect(await resumeFromReply(tapOf(token), key, post)).toBe('rejected');
		expect(await resumeFromReply(tapOf(token, { messageId: 'SM2' }), key, answered('done'))).toBe('not-a-wait');
	});

	test('a sender given as a provider id (not a number) cannot be checked against the recipient, and passes on the token alone', async () => {
		const token = makeWaitToken(key, SIGNED, RECIPIENT);
		expect(await resumeFromReply(tapOf(token, { from: 'appUser-5e1f' }), key, answered({ resumed: true }))).toBe('resumed');
	});

	test('unanswered when n8n cannot be reached; the tap is not used up, so the provider’s resend can resume', async () => {
		const token = makeWaitToken(key, SIGNED, RECIPIENT);
		const failing = async () => {
			throw new Error('ECONNREFUSED');
		};
		expect(await resumeFromReply(tapOf(token), key, failing)).toBe('unanswered');
		expect(await resumeFromReply(tapOf(token), key, answered({ resumed: true }))).toBe('resumed');
	});
});
