/**
 * normalizeStatusCallback on bodies no provider sends (issue 7): it answers with well-typed
 * events or throws CallbackFormatError, nothing else; prototype names are not statuses.
 */
const { normalizeStatusCallback, CallbackFormatError } = require('../..');
const twilio = require('../fixtures/twilio-callbacks.json');
const smooch = require('../fixtures/smooch-callbacks.json');
const gupshup = require('../fixtures/gupshup-callbacks.json');

const RECEIVED = new Date('2026-01-02T03:04:05.000Z');

function normalize(provider, body) {
	return normalizeStatusCallback({ provider, body, receivedAt: RECEIVED });
}

test.each(['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf'])(
	'a provider status named %s maps to other, with strings only',
	(word) => {
		const events = [
			...normalize('twilio', { ...twilio.undelivered, MessageStatus: word, SmsStatus: word, ErrorCode: word }),
			...normalize('gupshup', { ...gupshup.delivered, payload: { ...gupshup.delivered.payload, type: word } }),
		];
		for (const event of events) {
			expect(event.status).toBe('other');
			expect(event.providerStatus.toLowerCase()).toBe(word.toLowerCase());
			if (event.error) expect(typeof event.error.message).toBe('string');
		}
	},
);

test.each([
	['Smooch timestamp beyond Date', 'smooch', { ...smooch.notificationDelivered, timestamp: 1e300 }],
	['Smooch timestamp as an object', 'smooch', { ...smooch.notificationDelivered, timestamp: { toString: 1 } }],
	['Gupshup ts far past 275760 AD', 'gupshup', { ...gupshup.delivered, payload: { ...gupshup.delivered.payload, payload: { ts: 9e15 } } }],
	['Gupshup error code as an object', 'gupshup', { ...gupshup.failedAsync, payload: { ...gupshup.failedAsync.payload, payload: { code: { x: 1 }, reason: ['r'] } } }],
])('%s: the time it was received and well-typed fields', (_what, provider, body) => {
	const [event] = normalize(provider, body);
	expect(event.timestamp).toMatch(/^\d{4}-\d\d-\d\dT/);
	if (event.error) {
		expect(['string', 'number']).toContain(typeof event.error.message);
		expect(event.error.code === null || ['string', 'number'].includes(typeof event.error.code)).toBe(true);
	}
});

test.each([
	['Twilio status as an object', 'twilio', { MessageSid: 'SM1', MessageStatus: { toString: 1 } }],
	['Smooch v2 events not a list of events', 'smooch', { app: {}, events: [{ type: { toString: 1 } }] }],
	['Smooch trigger as a number', 'smooch', { trigger: 5 }],
	['Gupshup, neither v2 nor v3', 'gupshup', { type: { a: 1 }, payload: 1 }],
])('%s: CallbackFormatError, not a TypeError', (_what, provider, body) => {
	expect(() => normalize(provider, body)).toThrow(CallbackFormatError);
});

// Found by the attack suite (attack/run.js), kept here as regressions.
test('Twilio: a MessageStatus that is not a string is not read past to SmsStatus', () => {
	expect(() => normalize('twilio', { ...twilio.delivered, MessageStatus: true })).toThrow(CallbackFormatError);
	expect(() => normalize('twilio', { ...twilio.delivered, MessageStatus: ['read'] })).toThrow(CallbackFormatError);
	const [fromSmsStatus] = normalize('twilio', { ...twilio.delivered, MessageStatus: undefined });
	expect(fromSmsStatus.status).toBe('delivered');
});

test('Twilio: an ErrorCode beyond a safe integer stays the text it was, not Infinity', () => {
	const [event] = normalize('twilio', { ...twilio.undelivered, ErrorCode: '1e999' });
	expect(event.error.code).toBe('1e999');
	const [usual] = normalize('twilio', twilio.undelivered);
	expect(usual.error.code).toBe(Number(twilio.undelivered.ErrorCode));
});
