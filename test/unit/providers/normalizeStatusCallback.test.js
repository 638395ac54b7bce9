/** The public function in index.js: the same answers the trigger gives, for Code nodes and other programs. */
const { normalizeStatusCallback, detectProvider, CallbackFormatError } = require('../../..');
const smooch = require('../../fixtures/smooch-callbacks.json');
const gupshup = require('../../fixtures/gupshup-callbacks.json');
const twilio = require('../../fixtures/twilio-callbacks.json');
const meta = require('../../fixtures/meta-callbacks.json');

const EVENT_KEYS = ['provider', 'status', 'providerStatus', 'messageId', 'recipient', 'timestamp', 'error', 'eventId', 'raw'];

test.each([
	['twilio', twilio.delivered, 'delivered'],
	['twilio', twilio.undelivered, 'discarded'],
	['smooch', smooch.notificationDelivered, 'delivered'],
	['smooch', smooch.conversationRead, 'seen'],
	['gupshup', gupshup.read, 'seen'],
	['gupshup', gupshup.failedSync, 'discarded'],
	['meta', meta.delivered, 'delivered'],
	['meta', meta.read, 'seen'],
	['meta', meta.failed, 'discarded'],
])('auto-detects %s and reads the status as the trigger does (%#)', (provider, body, status) => {
	expect(detectProvider(body)).toBe(provider);
	const [event] = normalizeStatusCallback({ provider: 'auto', body });
	expect(event.provider).toBe(provider);
	expect(event.status).toBe(status);
	expect(Object.keys(event)).toEqual(expect.arrayContaining(EVENT_KEYS));
	expect(normalizeStatusCallback({ provider: /** @type {any} */ (provider), body })).toEqual([{ ...event, timestamp: expect.any(String) }]);
});

test('detects the batch formats too: Sunshine v2 and Gupshup v3', () => {
	expect(detectProvider(smooch.v2Batch)).toBe('smooch');
	expect(detectProvider(gupshup.v3Statuses)).toBe('gupshup');
	expect(normalizeStatusCallback({ provider: 'auto', body: smooch.v2Batch })).toHaveLength(4);
	expect(normalizeStatusCallback({ provider: 'auto', body: gupshup.v3Statuses })).toHaveLength(4);
});

test('reads a raw form-encoded or JSON string body', () => {
	const form = new URLSearchParams(twilio.read).toString();
	expect(normalizeStatusCallback({ provider: 'auto', body: form })[0]).toMatchObject({ status: 'seen', messageId: twilio.read.MessageSid });
	const json = Buffer.from(JSON.stringify(gupshup.delivered));
	expect(normalizeStatusCallback({ provider: 'gupshup', body: json })[0].messageId).toBe('ee4a68a0-1203-4c85-8dc3-49d0b3226a35');
});

test('Twilio callbacks carry no time: the time received stands in', () => {
	const receivedAt = new Date('2026-01-02T03:04:05.000Z');
	expect(normalizeStatusCallback({ provider: 'twilio', body: twilio.delivered, receivedAt })[0].timestamp).toBe('2026-01-02T03:04:05.000Z');
});

test('an unknown body, invalid JSON or an unknown provider is refused with a reason', () => {
	expect(() => normalizeStatusCallback({ provider: 'auto', body: { foo: 1 } })).toThrow(CallbackFormatError);
	expect(() => normalizeStatusCallback({ provider: 'auto', body: '{"broken": ' })).toThrow(/not a JSON object or form/);
	expect(() => normalizeStatusCallback({ provider: /** @type {any} */ ('telegram'), body: twilio.read })).toThrow(/unknown provider "telegram"/);
	expect(() => normalizeStatusCallback({ provider: 'twilio', body: gupshup.read })).toThrow(/not a Twilio status callback/);
});
