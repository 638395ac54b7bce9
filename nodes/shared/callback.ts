/** Small readers for webhook requests, shared by the provider modules. */

import { createHash, timingSafeEqual } from 'crypto';

export function header(
	headers: Record<string, string | string[] | undefined> | undefined,
	name: string,
): string | undefined {
	if (!headers) return undefined;
	const wanted = name.toLowerCase();
	for (const [key, value] of Object.entries(headers)) {
		if (key.toLowerCase() === wanted) return Array.isArray(value) ? value[0] : value;
	}
	return undefined;
}

/** Compares secrets in constant time, so a forger learns nothing from timing. */
export function secretsEqual(received: string | undefined, expected: string | undefined): boolean {
	if (!received || !expected) return false;
	// Hash both sides first: timingSafeEqual wants equal lengths, and hashing hides the length.
	const a = createHash('sha256').update(received).digest();
	const b = createHash('sha256').update(expected).digest();
	return timingSafeEqual(a, b);
}

/** Seconds (or milliseconds) since the epoch, or an ISO string, to ISO 8601; `fallback` for anything else. */
export function toIsoTimestamp(value: unknown, fallback: Date): string {
	let date: Date | undefined;
	if (typeof value === 'string' && value.trim() !== '' && Number.isNaN(Number(value))) {
		date = new Date(value);
	} else if ((typeof value === 'string' && value.trim() !== '') || typeof value === 'number') {
		const numeric = Number(value);
		// Anything before 2001-09 in milliseconds is a seconds value.
		if (Number.isFinite(numeric)) date = new Date(numeric > 1e12 ? numeric : numeric * 1000);
	}
	// Out of Date's range (an absurd number) is as unreadable as no time at all.
	return date && !Number.isNaN(date.getTime()) ? date.toISOString() : fallback.toISOString();
}

/** A short, stable id made of the parts that identify one provider event. */
export function stableEventId(provider: string, ...parts: Array<string | number | null | undefined>): string {
	const digest = createHash('sha1')
		.update(parts.map((part) => (typeof part === 'string' || typeof part === 'number' ? String(part) : '')).join('|'))
		.digest('hex')
		.slice(0, 20);
	return `${provider}:${digest}`;
}

export function asString(value: unknown): string | null {
	if (typeof value === 'string' && value !== '') return value;
	if (typeof value === 'number' && Number.isFinite(value)) return String(value);
	return null;
}

/** An error code as the provider sent it (number or string); null for anything else. */
export function asCode(value: unknown): string | number | null {
	if (typeof value === 'number' && Number.isFinite(value)) return value;
	return typeof value === 'string' && value !== '' ? value : null;
}
