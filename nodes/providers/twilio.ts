/**
 * Twilio Programmable Messaging, WhatsApp channel.
 * Sends: form-encoded POST to /2010-04-01/Accounts/{sid}/Messages.json, Basic auth.
 * Callbacks: form-encoded POSTs signed with X-Twilio-Signature.
 */

import { createHash, createHmac } from 'crypto';

import { apiBaseUrl } from '../shared/apiBaseUrl';
import { asString, header, secretsEqual, stableEventId } from '../shared/callback';
import { deepMerge, isPlainObject } from '../shared/override';
import { toE164 } from '../shared/phone';
import {
	CallbackFormatError,
	type CallbackToVerify,
	type DeliveryStatus,
	type MessageToSend,
	type Provider,
	type ProviderSettings,
	type SendRequest,
	type StatusCallback,
	type StatusEvent,
} from '../shared/types';

const TWILIO_DEFAULT_BASE_URL = 'https://api.twilio.com';

const STATUS: Record<string, DeliveryStatus> = {
	queued: 'sent',
	accepted: 'sent',
	scheduled: 'sent',
	sending: 'sent',
	sent: 'sent',
	delivered: 'delivered',
	read: 'seen',
	failed: 'discarded',
	undelivered: 'discarded',
	canceled: 'discarded',
};

/** Twilio's words for the WhatsApp errors a workflow meets most; the rest keep Twilio's code. */
const ERROR_TEXT: Record<string, string> = {
	'30003': 'Unreachable destination handset',
	'30005': 'Unknown destination handset',
	'30008': 'Unknown error',
	'63003': 'Channel could not find the To address',
	'63016': 'Outside the 24-hour window: send a template (ContentSid) instead of free-form text',
	'63018': 'Rate limit exceeded for the WhatsApp channel',
	'63024': 'Invalid message recipient',
	'63032': 'The recipient is part of an experiment and cannot receive marketing messages',
	'63049': 'Meta chose not to deliver this marketing message',
};

/** WhatsApp addresses in Twilio carry a channel prefix. */
function whatsAppAddress(phone: string): string {
	return phone.startsWith('whatsapp:') ? phone : `whatsapp:${phone}`;
}

function buildSendRequest({ recipient, message, override, settings }: MessageToSend): SendRequest {
	if (!settings.accountSid) throw new Error('the Twilio credential has no Account SID');
	// An empty Body would be sent as `Body=`; templates (ContentSid) and media need none.
	const fields: Record<string, unknown> = { To: whatsAppAddress(recipient), ...(message ? { Body: message } : {}) };
	if (settings.messagingServiceSid) {
		fields.MessagingServiceSid = settings.messagingServiceSid;
	} else if (settings.fromNumber) {
		fields.From = whatsAppAddress(settings.fromNumber);
	} else {
		throw new Error('the Twilio credential needs a From Number or a Messaging Service SID');
	}
	return {
		method: 'POST',
		url: `${apiBaseUrl(settings.baseUrl, TWILIO_DEFAULT_BASE_URL)}/2010-04-01/Accounts/${encodeURIComponent(settings.accountSid)}/Messages.json`,
		body: deepMerge(fields, override),
		encoding: 'form',
	};
}

function readMessageId(responseBody: unknown): string | undefined {
	return (isPlainObject(responseBody) && asString(responseBody.sid)) || undefined;
}

function readError(responseBody: unknown, httpStatus: number) {
	if (isPlainObject(responseBody) && (responseBody.code !== undefined || responseBody.message)) {
		return {
			code: (responseBody.code as number | string | undefined) ?? httpStatus,
			message: asString(responseBody.message) ?? `HTTP ${httpStatus}`,
		};
	}
	return { code: httpStatus, message: `Twilio answered HTTP ${httpStatus}` };
}

function recognizes(body: unknown): boolean {
	return isPlainObject(body) && typeof body.MessageSid === 'string' && (typeof body.MessageStatus === 'string' || typeof body.SmsStatus === 'string');
}

function parseCallback({ body }: StatusCallback, receivedAt: Date): StatusEvent[] {
	if (!recognizes(body)) {
		throw new CallbackFormatError('not a Twilio status callback: MessageSid and MessageStatus are missing');
	}
	const fields = body as Record<string, unknown>;
	const providerStatus = String(fields.MessageStatus ?? fields.SmsStatus).toLowerCase();
	const messageId = String(fields.MessageSid);
	const errorCode = asString(fields.ErrorCode);
	const hasError = errorCode !== null && errorCode !== '0';
	return [
		{
			provider: 'twilio',
			status: STATUS[providerStatus] ?? 'other',
			providerStatus,
			messageId,
			recipient: toE164(fields.To),
			// Twilio's callbacks carry no time of their own: the time n8n received it is the best there is.
			timestamp: receivedAt.toISOString(),
			error: hasError
				? {
						code: Number.isNaN(Number(errorCode)) ? errorCode : Number(errorCode),
						message:
							asString(fields.ChannelStatusMessage) ??
							asString(fields.ErrorMessage) ??
							ERROR_TEXT[errorCode] ??
							`Twilio error ${errorCode}`,
					}
				: null,
			eventId: stableEventId('twilio', messageId, providerStatus, errorCode),
			raw: body,
		},
	];
}

/** Twilio signs the URL followed by each POST field, keys sorted, as key + value. */
export function twilioSignature(authToken: string, url: string, params: Record<string, unknown>): string {
	let data = url;
	for (const key of Object.keys(params).sort()) {
		const value = params[key];
		// Repeated fields: Twilio signs each distinct value once, in sorted order.
		const values = Array.isArray(value) ? [...new Set(value.map(String))].sort() : [String(value ?? '')];
		for (const each of values) data += key + each;
	}
	return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

/** Twilio's own validator accepts the URL with and without the scheme's default port. */
function urlVariants(url: string): string[] {
	// Plain string work: WHATWG URL drops a default port, which is exactly what must be told apart here.
	const match = /^(https?):\/\/([^/?#:]+)(:\d+)?(.*)$/i.exec(url);
	if (!match) return [url];
	const [, scheme, host, port, rest] = match;
	const defaultPort = scheme.toLowerCase() === 'https' ? ':443' : ':80';
	if (port === undefined) return [url, `${scheme}://${host}${defaultPort}${rest}`];
	if (port === defaultPort) return [url, `${scheme}://${host}${rest}`];
	return [url];
}

function verifyCallback(callback: CallbackToVerify, settings: ProviderSettings): boolean {
	const signature = header(callback.headers, 'x-twilio-signature');
	const authToken = settings.authToken;
	if (!signature || !authToken) return false;
	const bodyHash = asString(callback.query?.bodySHA256);
	for (const url of callback.urls.flatMap(urlVariants)) {
		if (bodyHash !== null) {
			// A JSON body is signed over the URL alone; the URL then pins the body's hash.
			if (!secretsEqual(signature, twilioSignature(authToken, url, {}))) continue;
			const raw = callback.rawBody ?? '';
			const actual = createHash('sha256').update(raw).digest('hex');
			if (secretsEqual(actual, bodyHash)) return true;
		} else if (
			isPlainObject(callback.body) &&
			secretsEqual(signature, twilioSignature(authToken, url, callback.body))
		) {
			return true;
		}
	}
	return false;
}

export const twilio: Provider = {
	name: 'twilio',
	displayName: 'Twilio',
	credentialType: 'twilioWhatsAppApi',
	configurableSettings: ['fromNumber', 'messagingServiceSid'],
	exclusiveSettings: [['fromNumber', 'messagingServiceSid']],
	buildSendRequest,
	readMessageId,
	readError,
	recognizes,
	parseCallback,
	verifyCallback,
	// The auth token is required, so Twilio callbacks are always checked.
	canVerify: (settings) => Boolean(settings.authToken),
};
