/**
 * Building ReceivedMessages: what every provider's reader shares. The readers say what the
 * provider sent; this fills what they leave out, so every item has every field.
 */

import { asString } from './callback';
import { isPlainObject, type JsonObject } from './json';
import type { ReceivedButton, ReceivedLocation, ReceivedMedia, ReceivedMessage, ReceivedType } from './types';

/** The fields a reader knows; the rest are null. */
export type ReceivedFields = Pick<ReceivedMessage, 'provider' | 'messageId' | 'timestamp' | 'type' | 'eventId' | 'raw'> &
	Partial<Omit<ReceivedMessage, 'kind'>>;

export function receivedMessage(fields: ReceivedFields): ReceivedMessage {
	return {
		provider: fields.provider,
		kind: 'received',
		from: fields.from ?? null,
		to: fields.to ?? null,
		messageId: fields.messageId,
		timestamp: fields.timestamp,
		type: fields.type,
		text: fields.text ?? null,
		button: fields.button ?? null,
		media: fields.media ?? null,
		location: fields.location ?? null,
		replyTo: fields.replyTo ?? null,
		profileName: fields.profileName ?? null,
		eventId: fields.eventId,
		raw: fields.raw,
	};
}

/** The media kinds WhatsApp has, under the name each has in ReceivedType. */
const MEDIA_TYPES: ReadonlySet<string> = new Set(['image', 'video', 'audio', 'document', 'sticker']);

/** A provider's word for a media message, as a ReceivedType (Gupshup and Smooch say `file` for a document); undefined when not media. */
export function mediaType(word: unknown): ReceivedType | undefined {
	if (word === 'file') return 'document';
	return typeof word === 'string' && MEDIA_TYPES.has(word) ? (word as ReceivedType) : undefined;
}

/** A button only when it has an id: a tap without one is nothing to match on. */
export function receivedButton(id: unknown, title: unknown): ReceivedButton | null {
	const buttonId = asString(id);
	return buttonId === null ? null : { id: buttonId, title: asString(title) };
}

export function receivedMedia(fields: { id?: unknown; url?: unknown; mimeType?: unknown; caption?: unknown }): ReceivedMedia {
	const id = asString(fields.id);
	const url = asString(fields.url);
	return {
		...(id !== null ? { id } : {}),
		...(url !== null ? { url } : {}),
		mimeType: asString(fields.mimeType),
		caption: asString(fields.caption),
	};
}

/** A location from latitude and longitude as numbers or numeric text; null when either is not a finite number. */
export function receivedLocation(latitude: unknown, longitude: unknown, name?: unknown, address?: unknown): ReceivedLocation | null {
	const lat = typeof latitude === 'string' && latitude.trim() !== '' ? Number(latitude) : latitude;
	const long = typeof longitude === 'string' && longitude.trim() !== '' ? Number(longitude) : longitude;
	if (typeof lat !== 'number' || typeof long !== 'number' || !Number.isFinite(lat) || !Number.isFinite(long)) return null;
	return { latitude: lat, longitude: long, name: asString(name), address: asString(address) };
}

/** A count sent as a number or as numeric text (Twilio's NumMedia); 0 for anything else, which a hostile object must not turn into a call. */
export function countOf(value: unknown): number {
	const count = typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : 0;
	return Number.isFinite(count) && count > 0 ? count : 0;
}

/** `object[key]` when it is an object, else an empty one: callbacks come from anyone. */
export function objectAt(object: JsonObject, key: string): JsonObject {
	const value = object[key];
	return isPlainObject(value) ? value : {};
}
