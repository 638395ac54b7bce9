/**
 * normalizeStatusCallback on bodies no provider sends (issue 7): it answers with well-typed
 * events or throws CallbackFormatError, nothing else; prototype names are not statuses.
 */
const { normalizeStatusCallback, CallbackFormatError } = require('../../..');
const twilio = require('../../fixtures/twilio-callbacks.json');
const smooch = require('../../fixtures/smooch-callbacks.json');
const gupshup = require('../../fixtures/gupshup-callbacks.json');
const meta = require('../../fixtures/meta-callbacks.json');

/** Meta's delivered callback with its one status changed. */
const metaStatus = (changes) => {
	const [entry] = meta.delivered.entry;
	const [change] = entry.changes;
	const status = { ...change.value.statuses[0], ...changes };
	return { ...meta.delivered, entry: [{ ...entry, changes: [{ ...change, value: { ...change.value, statuses: [status] } }] }] };
};

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
			...normalize('meta', metaStatus({ status: word })),
		];
		// One event per body: a prototype name neither drops the event nor multiplies it.
		expect(events.map((event) => event.provider)).toEqual(['twilio', 'gupshup', 'meta']);
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
	['Meta timestamp beyond Date', 'meta', metaStatus({ timestamp: '1e300' })],
	['Meta timestamp as an object', 'meta', metaStatus({ timestamp: { toString: 1 } })],
])('%s: the time it was received', (_what, provider, body) => {
	const events = normalize(provider, body);
	expect(events).toHaveLength(1);
	// The provider's own time is unreadable: the event carries the time the callback was received.
	expect(events[0].timestamp).toBe(RECEIVED.toISOString());
});

test('Gupshup error code and reason of the wrong types: well-typed fields, the callback’s own time', () => {
	const body = { ...gupshup.failedAsync, payload: { ...gupshup.failedAsync.payload, payload: { code: { x: 1 }, reason: ['r'] } } };
	const events = normalize('gupshup', body);
	expect(events).toHaveLength(1);
	const [event] = events;
	expect(event.timestamp).toBe(new Date(gupshup.failedAsync.timestamp).toISOString());
	// Neither value is readable as Gupshup's code or reason: no code, and a message of our own.
	expect(event).toMatchObject({ status: 'discarded', error: { code: null, message: 'delivery failed' } });
});

test.each([
	['Twilio status as an object', 'twilio', { MessageSid: 'SM1', MessageStatus: { toString: 1 } }],
	['Smooch v2 events not a list of events', 'smooch', { app: {}, events: [{ type: { toString: 1 } }] }],
	['Smooch trigger as a number', 'smooch', { trigger: 5 }],
	['Gupshup, neither v2 nor v3', 'gupshup', { type: { a: 1 }, payload: 1 }],
])('%s: CallbackFormatError, not a TypeError', (_what, provider, body) => {
	expect(() => normalize(provider, body)).toThrow(CallbackFormatError);
});

// Found by the attack suite (test/attack/run.js), kept here as regressions.
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
