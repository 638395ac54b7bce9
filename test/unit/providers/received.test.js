/**
 * Customers' messages, per provider, from payloads in the shapes the providers document
 * (test/fixtures/<provider>-messages.json): what each becomes as a ReceivedMessage, that a
 * repeat keeps its eventId, and that the status events stay as they were.
 */
const { normalizeCallback, normalizeStatusCallback } = require('../../../dist/nodes/providers');
const meta = require('../../fixtures/meta-messages.json');
const twilio = require('../../fixtures/twilio-messages.json');
const smooch = require('../../fixtures/smooch-messages.json');
const gupshup = require('../../fixtures/gupshup-messages.json');
const metaStatuses = require('../../fixtures/meta-callbacks.json');
const twilioStatuses = require('../../fixtures/twilio-callbacks.json');

const AT = new Date('2026-01-02T03:04:05.000Z');
const received = (provider, body) => normalizeCallback({ provider, body, receivedAt: AT }).received;
const only = (provider, body) => {
	const messages = received(provider, body);
	expect(messages).toHaveLength(1);
	return messages[0];
};

describe('Meta messages[]', () => {
	test('a text: the sender in E.164, the business number, the profile name and the time Meta gives', () => {
		expect(only('meta', meta.text)).toEqual({
			provider: 'meta',
			kind: 'received',
			from: '+16505551234',
			to: '+15550783881',
			messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgASGBQzQTRBNjU5OUFFRTAzODEwMTQ0RgA=',
			timestamp: '2025-06-08T20:59:43.000Z',
			type: 'text',
			text: 'Does it come in another color?',
			button: null,
			media: null,
			location: null,
			replyTo: null,
			profileName: 'Sheena Nelson',
			eventId: expect.stringMatching(/^meta:[0-9a-f]{20}$/),
			raw: meta.text.entry[0].changes[0].value.messages[0],
		});
	});

	test("a template's quick reply: its payload is the button id, the message it answers is replyTo", () => {
		const message = only('meta', meta.templateQuickReply);
		expect(message).toMatchObject({
			type: 'button',
			text: 'Unsubscribe',
			button: { id: 'unsubscribe-offers', title: 'Unsubscribe' },
			replyTo: 'wamid.HBgLMTQxMjU1NTA4MjkVAgASGBQzQUNCNjk5RDUwNUZGMUZEM0VBRAA=',
		});
	});

	test('a reply button is a button; a list row is interactive; both carry the id the business gave', () => {
		expect(only('meta', meta.buttonReply)).toMatchObject({ type: 'button', button: { id: 'cancel-button', title: 'Cancel' }, text: 'Cancel' });
		expect(only('meta', meta.listReply)).toMatchObject({
			type: 'interactive',
			button: { id: 'priority_express', title: 'Priority Mail Express' },
		});
	});

	test('an image: the media id to download, its MIME type and caption', () => {
		expect(only('meta', meta.image)).toMatchObject({
			type: 'image',
			text: 'Black jacket',
			media: { id: '1003383421387256', mimeType: 'image/jpeg', caption: 'Black jacket' },
		});
	});

	test('a location, and a type this package does not know (kept, as other, with raw)', () => {
		expect(only('meta', meta.location).location).toEqual({
			latitude: 40.782910059774,
			longitude: -73.959075808525,
			name: 'Solomon R. Guggenheim Museum',
			address: '1071 5th Ave, New York, NY 10128',
		});
		const unknown = only('meta', meta.unsupported);
		expect(unknown).toMatchObject({ type: 'other', text: null, messageId: 'wamid.UNSUPPORTED' });
		expect(unknown.raw).toEqual(meta.unsupported.entry[0].changes[0].value.messages[0]);
	});

	test('a callback with a message and a status: the status stays a status, the message is received once, not on Other', () => {
		const { statuses, received: messages } = normalizeCallback({ provider: 'meta', body: meta.textAndStatus, receivedAt: AT });
		expect(statuses.map((event) => [event.status, event.messageId])).toEqual([['delivered', 'wamid.MIXEDSTATUS']]);
		expect(messages.map((message) => message.text)).toEqual(['Yes']);
		// The old view is unchanged: the message is an `other` event there.
		expect(normalizeStatusCallback({ provider: 'meta', body: meta.textAndStatus }).map((event) => event.status)).toEqual(['delivered', 'other']);
	});

	test('a sender Meta names by an id that is not a phone number keeps that id', () => {
		const body = structuredClone(meta.text);
		body.entry[0].changes[0].value.messages[0].from = 'US.13491208655302741918';
		expect(only('meta', body).from).toBe('US.13491208655302741918');
	});
});

describe('Twilio', () => {
	test('the incoming-message webhook: text, sender from WaId-style From, ProfileName; no time of its own', () => {
		expect(only('twilio', twilio.text)).toMatchObject({
			from: '+5511987654321',
			to: '+14155238886',
			messageId: 'SM8824d91645395b17594d92659b878401',
			timestamp: AT.toISOString(),
			type: 'text',
			text: 'Is my order on its way?',
			profileName: 'Ana',
			button: null,
		});
	});

	test('a tapped button: ButtonPayload is the id, ButtonText the title, OriginalRepliedMessageSid replyTo', () => {
		expect(only('twilio', twilio.button)).toMatchObject({
			type: 'button',
			text: 'Confirm',
			button: { id: 'confirm-appointment-42', title: 'Confirm' },
			replyTo: 'MM5cc44eecf7dab0d48d4529d0fa4af44d',
		});
	});

	test('an image (MediaUrl0, MediaContentType0) and a location (Latitude, Longitude)', () => {
		expect(only('twilio', twilio.image)).toMatchObject({
			type: 'image',
			media: { url: twilio.image.MediaUrl0, mimeType: 'image/jpeg', caption: 'The broken part' },
		});
		expect(only('twilio', twilio.location)).toMatchObject({ type: 'location', location: { latitude: -23.5505, longitude: -46.6333, name: 'Sé' } });
	});

	test('a hostile NumMedia (an object whose toString is no function) reads as no file, never throws', () => {
		for (const NumMedia of [{ toString: 1 }, [{ valueOf: 1 }], 'NaN', '-1']) {
			expect(only('twilio', { ...twilio.text, NumMedia }).type).toBe('text');
		}
	});

	test('Event Streams inbound-message.received: the text and the time of the event', () => {
		expect(only('twilio', twilio.eventStreamsText)).toMatchObject({
			from: '+5511987654321',
			to: '+14155238886',
			messageId: 'SM0784303f394b6086ce8fdcf707284eb9',
			timestamp: '2025-12-20T01:59:43.000Z',
			type: 'text',
			text: 'I want 2',
		});
	});

	test('the same message by the inbound webhook and by Event Streams has one eventId', () => {
		const form = only('twilio', { ...twilio.text, MessageSid: 'SM0784303f394b6086ce8fdcf707284eb9' });
		expect(form.eventId).toBe(only('twilio', twilio.eventStreamsText).eventId);
	});

	test('status callbacks stay statuses; an inbound event is no status (acknowledged, not a 400)', () => {
		expect(received('twilio', twilioStatuses.delivered)).toEqual([]);
		expect(normalizeCallback({ provider: 'twilio', body: twilioStatuses.delivered }).statuses[0].status).toBe('delivered');
		expect(normalizeStatusCallback({ provider: 'twilio', body: twilio.eventStreamsText })).toEqual([]);
		// The inbound webhook was an `other` event before Received; with Received it is not on Other.
		expect(normalizeStatusCallback({ provider: 'twilio', body: twilio.text }).map((event) => event.status)).toEqual(['other']);
		expect(normalizeCallback({ provider: 'twilio', body: twilio.text }).statuses).toEqual([]);
	});
});

describe('Smooch v1.1 message:appUser', () => {
	test('a text: the WhatsApp client’s number, the author’s name, `received` as the time', () => {
		expect(only('smooch', smooch.text)).toMatchObject({
			from: '+15145550199',
			messageId: '55c8c1498590aa1900b9b9b1',
			timestamp: '2015-10-08T23:52:18.704Z',
			type: 'text',
			text: 'Hi! Do you have time to chat?',
			profileName: 'Steve',
		});
	});

	test("a reply tapped: the reply action's payload is the button id", () => {
		expect(only('smooch', smooch.reply)).toMatchObject({
			type: 'button',
			text: 'Reschedule',
			button: { id: 'reschedule-appointment-42', title: 'Reschedule' },
		});
	});

	test('an image (mediaUrl, mediaType); a location; without a WhatsApp client the sender is the appUser id', () => {
		expect(only('smooch', smooch.image)).toMatchObject({
			type: 'image',
			media: { url: smooch.image.messages[0].mediaUrl, mimeType: 'image/jpeg', caption: null },
		});
		expect(only('smooch', smooch.location)).toMatchObject({
			type: 'location',
			from: 'c7f6e6d6c3a637261bd9656f',
			location: { latitude: 45.5261583, longitude: -73.595346 },
		});
	});

	test('v2: a user’s conversation:message is received (the source client’s number, the payload as button id); the business’s own stays on Other', () => {
		expect(only('smooch', smooch.v2UserReply)).toMatchObject({
			from: '+15145550199',
			messageId: '69b4c5f014137ce0cd455e01',
			timestamp: '2026-03-14T02:20:32.440Z',
			type: 'button',
			button: { id: 'confirm-appointment-42', title: 'Confirm' },
			profileName: 'Steve',
		});
		expect(normalizeCallback({ provider: 'smooch', body: smooch.v2UserReply }).statuses).toEqual([]);
		const business = normalizeCallback({ provider: 'smooch', body: smooch.v2BusinessText });
		expect(business.received).toEqual([]);
		expect(business.statuses.map((event) => [event.status, event.providerStatus])).toEqual([['other', 'conversation:message']]);
	});

	test('was an `other` event; with Received it is not on Other', () => {
		expect(normalizeStatusCallback({ provider: 'smooch', body: smooch.text }).map((event) => event.providerStatus)).toEqual(['message:appUser']);
		expect(normalizeCallback({ provider: 'smooch', body: smooch.text }).statuses).toEqual([]);
	});
});

describe('Gupshup', () => {
	test('v2 text: sender.phone in E.164, the name, the callback time', () => {
		expect(only('gupshup', gupshup.text)).toMatchObject({
			from: '+919163125987',
			messageId: 'ABEGkZUTIXZ0Ago6jWqOZm-Sz0WD',
			timestamp: '2024-06-10T08:13:09.549Z',
			type: 'text',
			text: 'Hi',
			profileName: 'SJ',
		});
	});

	test('v2 button_reply and list_reply: the id given to the button or row; replyTo is the id the send returned (gsId)', () => {
		expect(only('gupshup', gupshup.buttonReply)).toMatchObject({
			type: 'button',
			button: { id: 'confirm-appointment-42', title: 'Confirm' },
			replyTo: 'cbdafe39-1023-42a7-89d6-6c01a3388bb5',
		});
		expect(only('gupshup', gupshup.listReply)).toMatchObject({ type: 'interactive', button: { id: 'list1', title: 'section 1 row 1' } });
	});

	test("v2 template quick reply: the postbackText set when sending is the button id", () => {
		expect(only('gupshup', gupshup.templateQuickReply)).toMatchObject({
			type: 'button',
			text: 'Reschedule',
			button: { id: 'reschedule-appointment-42', title: 'Reschedule' },
			replyTo: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35',
		});
	});

	test('v2 image and location; v3 (Meta envelope with gs_app_id)', () => {
		expect(only('gupshup', gupshup.image)).toMatchObject({
			type: 'image',
			text: 'The broken part',
			media: { url: gupshup.image.payload.payload.url, mimeType: 'image/jpeg', caption: 'The broken part' },
		});
		expect(only('gupshup', gupshup.location).location).toEqual({ latitude: 19.076, longitude: 72.8777, name: 'Gateway of India', address: 'Apollo Bandar, Mumbai' });
		expect(only('gupshup', gupshup.v3Text)).toMatchObject({ provider: 'gupshup', from: '+919163125987', to: '+917834811114', text: 'Hi from v3' });
	});

	test('messages were never statuses: none before, none now', () => {
		expect(normalizeStatusCallback({ provider: 'gupshup', body: gupshup.text })).toEqual([]);
		expect(normalizeCallback({ provider: 'gupshup', body: gupshup.v3Text }).statuses).toEqual([]);
	});
});

describe('every provider', () => {
	/** @type {Array<[string, any]>} */
	const samples = [
		['meta', meta.buttonReply],
		['twilio', twilio.button],
		['smooch', smooch.reply],
		['gupshup', gupshup.buttonReply],
	];

	test.each(samples)('%s: a repeated callback keeps its eventId; another message gets another', (provider, body) => {
		const first = only(provider, body);
		const again = only(provider, structuredClone(body));
		expect(again.eventId).toBe(first.eventId);
		const other = only(provider, { meta: meta.text, twilio: twilio.text, smooch: smooch.text, gupshup: gupshup.text }[provider]);
		expect(other.eventId).not.toBe(first.eventId);
	});

	test('auto-detection reads the customer messages too', () => {
		expect(normalizeCallback({ provider: 'auto', body: gupshup.v3Text }).received[0].provider).toBe('gupshup');
		expect(normalizeCallback({ provider: 'auto', body: meta.text }).received[0].provider).toBe('meta');
	});

	test('status fixtures carry no customer message', () => {
		expect(received('meta', metaStatuses.delivered ?? Object.values(metaStatuses)[0])).toEqual([]);
	});
});
