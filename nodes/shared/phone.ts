/**
 * Phone numbers in E.164: a plus, a country code and the subscriber number,
 * 8 to 15 digits in all, no spaces or signs. Providers disagree on the
 * spelling (`+15551234567`, `15551234567`, `whatsapp:+15551234567`), so the
 * nodes take E.164 and each provider module spells it its own way.
 */

const E164 = /^\+[1-9]\d{7,14}$/;

export function isE164(phone: string): boolean {
	return E164.test(phone);
}

/** Digits only, as Gupshup wants its `destination` and `source`. */
export function e164Digits(phone: string): string {
	return phone.replace(/^\+/, '');
}

/**
 * Best-effort E.164 from what a callback carries (`whatsapp:+1…`, `91…`).
 * Returns null when there is no number to read.
 */
export function toE164(value: unknown): string | null {
	if (typeof value !== 'string' && typeof value !== 'number') return null;
	const digits = String(value)
		.replace(/^whatsapp:/, '')
		.replace(/[^\d]/g, '');
	return digits ? `+${digits}` : null;
}

/** A number as providers spell a customer's (`whatsapp:+1…`, `+1…`, `1…`): digits only, 8 to 15 of them. */
const PHONE_SPELLING = /^(?:whatsapp:)?\+?([1-9]\d{7,14})$/;

/**
 * Who sent a message: E.164 when the provider gives a phone number, else the provider's own id
 * for the customer as it is (Meta may give a user id instead of a number). Null when neither.
 */
export function customerAddress(value: unknown): string | null {
	if (typeof value !== 'string' || value === '') return null;
	const phone = PHONE_SPELLING.exec(value.trim());
	return phone ? `+${phone[1]}` : value;
}
