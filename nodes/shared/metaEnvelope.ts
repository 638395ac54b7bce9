/**
 * Meta's webhook envelope, read once for everyone who sends it: Meta's Cloud API itself and
 * Gupshup v3, which wraps the same envelope and adds `gs_app_id` and `gs_id`.
 *
 *   { object: "whatsapp_business_account",
 *     entry: [{ id, changes: [{ field: "messages", value: { metadata, statuses: […], messages: […] } }] }] }
 */

import { asCode, asString, stableEventId, toIsoTimestamp } from './callback';
import { isPlainObject, type JsonObject, lookup } from './json';
import { customerAddress, toE164 } from './phone';
import { mediaType, objectAt, receivedButton, receivedLocation, receivedMedia, receivedMessage } from './received';
import type { DeliveryStatus, ReceivedMessage, StatusError, StatusEvent } from './types';

export interface MetaEnvelope extends JsonObject {
	object: 'whatsapp_business_account';
	entry: unknown[];
}

export function isMetaEnvelope(body: unknown): body is MetaEnvelope {
	return isPlainObject(body) && body.object === 'whatsapp_business_account' && Array.isArray(body.entry);
}

/** Every `value` of every change, in order; malformed entries and changes are skipped. */
export function changeValues(envelope: MetaEnvelope): JsonObject[] {
	const values: JsonObject[] = [];
	for (const entry of envelope.entry) {
		const changes = isPlainObject(entry) && Array.isArray(entry.changes) ? entry.changes : [];
		for (const change of changes) {
			if (isPlainObject(change) && isPlainObject(change.value)) values.push(change.value);
		}
	}
	return values;
}

/** The objects listed under `key` (`statuses`, `messages`) across the whole envelope. */
function itemsOf(envelope: MetaEnvelope, key: string): JsonObject[] {
	return changeValues(envelope).flatMap((value) => {
		const list = value[key];
		return Array.isArray(list) ? list.filter(isPlainObject) : [];
	});
}

/** The first of a status's `errors[]`: code, title (or message) and Meta's `error_data.details`. */
export function statusError(item: JsonObject): StatusError | null {
	const first = Array.isArray(item.errors) && isPlainObject(item.errors[0]) ? item.errors[0] : undefined;
	if (!first) return null;
	const errorData = isPlainObject(first.error_data) ? first.error_data : {};
	const details = asString(errorData.details);
	return {
		code: asCode(first.code),
		message: asString(first.title) ?? asString(first.message) ?? details ?? 'delivery failed',
		...(details !== null ? { details } : {}),
	};
}

/** How one sender of the envelope reads a status: its words, and which id the send returned. */
export interface EnvelopeReading {
	provider: string;
	statusWords: Readonly<Record<string, DeliveryStatus>>;
	/** The id the provider's send answer returned, as this status carries it. */
	messageIdOf(item: JsonObject): string | null;
	/** What tells this event apart from others, so a repeated callback keeps its eventId. */
	eventKeyOf(item: JsonObject): Array<string | null>;
}

/** One StatusEvent per item of `statuses[]`, across all entries and changes. */
export function envelopeStatusEvents(envelope: MetaEnvelope, reading: EnvelopeReading, receivedAt: Date): StatusEvent[] {
	return itemsOf(envelope, 'statuses').map((item) => {
		const providerStatus = asString(item.status) ?? '';
		return {
			provider: reading.provider,
			status: lookup(reading.statusWords, providerStatus) ?? 'other',
			providerStatus,
			messageId: reading.messageIdOf(item),
			recipient: toE164(item.recipient_id),
			timestamp: toIsoTimestamp(item.timestamp, receivedAt),
			error: statusError(item),
			eventId: stableEventId(reading.provider, ...reading.eventKeyOf(item)),
			raw: item,
		};
	});
}

/**
 * Inbound messages (a user's reply) share the endpoint with statuses. They are not a status
 * of anything sent: they go out as `other`, with the sender's WhatsApp id as userId.
 */
export function envelopeMessageEvents(envelope: MetaEnvelope, provider: string, receivedAt: Date): StatusEvent[] {
	return itemsOf(envelope, 'messages').map((item) => {
		const messageId = asString(item.id);
		return {
			provider,
			status: 'other',
			providerStatus: 'message',
			messageId,
			recipient: null,
			timestamp: toIsoTimestamp(item.timestamp, receivedAt),
			error: null,
			eventId: stableEventId(provider, 'message', messageId),
			userId: toE164(item.from),
			raw: item,
		};
	});
}

/** What a message item's own object says: its type, text, button, media or location. */
function messageContent(item: JsonObject): Pick<ReceivedMessage, 'type' | 'text' | 'button' | 'media' | 'location'> {
	const word = asString(item.type);
	const none = { text: null, button: null, media: null, location: null };
	if (word === 'text') return { ...none, type: 'text', text: asString(objectAt(item, 'text').body) };
	if (word === 'button') {
		// A template's quick reply: `payload` is what the business set, `text` the label.
		const tapped = objectAt(item, 'button');
		return { ...none, type: 'button', text: asString(tapped.text), button: receivedButton(tapped.payload, tapped.text) };
	}
	if (word === 'interactive') {
		const interactive = objectAt(item, 'interactive');
		const isButton = isPlainObject(interactive.button_reply);
		const chosen = objectAt(interactive, isButton ? 'button_reply' : 'list_reply');
		return { ...none, type: isButton ? 'button' : 'interactive', text: asString(chosen.title), button: receivedButton(chosen.id, chosen.title) };
	}
	if (word === 'location') {
		const place = objectAt(item, 'location');
		return { ...none, type: 'location', location: receivedLocation(place.latitude, place.longitude, place.name, place.address) };
	}
	const media = mediaType(word);
	if (media && word) {
		const file = objectAt(item, word);
		const caption = asString(file.caption);
		return { ...none, type: media, text: caption, media: receivedMedia({ id: file.id, mimeType: file.mime_type, caption }) };
	}
	return { ...none, type: 'other' };
}

/** The profile name of the contact who sent `from` (Meta lists the senders in `contacts`). */
function profileNameOf(value: JsonObject, from: string | null): string | null {
	const contacts = Array.isArray(value.contacts) ? value.contacts.filter(isPlainObject) : [];
	const sender = contacts.find((contact) => asString(contact.wa_id) === from) ?? (contacts.length === 1 ? contacts[0] : undefined);
	return sender ? asString(objectAt(sender, 'profile').name) : null;
}

/**
 * A customer's messages (`messages[]`), each with the contact's profile name and the business
 * number of its change. `from` is the customer's number in E.164, or the id Meta gives when it
 * gives no number.
 */
export function envelopeReceivedMessages(envelope: MetaEnvelope, provider: string, receivedAt: Date): ReceivedMessage[] {
	return changeValues(envelope).flatMap((value) => {
		const items = Array.isArray(value.messages) ? value.messages.filter(isPlainObject) : [];
		const to = toE164(objectAt(value, 'metadata').display_phone_number);
		return items.map((item) => {
			const messageId = asString(item.id);
			const sender = asString(item.from);
			return receivedMessage({
				provider,
				from: customerAddress(sender),
				to,
				messageId,
				timestamp: toIsoTimestamp(item.timestamp, receivedAt),
				...messageContent(item),
				replyTo: asString(objectAt(item, 'context').id),
				profileName: profileNameOf(value, sender),
				// The key the Other output used for the same message, so one message keeps one eventId.
				eventId: stableEventId(provider, 'message', messageId),
				raw: item,
			});
		});
	});
}
