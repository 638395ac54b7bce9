/**
 * Smooch / Sunshine Conversations: a customer's messages. v1.1's `message:appUser` trigger
 * (`messages[]`, `role: appUser`) and v2's `conversation:message` events whose author is the user.
 * A reply action tapped comes back as a message carrying the action's `payload`.
 */

import { asString, stableEventId, toIsoTimestamp } from '../shared/callback';
import { isPlainObject, type JsonObject } from '../shared/json';
import { customerAddress, toE164 } from '../shared/phone';
import { mediaType, objectAt, receivedButton, receivedLocation, receivedMedia, receivedMessage } from '../shared/received';
import type { ReceivedMessage, StatusCallback, StatusEvent } from '../shared/types';

/** The v1.1 trigger of a customer's messages. */
export const CUSTOMER_MESSAGE_TRIGGER = 'message:appUser';

/** The v2 event of any message of a conversation, the customer's and the business's alike. */
const CONVERSATION_MESSAGE = 'conversation:message';

/** A phone number as Smooch may show it on a WhatsApp client ("+1 514-555-1234"). */
const SHOWN_PHONE = /^\+?[\d\s().-]{8,24}$/;

/** The number of a WhatsApp client (its externalId, else what it shows), or null when it shows none. */
function whatsAppNumber(client: JsonObject | undefined): string | null {
	const shown = client ? (asString(client.externalId) ?? asString(client.displayName)) : null;
	return shown && SHOWN_PHONE.test(shown) ? toE164(shown) : null;
}

/**
 * v1.1: the number of the user's WhatsApp client, when the payload lists it (appUser.clients, or
 * `client` with includeClient), else Smooch's id for them (appUser._id).
 */
function appUserAddress(body: JsonObject): string | null {
	const appUser = objectAt(body, 'appUser');
	const clients = [...(Array.isArray(appUser.clients) ? appUser.clients : []), body.client].filter(isPlainObject);
	const whatsApp = clients.find((client) => client.platform === 'whatsapp');
	return whatsAppNumber(whatsApp) ?? customerAddress(asString(appUser._id) ?? asString(appUser.userId));
}

/** What one message is (v1.1's message, v2's `content`): a reply tapped (its `payload`), a file, a location or a text. */
function messageContent(message: JsonObject): Pick<ReceivedMessage, 'type' | 'text' | 'button' | 'media' | 'location'> {
	const text = asString(message.text);
	const none = { text, button: null, media: null, location: null };
	const button = receivedButton(message.payload, message.text);
	if (button) return { ...none, type: 'button', button };
	const kind = mediaType(message.type);
	if (kind) {
		const mimeType = asString(message.mediaType);
		// Smooch calls every file `file`; its MIME type tells an image, a video or an audio from a document.
		const family = mimeType?.split('/')[0];
		const type = kind === 'document' && (family === 'video' || family === 'audio' || family === 'image') ? family : kind;
		return { ...none, type, media: receivedMedia({ url: message.mediaUrl, mimeType, caption: text }) };
	}
	if (message.type === 'location') {
		const coordinates = objectAt(message, 'coordinates');
		const place = objectAt(message, 'location');
		return { ...none, type: 'location', location: receivedLocation(coordinates.lat, coordinates.long, place.name, place.address) };
	}
	return { ...none, type: message.type === 'text' && text !== null ? 'text' : 'other' };
}

/** v1.1 `message:appUser`: each of the customer's messages. */
function fromV1(body: JsonObject, receivedAt: Date): ReceivedMessage[] {
	const messages = Array.isArray(body.messages) ? body.messages.filter(isPlainObject) : [];
	const from = appUserAddress(body);
	return messages
		.filter((message) => message.role === undefined || message.role === 'appUser')
		.map((message) => {
			const messageId = asString(message._id);
			return receivedMessage({
				provider: 'smooch',
				from,
				messageId,
				timestamp: toIsoTimestamp(message.received ?? body.timestamp, receivedAt),
				...messageContent(message),
				profileName: asString(message.name),
				eventId: stableEventId('smooch', CUSTOMER_MESSAGE_TRIGGER, messageId),
				raw: message,
			});
		});
}

/** A v2 `conversation:message` event whose author is the user (not the business). */
function isUserMessageEvent(entry: unknown): entry is JsonObject {
	if (!isPlainObject(entry) || entry.type !== CONVERSATION_MESSAGE) return false;
	return objectAt(objectAt(objectAt(entry, 'payload'), 'message'), 'author').type === 'user';
}

/** v2: the user's message; the sender's number from the source's WhatsApp client, else the user id. */
function fromV2(entry: JsonObject, receivedAt: Date): ReceivedMessage {
	const message = objectAt(objectAt(entry, 'payload'), 'message');
	const author = objectAt(message, 'author');
	const source = objectAt(message, 'source');
	const client = source.type === 'whatsapp' ? objectAt(source, 'client') : undefined;
	const messageId = asString(message.id);
	return receivedMessage({
		provider: 'smooch',
		from: whatsAppNumber(client) ?? customerAddress(asString(author.userId)),
		messageId,
		timestamp: toIsoTimestamp(message.received ?? entry.createdAt, receivedAt),
		...messageContent(objectAt(message, 'content')),
		profileName: asString(author.displayName),
		eventId: stableEventId('smooch', CONVERSATION_MESSAGE, messageId),
		raw: entry,
	});
}

export function parseReceived({ body }: StatusCallback, receivedAt: Date): ReceivedMessage[] {
	if (!isPlainObject(body)) return [];
	if (body.trigger === CUSTOMER_MESSAGE_TRIGGER) return fromV1(body, receivedAt);
	const events = Array.isArray(body.events) ? body.events : [];
	return events.filter(isUserMessageEvent).map((entry) => fromV2(entry, receivedAt));
}

/** The status events parseCallback makes of a customer's message: v1.1's message:appUser, v2's user messages. */
export function isCustomerMessage(event: StatusEvent): boolean {
	return event.providerStatus === CUSTOMER_MESSAGE_TRIGGER || isUserMessageEvent(event.raw);
}
