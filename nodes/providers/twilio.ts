/**
 * Twilio Programmable Messaging, WhatsApp channel.
 * Sends: form-encoded POST to /2010-04-01/Accounts/{sid}/Messages.json, Basic auth.
 * Callbacks: form-encoded POSTs signed with X-Twilio-Signature.
 * Automatic registration (Event Streams): twilioRegistration.ts.
 */

import { createHash, createHmac } from 'crypto';

import { apiBaseUrl } from '../shared/apiBaseUrl';
import { asCode, asString, header, secretsEqual, stableEventId, toIsoTimestamp } from '../shared/callback';
import { isPlainObject, type JsonObject, lookup } from '../shared/json';
import { deepMerge } from '../shared/override';
import { customerAddress, toE164 } from '../shared/phone';
import { countOf, receivedButton, receivedLocation, receivedMedia, receivedMessage } from '../shared/received';
import { quickReplyContent, quickReplyVariables } from './twilioContent';
import { TWILIO_DEFAULT_BASE_URL, serviceBaseUrl } from './twilioApi';
import { INBOUND_EVENT_TYPE, registration } from './twilioRegistration';
import {
	CallbackFormatError,
	type CallbackToVerify,
	type DeliveryStatus,
	type MessageToSend,
	type Provider,
	type ProviderSettings,
	type ReceivedMessage,
	type ReceivedType,
	type SendRequest,
	type StatusCallback,
	type StatusEvent,
	type TemplateListing,
} from '../shared/types';


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

/** A template's ContentSid and ContentVariables, a file's MediaUrl with its caption as Body, or the text as Body. */
function contentFields({ message, content, buttons, buttonContentSid }: MessageToSend): Record<string, unknown> {
	if (content?.type === 'template') {
		if (content.quickReplyPayloads?.length) {
			throw new Error(
				'Twilio takes a template’s quick-reply ids from the Content template itself: make the button ids variables (such as {{3}}) when creating the template, and give their values among the Template Variables',
			);
		}
		if (content.headerMediaUrl) {
			throw new Error(
				'Twilio takes a template’s header media from the Content template itself: leave Header Media URL empty, and when the template’s media URL holds a variable, give its value among the Template Variables',
			);
		}
		// An object here becomes the JSON string Twilio wants: {"1": "…", "2": "…"}.
		const variables = Object.fromEntries(content.variables.map((value, index) => [String(index + 1), value]));
		return { ContentSid: content.template, ...(content.variables.length > 0 ? { ContentVariables: variables } : {}) };
	}
	if (content?.type === 'media') {
		return { MediaUrl: content.url, ...(content.caption && content.mediaType !== 'audio' ? { Body: content.caption } : {}) };
	}
	if (buttons?.length) {
		if (!message.trim()) throw new Error('a message with reply buttons needs a Message: it is the text above the buttons');
		if (!buttonContentSid) throw new Error('reply buttons need the quick-reply Content, which was not made');
		return { ContentSid: buttonContentSid, ContentVariables: quickReplyVariables(message, buttons) };
	}
	// An empty Body would be sent as `Body=`.
	return message ? { Body: message } : {};
}

function buildSendRequest(toSend: MessageToSend): SendRequest {
	const { recipient, override, settings } = toSend;
	if (!settings.accountSid) throw new Error('the Twilio credential has no Account SID');
	const fields: Record<string, unknown> = { To: whatsAppAddress(recipient), ...contentFields(toSend) };
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

/** WhatsApp's verdict: in `approval_requests`, or under its `whatsapp` key (the shape of a template's own ApprovalRequests). */
function whatsAppApproval(content: Record<string, unknown>): string | undefined {
	const requests = isPlainObject(content.approval_requests) ? content.approval_requests : {};
	const verdict = isPlainObject(requests.whatsapp) ? requests.whatsapp : requests;
	return asString(verdict.status)?.toLowerCase();
}

const templateListing: TemplateListing = {
	// 1,000 is the most one page of the Content API holds.
	request: (settings) => ({ method: 'GET', url: `${serviceBaseUrl(settings, 'https://content.twilio.com')}/v1/ContentAndApprovals?PageSize=1000` }),
	readTemplates(responseBody) {
		if (!isPlainObject(responseBody) || !Array.isArray(responseBody.contents)) {
			throw new Error('the answer holds no "contents" list');
		}
		return responseBody.contents
			.filter(isPlainObject)
			.filter((content) => typeof content.sid === 'string' && whatsAppApproval(content) === 'approved')
			.map((content) => ({
				id: content.sid as string,
				name: asString(content.friendly_name) ?? (content.sid as string),
				language: asString(content.language),
				// `variables` holds a sample value for each of the template's variables.
				variableCount: isPlainObject(content.variables) ? Object.keys(content.variables).length : null,
				headerMedia: null,
			}));
	},
};

function readMessageId(responseBody: unknown): string | undefined {
	return (isPlainObject(responseBody) && asString(responseBody.sid)) || undefined;
}

function readError(responseBody: unknown, httpStatus: number) {
	if (isPlainObject(responseBody) && (responseBody.code !== undefined || responseBody.message)) {
		return {
			code: asCode(responseBody.code) ?? httpStatus,
			message: asString(responseBody.message) ?? `HTTP ${httpStatus}`,
		};
	}
	return { code: httpStatus, message: `Twilio answered HTTP ${httpStatus}` };
}

/** MessageStatus, or the older SmsStatus when only that one is there; undefined when neither is a string. */
function statusField(body: JsonObject): string | undefined {
	const status = body.MessageStatus ?? body.SmsStatus;
	return typeof status === 'string' ? status : undefined;
}

function isFormCallback(body: unknown): body is JsonObject {
	return isPlainObject(body) && typeof body.MessageSid === 'string' && statusField(body) !== undefined;
}

/** Event Streams' outbound message events: `com.twilio.messaging.message.delivered`, `.read`, … */
const MESSAGE_EVENT_TYPE = /^com\.twilio\.messaging\.message\.([a-z]+)$/;

const isInboundEvent = (event: JsonObject) => event.type === INBOUND_EVENT_TYPE;

/** Event Streams posts CloudEvents, a JSON array of them (or one alone): message status events and customer messages. */
function cloudEvents(body: unknown): JsonObject[] | undefined {
	const events = Array.isArray(body) ? body : [body];
	const isMessageEvent = (event: unknown) =>
		isPlainObject(event) &&
		typeof event.type === 'string' &&
		(MESSAGE_EVENT_TYPE.test(event.type) || isInboundEvent(event)) &&
		isPlainObject(event.data);
	return events.length > 0 && events.every(isMessageEvent) ? (events as JsonObject[]) : undefined;
}

function recognizes(body: unknown): boolean {
	return isFormCallback(body) || cloudEvents(body) !== undefined;
}

function statusError(errorCode: string | null, ...messages: unknown[]): StatusEvent['error'] {
	if (errorCode === null || errorCode === '0') return null;
	return {
		// Twilio's codes are numbers (sent as text in forms); anything else is kept as the text it is.
		code: Number.isSafeInteger(Number(errorCode)) ? Number(errorCode) : errorCode,
		message: messages.map(asString).find((message) => message !== null) ?? lookup(ERROR_TEXT, errorCode) ?? `Twilio error ${errorCode}`,
	};
}

/**
 * True when the message went over WhatsApp: Twilio writes its addresses `whatsapp:+…`. An Event
 * Streams subscription is account-wide, so an SMS's statuses arrive too; they go to Other, never
 * to Delivered, Seen or Discarded.
 */
function isWhatsApp(to: unknown, from: unknown): boolean {
	return [to, from].some((address) => typeof address === 'string' && address.toLowerCase().startsWith('whatsapp:'));
}

function statusOf(providerStatus: string, to: unknown, from: unknown): DeliveryStatus {
	return isWhatsApp(to, from) ? (lookup(STATUS, providerStatus) ?? 'other') : 'other';
}

/** One Event Streams event in the same words as a classic status callback: the same SM… messageId and eventId. */
function fromCloudEvent(event: JsonObject, receivedAt: Date): StatusEvent {
	const data = event.data as JsonObject;
	const messageId = asString(data.messageSid);
	if (!messageId) throw new CallbackFormatError('a Twilio Event Streams message event has no data.messageSid');
	const providerStatus = (asString(data.messageStatus) ?? MESSAGE_EVENT_TYPE.exec(event.type as string)?.[1] ?? '').toLowerCase();
	const errorCode = asString(data.errorCode);
	return {
		provider: 'twilio',
		status: statusOf(providerStatus, data.to, data.from),
		providerStatus,
		messageId,
		recipient: toE164(data.to),
		timestamp: toIsoTimestamp(data.timestamp ?? event.time, receivedAt),
		error: statusError(errorCode),
		eventId: stableEventId('twilio', messageId, providerStatus, errorCode),
		raw: event,
	};
}

function parseCallback({ body }: StatusCallback, receivedAt: Date): StatusEvent[] {
	const events = isFormCallback(body) ? undefined : cloudEvents(body);
	// A customer's message is no status: parseReceived reads it.
	if (events) return events.filter((event) => !isInboundEvent(event)).map((event) => fromCloudEvent(event, receivedAt));
	if (!isFormCallback(body)) {
		throw new CallbackFormatError('not a Twilio status callback: MessageSid and MessageStatus are missing');
	}
	const fields = body;
	// recognizes() checked both are strings.
	const providerStatus = (statusField(fields) as string).toLowerCase();
	const messageId = fields.MessageSid as string;
	const errorCode = asString(fields.ErrorCode);
	return [
		{
			provider: 'twilio',
			status: statusOf(providerStatus, fields.To, fields.From),
			providerStatus,
			messageId,
			recipient: toE164(fields.To),
			// Twilio's callbacks carry no time of their own: the time n8n received it is the best there is.
			timestamp: receivedAt.toISOString(),
			error: statusError(errorCode, fields.ChannelStatusMessage, fields.ErrorMessage),
			eventId: stableEventId('twilio', messageId, providerStatus, errorCode),
			raw: body,
		},
	];
}

/** Twilio's status word for a customer's message, in the inbound webhook's SmsStatus. */
const INBOUND_STATUS = 'received';

/** The kind of file a MIME type names, as a ReceivedType. */
function mediaKindOf(mimeType: string | null): ReceivedType {
	const kind = mimeType?.split('/')[0];
	return kind === 'image' || kind === 'video' || kind === 'audio' ? kind : 'document';
}

/** What an inbound webhook's fields say the message is: a button tap, a file, a location or a text. */
function formContent(fields: JsonObject): Pick<ReceivedMessage, 'type' | 'text' | 'button' | 'media' | 'location'> {
	const body = asString(fields.Body);
	const none = { text: body, button: null, media: null, location: null };
	const button = receivedButton(fields.ButtonPayload, fields.ButtonText);
	if (button) return { ...none, type: 'button', text: asString(fields.ButtonText) ?? body, button };
	if (countOf(fields.NumMedia) > 0) {
		const mimeType = asString(fields.MediaContentType0);
		return { ...none, type: mediaKindOf(mimeType), media: receivedMedia({ url: fields.MediaUrl0, mimeType, caption: body }) };
	}
	const location = receivedLocation(fields.Latitude, fields.Longitude, fields.Label, fields.Address);
	if (location) return { ...none, type: 'location', location };
	return { ...none, type: body !== null ? 'text' : 'other' };
}

/** The "a message comes in" webhook (form-encoded): WhatsApp's fields ProfileName, WaId, ButtonPayload, … */
function fromInboundForm(fields: JsonObject, receivedAt: Date): ReceivedMessage {
	const messageId = asString(fields.MessageSid);
	return receivedMessage({
		provider: 'twilio',
		from: customerAddress(fields.From),
		to: toE164(fields.To),
		messageId,
		// The webhook carries no time of its own.
		timestamp: receivedAt.toISOString(),
		...formContent(fields),
		replyTo: asString(fields.OriginalRepliedMessageSid),
		profileName: asString(fields.ProfileName),
		// The key the Other output used for the same message, so one message keeps one eventId.
		eventId: stableEventId('twilio', messageId, INBOUND_STATUS, null),
		raw: fields,
	});
}

/**
 * Event Streams' copy of a customer's message. Its documented data has the text and the number of
 * files, not the files themselves nor a tapped button's payload: those come with the inbound webhook.
 */
function fromInboundEvent(event: JsonObject, receivedAt: Date): ReceivedMessage {
	const data = event.data as JsonObject;
	const messageId = asString(data.messageSid);
	const body = asString(data.body);
	return receivedMessage({
		provider: 'twilio',
		from: customerAddress(data.from),
		to: toE164(data.to),
		messageId,
		timestamp: toIsoTimestamp(data.timestamp ?? event.time, receivedAt),
		type: body !== null && countOf(data.numMedia) === 0 ? 'text' : 'other',
		text: body,
		eventId: stableEventId('twilio', messageId, INBOUND_STATUS, null),
		raw: event,
	});
}

/** The "a message comes in" webhook: a form whose status is `received`. */
function isInboundForm(body: unknown): body is JsonObject {
	return isFormCallback(body) && (statusField(body) as string).toLowerCase() === INBOUND_STATUS;
}

function parseReceived({ body }: StatusCallback, receivedAt: Date): ReceivedMessage[] {
	if (isFormCallback(body)) return isInboundForm(body) ? [fromInboundForm(body, receivedAt)] : [];
	const events = cloudEvents(body) ?? [];
	return events.filter(isInboundEvent).map((event) => fromInboundEvent(event, receivedAt));
}

/** A form field as Twilio sends it: one value, or several for a repeated field. */
type FormValue = string | string[];

function isFormValue(value: unknown): value is FormValue {
	return typeof value === 'string' || (Array.isArray(value) && value.every((each) => typeof each === 'string'));
}

/** Twilio signs the URL followed by each POST field, keys sorted, as key + value. */
export function twilioSignature(authToken: string, url: string, params: Record<string, FormValue>): string {
	let data = url;
	for (const key of Object.keys(params).sort()) {
		const value = params[key];
		// Repeated fields: Twilio signs each distinct value once, in sorted order.
		const values = Array.isArray(value) ? [...new Set(value)].sort() : [value];
		for (const each of values) data += key + each;
	}
	return createHmac('sha1', authToken).update(Buffer.from(data, 'utf-8')).digest('base64');
}

/** The body as Twilio's form fields, or undefined when it holds anything a form cannot (a JSON object's objects, numbers, …). */
function formFields(body: unknown): Record<string, FormValue> | undefined {
	if (!isPlainObject(body)) return undefined;
	return Object.values(body).every(isFormValue) ? (body as Record<string, FormValue>) : undefined;
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
	const bodyHash = callback.query?.bodySHA256;
	// Form fields are signed one by one; a body with anything else in it cannot carry a valid signature.
	const fields = bodyHash === undefined ? formFields(callback.body) : {};
	if (fields === undefined || (bodyHash !== undefined && typeof bodyHash !== 'string')) return false;
	for (const url of callback.urls.flatMap(urlVariants)) {
		if (!secretsEqual(signature, twilioSignature(authToken, url, fields))) continue;
		if (typeof bodyHash !== 'string') return true;
		// A JSON body is signed over the URL alone; the URL then pins the body's hash.
		const raw = callback.rawBody;
		if (raw === undefined) return false;
		return secretsEqual(createHash('sha256').update(raw).digest('hex'), bodyHash.toLowerCase());
	}
	return false;
}

export const twilio: Provider<'twilio'> = {
	name: 'twilio',
	displayName: 'Twilio',
	credentialType: 'twilioWhatsAppApi',
	setupNotice:
		'Copy the Production URL above (Webhook URLs). In Twilio, paste it as the Status Callback URL of your WhatsApp sender or Messaging Service (Messaging, Senders, WhatsApp senders; or Messaging Services, Integration), or send it per message as StatusCallback in the override. For customers’ messages (the Received output), paste the same URL as the sender’s or Messaging Service’s “A message comes in” webhook (HTTP POST). Callbacks are checked with the credential’s Auth Token against that exact URL (the one n8n publishes, or the Public URL option behind a proxy); without an Auth Token every callback gets 401.',
	templateReference: 'the Content SID (HX…)',
	documentFileName: false,
	templateHeaderMedia: false,
	configurableSettings: {
		fromNumber: /^(whatsapp:)?\+[1-9]\d{7,14}$/,
		messagingServiceSid: /^MG[0-9a-fA-F]{32}$/,
	},
	recipientFields: [['To']],
	exclusiveSettings: [['fromNumber', 'messagingServiceSid']],
	buildSendRequest,
	templatesByLanguage: false,
	templateListing,
	readMessageId,
	readError,
	recognizes,
	parseCallback,
	parseReceived,
	isCustomerMessage: (event) => event.providerStatus === INBOUND_STATUS,
	verifyCallback,
	canVerify: (settings) => Boolean(settings.authToken),
	// With Event Streams registered, a classic Status Callback to the same URL repeats its statuses.
	// A customer's message by the inbound webhook carries what Event Streams' copy lacks (button ids, files): kept.
	alsoArrivesThroughRegistration: (body) => isFormCallback(body) && !isInboundForm(body),
	registration,
	buttonContent: quickReplyContent((settings) => serviceBaseUrl(settings, 'https://content.twilio.com')),
	waitKeySettings: ['accountSid', 'authToken'],
};
