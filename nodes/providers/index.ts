/** The provider registry and the one function that turns any status callback into StatusEvents. */

import { hasOwn, isPlainObject } from '../shared/json';
import {
	CallbackFormatError,
	type Provider,
	type ReceivedMessage,
	type StatusCallback,
	type StatusEvent,
} from '../shared/types';
import { gupshup } from './gupshup';
import { meta } from './meta';
import { smooch } from './smooch';
import { twilio } from './twilio';

/**
 * The one list of providers, in the order the nodes offer them. Everything that names the
 * providers (the nodes' choices and credentials, the setup notices, ProviderName) comes from it.
 */
const REGISTRY = [smooch, gupshup, twilio, meta] as const;

export type ProviderName = (typeof REGISTRY)[number]['name'];

export const PROVIDERS = Object.freeze(
	Object.fromEntries(REGISTRY.map((provider) => [provider.name, provider])) as Record<ProviderName, Provider<ProviderName>>,
);

/** The providers' display names as a sentence: "Smooch …, Twilio or Meta WhatsApp Cloud API". */
export function providerNamesInWords(): string {
	const names = REGISTRY.map((provider) => provider.displayName);
	return `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;
}

export function getProvider(name: string): Provider<ProviderName> {
	if (!hasOwn(PROVIDERS, name)) {
		throw new Error(`unknown provider "${name}"; use one of ${Object.keys(PROVIDERS).join(', ')}`);
	}
	return PROVIDERS[name as ProviderName];
}

/**
 * Which provider sent this body, from its content alone. Formats are told apart by what they
 * carry (Gupshup v3 is Meta's envelope plus Gupshup's ids), never by the order of the list:
 * a body two providers claim is refused rather than guessed.
 */
export function detectProvider(body: unknown): Provider<ProviderName> {
	return detectProviderAmong(REGISTRY, body);
}

/**
 * detectProvider over a given list. A relay's claim outranks the claim of the provider it
 * relays: its markers say who sent the body, and the relayed format alone says nothing more.
 */
export function detectProviderAmong<P extends Provider>(candidates: readonly P[], body: unknown): P {
	const claimants = candidates.filter((candidate) => candidate.recognizes(body));
	const relayed = new Set(claimants.map((claimant) => claimant.relays));
	const senders = claimants.filter((claimant) => !relayed.has(claimant.name));
	if (senders.length === 0) {
		throw new CallbackFormatError(`the body is not a status callback of ${providerNamesInWords()}`);
	}
	if (senders.length > 1) {
		throw new CallbackFormatError(`the body could be from ${senders.map((each) => each.displayName).join(' or ')}: name the provider`);
	}
	return senders[0];
}

/** Accepts a raw string or Buffer too, so programs outside n8n need not parse first. */
function readBody(body: unknown): unknown {
	const text = Buffer.isBuffer(body) ? body.toString('utf-8') : body;
	if (typeof text !== 'string') return text;
	const trimmed = text.trim();
	if (trimmed.startsWith('{') || trimmed.startsWith('[')) return parseJsonOrUndefined(trimmed);
	return Object.fromEntries(new URLSearchParams(trimmed));
}

function parseJsonOrUndefined(text: string): unknown {
	try {
		return JSON.parse(text);
	} catch {
		// Unreadable JSON is reported by the caller as "not a JSON object or form".
		return undefined;
	}
}

export interface NormalizeOptions extends StatusCallback {
	provider: ProviderName | 'auto';
	/** When the callback reached you; used where the provider sends no time of its own. */
	receivedAt?: Date;
}

/** The body read, and the provider it is from. */
function readCallback(options: NormalizeOptions): { provider: Provider<ProviderName>; callback: StatusCallback } {
	const body = readBody(options.body);
	// An array is a batch (Twilio Event Streams posts its CloudEvents as one).
	if (!isPlainObject(body) && !Array.isArray(body)) throw new CallbackFormatError('the body is not a JSON object or form');
	const provider = options.provider === 'auto' ? detectProvider(body) : getProvider(options.provider);
	return { provider, callback: { body, headers: options.headers, query: options.query } };
}

/** The status events of a callback; a customer's message is an `other` event here, as it always was. */
export function normalizeStatusCallback(options: NormalizeOptions): StatusEvent[] {
	const { provider, callback } = readCallback(options);
	return provider.parseCallback(callback, options.receivedAt ?? new Date());
}

/** A callback's status events and, apart from them, the customer messages it carries. */
export interface NormalizedCallback {
	statuses: StatusEvent[];
	received: ReceivedMessage[];
}

/** The status events and the customer messages of a callback, each message once: in `received`, not among the statuses. */
export function normalizeCallback(options: NormalizeOptions): NormalizedCallback {
	const { provider, callback } = readCallback(options);
	const receivedAt = options.receivedAt ?? new Date();
	return {
		statuses: provider.parseCallback(callback, receivedAt).filter((event) => !provider.isCustomerMessage(event)),
		received: provider.parseReceived(callback, receivedAt),
	};
}

export { CallbackFormatError };
export type { ReceivedMessage, StatusEvent };
