'use strict';

/** Ids in the shapes the providers use, and phone-number spellings. */

const crypto = require('crypto');

/** Twilio resource ids: a two-letter prefix and 32 hex digits (SM…, XE…). */
function twilioSid(prefix) {
	return prefix + crypto.randomBytes(16).toString('hex');
}

function uuid() {
	return crypto.randomUUID();
}

/** A WhatsApp message id like Meta's: "wamid." and base64 (its real content is opaque too). */
function whatsAppMessageId() {
	return `wamid.${crypto.randomBytes(30).toString('base64')}`;
}

/** The same hex id every time for the same seed: a recipient keeps its user and conversation. */
function stableHex(seed, length = 24) {
	return crypto.createHash('sha1').update(seed).digest('hex').slice(0, length);
}

const E164 = /^\+[1-9]\d{7,14}$/;

function isE164(value) {
	return typeof value === 'string' && E164.test(value);
}

/** "+15551234567", "15551234567" or "whatsapp:+15551234567" → "+15551234567"; null when not a number. */
function toE164(value) {
	if (typeof value !== 'string') return null;
	const bare = value.replace(/^whatsapp:/, '').trim();
	const candidate = bare.startsWith('+') ? bare : `+${bare}`;
	return isE164(candidate) ? candidate : null;
}

module.exports = { isE164, stableHex, toE164, twilioSid, uuid, whatsAppMessageId };
