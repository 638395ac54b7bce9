/**
 * Gupshup WhatsApp API.
 * Sends: form-encoded POST to /wa/api/v1/msg (templates: /wa/api/v1/template/msg), header `apikey`.
 * Callbacks: v2 `message-event` and v3 (Meta's envelope with `gs_id`). Gupshup signs
 * nothing, so a shared token in a header or the URL's query is the protection.
 * Automatic registration (the app's subscriptions): gupshupRegistration.ts.
 */

import { apiBaseUrl } from '../shared/apiBaseUrl';
import { asCode, asString, header, secretsEqual, stableEventId, toIsoTimestamp } from '../shared/callback';
import { isPlainObject, type JsonObject, lookup } from '../shared/json';
import {
	changeValues,
	envelopeReceivedMessages,
	envelopeStatusEvents,
	type EnvelopeReading,
	isMetaEnvelope,
	type MetaEnvelope,
} from '../shared/metaEnvelope';
import { deepMerge } from '../shared/override';
import { countTemplateVariables, fileNameOf, headerMediaParameter } from '../shared/messageContent';
import { customerAddress, e164Digits, toE164 } from '../shared/phone';
import { mediaType, objectAt, receivedButton, receivedLocation, receivedMedia, receivedMessage } from '../shared/received';
import {
	CallbackFormatError,
	type CallbackToVerify,
	type DeliveryStatus,
	type MediaContent,
	type MessageContent,
	type MessageToSend,
	type Provider,
	type ProviderSettings,
	type ReceivedMessage,
	type ReplyButton,
	type SendRequest,
	type StatusCallback,
	type StatusEvent,
	type TemplateListing,
	type TemplateSummary,
} from '../shared/types';
import { GUPSHUP_DEFAULT_BASE_URL } from './gupshupApi';
import { registration } from './gupshupRegistration';


/** Where the trigger looks for the shared token. */
const GUPSHUP_TOKEN_HEADER = 'x-webhook-token';
const GUPSHUP_TOKEN_QUERY = 'token';

const STATUS: Record<string, DeliveryStatus> = {
	enqueued: 'sent',
	sent: 'sent',
	delivered: 'delivered',
	read: 'seen',
	failed: 'discarded',
};

/** A media message: each kind has its own URL fields, and audio no caption. */
function mediaMessage({ mediaType, url, fileName, caption }: MediaContent): JsonObject {
	const captioned = caption ? { caption } : {};
	switch (mediaType) {
		case 'image':
			return { type: 'image', originalUrl: url, previewUrl: url, ...captioned };
		case 'video':
			return { type: 'video', url, ...captioned };
		case 'audio':
			return { type: 'audio', url };
		case 'document':
			return { type: 'file', url, filename: fileName || fileNameOf(url), ...captioned };
	}
}

/** A text with reply buttons is Gupshup's `quick_reply` message: each option's `postbackText` comes back on a tap. */
function quickReplyMessage(message: string, buttons: readonly ReplyButton[]): JsonObject {
	if (!message.trim()) throw new Error('a message with reply buttons needs a Message: it is the text above the buttons');
	return {
		type: 'quick_reply',
		content: { type: 'text', text: message },
		options: buttons.map(({ id, title }) => ({ title, postbackText: id })),
	};
}

function contentFields(message: string, content: MessageContent | undefined, buttons: readonly ReplyButton[] | undefined): JsonObject {
	if (content?.type === 'template') {
		const payloads = content.quickReplyPayloads ?? [];
		return {
			template: { id: content.template, params: content.variables },
			// A header image, document or video goes in `message`, in WhatsApp's own spelling.
			...(content.headerMediaUrl ? { message: headerMediaParameter(content.headerMediaUrl) } : {}),
			// The template's quick-reply buttons, by their index: the JSON string `[{"index": 0, "text": "<payload>"}]`
			// (an array here would become repeated form fields).
			...(payloads.length > 0 ? { postbackTexts: JSON.stringify(payloads.map((text, index) => ({ index, text }))) } : {}),
		};
	}
	if (content?.type === 'media') return { message: mediaMessage(content) };
	if (buttons?.length) return { message: quickReplyMessage(message, buttons) };
	return { message: { type: 'text', text: message } };
}

function buildSendRequest({ recipient, message, content, buttons, override, settings }: MessageToSend): SendRequest {
	if (!settings.sourceNumber) throw new Error('the Gupshup credential has no Source Number');
	if (!settings.appName) throw new Error('the Gupshup credential has no App Name');
	const fields: JsonObject = {
		channel: 'whatsapp',
		source: e164Digits(settings.sourceNumber),
		destination: e164Digits(recipient),
		'src.name': settings.appName,
		...contentFields(message, content, buttons),
	};
	const body = deepMerge(fields, override);
	// A template goes to its own endpoint. When the override made the template, the text message
	// goes too, unless the override set one (a media header).
	const isTemplate = body.template !== undefined;
	if (isTemplate && content?.type !== 'template' && override.message === undefined) delete body.message;
	return {
		method: 'POST',
		url: `${apiBaseUrl(settings.baseUrl, GUPSHUP_DEFAULT_BASE_URL)}/wa/api/v1/${isTemplate ? 'template/msg' : 'msg'}`,
		body,
		encoding: 'form',
	};
}

/** The header media a Gupshup `templateType` stands for. */
function headerMediaOf(templateType: unknown): TemplateSummary['headerMedia'] {
	if (templateType === 'IMAGE') return 'image';
	if (templateType === 'VIDEO') return 'video';
	return templateType === 'DOCUMENT' ? 'document' : null;
}

/** The app's templates, through the same API key that sends (`GET /sm/api/v1/template/list/{app name}`). */
const templateListing: TemplateListing = {
	request: (settings) => ({
		method: 'GET',
		url: `${apiBaseUrl(settings.baseUrl, GUPSHUP_DEFAULT_BASE_URL)}/sm/api/v1/template/list/${encodeURIComponent(settings.appName ?? '')}`,
	}),
	readTemplates(responseBody) {
		if (!isPlainObject(responseBody) || !Array.isArray(responseBody.templates)) {
			throw new Error('the answer holds no "templates" list');
		}
		return responseBody.templates
			.filter(isPlainObject)
			.filter((template) => typeof template.id === 'string' && template.status === 'APPROVED')
			.map((template) => ({
				id: template.id as string,
				name: asString(template.elementName) ?? (template.id as string),
				language: asString(template.languageCode),
				// `data` is the template's text; `params` fill its {{n}} in order.
				variableCount: typeof template.data === 'string' ? countTemplateVariables(template.data) : null,
				headerMedia: headerMediaOf(template.templateType),
			}));
	},
};

function readMessageId(responseBody: unknown): string | undefined {
	if (!isPlainObject(responseBody) || responseBody.status === 'error') return undefined;
	return asString(responseBody.messageId) ?? undefined;
}

function readError(responseBody: unknown, httpStatus: number) {
	if (isPlainObject(responseBody)) {
		const message = responseBody.message;
		return {
			code: asString(responseBody.code) ?? httpStatus,
			message:
				asString(message) ??
				(isPlainObject(message) ? JSON.stringify(message) : null) ??
				(httpStatus < 300 ? 'Gupshup returned no messageId' : `Gupshup answered HTTP ${httpStatus}`),
		};
	}
	return { code: httpStatus, message: `Gupshup answered HTTP ${httpStatus}` };
}

/**
 * Gupshup's own code for throttling: 4001 "API Rate Limited" in its error-code list
 * (docs.gupshup.io, Error Codes), a refusal with no message id, so nothing was sent. Gupshup
 * documents its answer to a send beyond the limit as HTTP 429 `{"status":"error","message":"Too Many Requests"}`
 * (read as a 429 anyway); this catches the code when it comes in a send's answer instead.
 */
const GUPSHUP_RATE_LIMITED = 4001;

function isThrottled(_statusCode: number, responseBody: unknown): boolean {
	return isPlainObject(responseBody) && responseBody.status === 'error' && Number(responseBody.code) === GUPSHUP_RATE_LIMITED;
}

function isV2(body: unknown): body is JsonObject {
	return isPlainObject(body) && typeof body.type === 'string' && 'payload' in body && 'app' in body;
}

/**
 * Gupshup v3 relays Meta's envelope with ids of its own: `gs_app_id` on the body and `gs_id` on
 * each status. Meta's own callbacks carry neither.
 */
function carriesGupshupIds(envelope: MetaEnvelope): boolean {
	if (asString(envelope.gs_app_id) !== null) return true;
	// Auto-detection asks this of every Meta callback: walk the statuses without building lists.
	for (const value of changeValues(envelope)) {
		const statuses = value.statuses;
		if (!Array.isArray(statuses)) continue;
		for (const item of statuses) if (isPlainObject(item) && asString(item.gs_id) !== null) return true;
	}
	return false;
}

/** Gupshup v3 is Meta's envelope carrying Gupshup's ids. */
function isV3(body: unknown): body is MetaEnvelope {
	return isMetaEnvelope(body) && carriesGupshupIds(body);
}

function recognizes(body: unknown): boolean {
	return isV2(body) || isV3(body);
}

function fromV2(body: JsonObject, receivedAt: Date): StatusEvent[] {
	// Inbound messages, user and billing events share the endpoint: acknowledged, not statuses.
	if (body.type !== 'message-event') return [];
	const event = isPlainObject(body.payload) ? body.payload : {};
	const detail = isPlainObject(event.payload) ? event.payload : {};
	const providerStatus = asString(event.type) ?? '';
	const status = lookup(STATUS, providerStatus) ?? 'other';
	// `id` is the WhatsApp id once sent; `gsId` is the id the send returned (absent on very late events).
	const messageId = asString(event.gsId) ?? asString(event.id);
	return [
		{
			provider: 'gupshup',
			status,
			providerStatus,
			messageId,
			recipient: toE164(event.destination),
			timestamp: toIsoTimestamp(detail.ts ?? body.timestamp, receivedAt),
			error:
				status === 'discarded' || detail.code !== undefined
					? {
							code: asCode(detail.code),
							message: asString(detail.reason) ?? 'delivery failed',
						}
					: null,
			eventId: stableEventId('gupshup', asString(event.id), asString(event.gsId), providerStatus, asString(body.timestamp)),
			raw: body,
		},
	];
}

/** Gupshup v3 is Meta's envelope with Gupshup's own ids added: `gs_id` is what the send returned. */
const V3_READING: EnvelopeReading = {
	provider: 'gupshup',
	statusWords: STATUS,
	messageIdOf: (item) => asString(item.gs_id) ?? asString(item.id),
	eventKeyOf: (item) => [asString(item.id), asString(item.gs_id), asString(item.status) ?? '', asString(item.timestamp)],
};

function parseCallback({ body }: StatusCallback, receivedAt: Date): StatusEvent[] {
	if (isV2(body)) return fromV2(body, receivedAt);
	if (isMetaEnvelope(body)) return envelopeStatusEvents(body, V3_READING, receivedAt);
	throw new CallbackFormatError('not a Gupshup callback: neither a v2 event (type, payload) nor a v3 envelope');
}

/** What a v2 message's inner payload says: a button or list choice, a template's quick reply, a file, a location or a text. */
function messageContent(word: string | null, content: JsonObject): Pick<ReceivedMessage, 'type' | 'text' | 'button' | 'media' | 'location'> {
	const none = { text: null, button: null, media: null, location: null };
	if (word === 'text') return { ...none, type: 'text', text: asString(content.text) };
	if (word === 'button_reply' || word === 'list_reply') {
		// The id the business gave the button or row, else the postback text it set.
		const button = receivedButton(asString(content.id) ?? content.postbackText, content.title);
		return { ...none, type: word === 'button_reply' ? 'button' : 'interactive', text: asString(content.title), button };
	}
	if (word === 'quick_reply') {
		// A template's quick reply: the postback text set when sending, else the label.
		const button = receivedButton(asString(content.postbackText) ?? content.text, content.text);
		return { ...none, type: 'button', text: asString(content.text), button };
	}
	if (word === 'location') {
		return { ...none, type: 'location', location: receivedLocation(content.latitude, content.longitude, content.name, content.address) };
	}
	const kind = mediaType(word);
	if (kind) {
		const caption = asString(content.caption);
		return { ...none, type: kind, text: caption, media: receivedMedia({ url: content.url, mimeType: content.contentType, caption }) };
	}
	return { ...none, type: 'other' };
}

/** A v2 `type: "message"` callback: one customer message. */
function receivedFromV2(body: JsonObject, receivedAt: Date): ReceivedMessage[] {
	if (body.type !== 'message') return [];
	const message = objectAt(body, 'payload');
	const sender = objectAt(message, 'sender');
	const context = objectAt(message, 'context');
	const messageId = asString(message.id);
	return [
		receivedMessage({
			provider: 'gupshup',
			from: customerAddress(asString(sender.phone) ?? asString(message.source)),
			messageId,
			timestamp: toIsoTimestamp(body.timestamp, receivedAt),
			...messageContent(asString(message.type), objectAt(message, 'payload')),
			// gsId is the id the send returned (WhatsApp Notify's messageId); id is WhatsApp's.
			replyTo: asString(context.gsId) ?? asString(context.id),
			profileName: asString(sender.name),
			eventId: stableEventId('gupshup', 'message', messageId),
			raw: body,
		}),
	];
}

function parseReceived({ body }: StatusCallback, receivedAt: Date): ReceivedMessage[] {
	if (isV2(body)) return receivedFromV2(body, receivedAt);
	return isMetaEnvelope(body) ? envelopeReceivedMessages(body, 'gupshup', receivedAt) : [];
}

/** The token in the callback URL's query (`?token=`) or in the X-Webhook-Token header, the two places the set-up notice names. */
function verifyCallback(callback: CallbackToVerify, settings: ProviderSettings): boolean {
	const fromQuery = callback.query?.[GUPSHUP_TOKEN_QUERY];
	const candidates = [header(callback.headers, GUPSHUP_TOKEN_HEADER), typeof fromQuery === 'string' ? fromQuery : undefined];
	return candidates.some((candidate) => secretsEqual(candidate, settings.webhookToken));
}

export const gupshup: Provider<'gupshup'> = {
	name: 'gupshup',
	displayName: 'Gupshup',
	credentialType: 'gupshupApi',
	setupNotice:
		'Copy the Production URL above (Webhook URLs) and add ?token=<your Webhook Token> to it. In the Gupshup dashboard (your app, Webhooks), set it as the callback URL with the message-event types sent, delivered, read and failed (and message, for customers’ messages on the Received output). Set the same token in the credential’s Webhook Token (or send it as an X-Webhook-Token header): calls without it are refused, and while the credential has none, every callback gets 401.',
	templateReference: 'the template ID',
	documentFileName: true,
	templateHeaderMedia: true,
	optionalCallbackSecret: 'Webhook Token',
	configurableSettings: {
		sourceNumber: /^\+?[1-9]\d{7,14}$/,
		// Gupshup app names: letters, digits, `_` and `-`.
		appName: /^[A-Za-z0-9_-]{1,100}$/,
	},
	recipientFields: [['destination']],
	buildSendRequest,
	templatesByLanguage: false,
	templateListing,
	readMessageId,
	readError,
	isThrottled,
	recognizes,
	relays: 'meta',
	parseCallback,
	parseReceived,
	// Customer messages were acknowledged and dropped before Received: none went to Other.
	isCustomerMessage: () => false,
	verifyCallback,
	canVerify: (settings) => Boolean(settings.webhookToken),
	registration,
	waitKeySettings: ['appName', 'apiKey'],
};
