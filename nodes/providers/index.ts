/** The provider registry and the one function that turns any status callback into StatusEvents. */

import { isPlainObject } from '../shared/override';
import {
	CallbackFormatError,
	type Provider,
	type ProviderName,
	type StatusCallback,
	type StatusEvent,
} from '../shared/types';
import { gupshup } from './gupshup';
import { smooch } from './smooch';
import { twilio } from './twilio';

export const PROVIDERS: Record<ProviderName, Provider> = { smooch, gupshup, twilio };

export function getProvider(name: string): Provider {
	const provider = PROVIDERS[name as ProviderName];
	if (!provider) {
		throw new Error(`unknown provider "${name}"; use one of ${Object.keys(PROVIDERS).join(', ')}`);
	}
	return provider;
}

/** Which provider sent this body, from its shape alone. */
export function detectProvider(body: unknown): Provider {
	const provider = Object.values(PROVIDERS).find((candidate) => candidate.recognizes(body));
	if (!provider) throw new CallbackFormatError('the body is not a Smooch, Gupshup or Twilio status callback');
	return provider;
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

export function normalizeStatusCallback(options: NormalizeOptions): StatusEvent[] {
	const body = readBody(options.body);
	if (!isPlainObject(body)) throw new CallbackFormatError('the body is not a JSON object or form');
	const provider = options.provider === 'auto' ? detectProvider(body) : getProvider(options.provider);
	return provider.parseCallback(
		{ body, headers: options.headers, query: options.query },
		options.receivedAt ?? new Date(),
	);
}

export { CallbackFormatError };
export type { StatusEvent };
