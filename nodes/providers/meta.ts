/**
 * Meta's WhatsApp Cloud API, direct (no Business Solution Provider in between).
 * Sends: JSON POST to /{version}/{phone-number-id}/messages, Bearer auth.
 * Callbacks: Meta's webhook envelope (`statuses[]`, `messages[]`), signed with the App Secret
 * in X-Hub-Signature-256; the URL is first verified with a GET (`hub.challenge`).
 * Automatic registration (the phone number's override): metaRegistration.ts.
 */

import { createHmac } from 'crypto';

import { apiBaseUrl } from '../shared/apiBaseUrl';
import { asCode, asString, header, secretsEqual } from '../shared/callback';
import { isPlainObject, type JsonObject } from '../shared/json';
import { countTemplateVariables, fileNameOf, headerMediaParameter } from '../shared/messageContent';
import {
	envelopeMessageEvents,
	envelopeReceivedMessages,
	envelopeStatusEvents,
	type EnvelopeReading,
	isMetaEnvelope,
} from '../shared/metaEnvelope';
import { deepMerge } from '../shared/override';
import { quickReplyComponents } from '../shared/replyButtons';
import {
	CallbackFormatError,
	type CallbackToVerify,
	type DeliveryStatus,
	type HandshakeAnswer,
	type MediaContent,
	type MessageContent,
	type MessageToSend,
	type Provider,
	type ProviderError,
	type ProviderSettings,
	type ReceivedMessage,
	type ReplyButton,
	type SendRequest,
	type StatusCallback,
	type StatusEvent,
	type TemplateContent,
	type TemplateListing,
	type TemplateSummary,
} from '../shared/types';
import { API_VERSION, META_DEFAULT_BASE_URL, PHONE_NUMBER_ID } from './metaApi';
import { registration } from './metaRegistration';



const META_SIGNATURE_HEADER = 'x-hub-signature-256';

/** Meta's `statuses[].status` words; `deleted` and `warning` (catalog) go to Other. */
const STATUS: Readonly<Record<string, DeliveryStatus>> = Object.assign(Object.create(null), {
	sent: 'sent',
	delivered: 'delivered',
	read: 'seen',
	failed: 'discarded',
});

/**
 * Meta's throttling codes that mean "not processed, nothing was sent": waiting and trying
 * again cannot message anyone twice. From Meta's error-code reference (Throttling errors):
 *   4       API Too Many Calls: the app's Graph call rate limit (HTTP 429).
 *   80007   Rate limit issues: the WhatsApp Business Account's call rate limit.
 *   130429  Rate limit hit: the number's message throughput (80/s by default) was reached.
 *   131056  Pair rate limit hit: too many messages to the same recipient in a short time.
 * Not retried: 131048 (spam rate limit: a quality restriction that waiting out does not lift,
 * and more sends make worse) and 133016 (registration attempts, not a send).
 */
const THROTTLED_CODES: ReadonlySet<number> = new Set([4, 80007, 130429, 131056]);

/** A template by name and language; the header media and the body's {{n}} values go in `components`. */
function templateFields(content: TemplateContent): JsonObject {
	const components: JsonObject[] = [];
	if (content.headerMediaUrl) components.push({ type: 'header', parameters: [headerMediaParameter(content.headerMediaUrl)] });
	if (content.variables.length > 0) {
		components.push({ type: 'body', parameters: content.variables.map((text) => ({ type: 'text', text })) });
	}
	components.push(...quickReplyComponents(content.quickReplyPayloads));
	return {
		type: 'template',
		template: { name: content.template, language: { code: content.language }, ...(components.length > 0 ? { components } : {}) },
	};
}

/** A media message: `{type: kind, [kind]: {link, caption, filename}}`; audio takes no caption, only a document a file name. */
function mediaFields({ mediaType, url, fileName, caption }: MediaContent): JsonObject {
	const media: JsonObject = { link: url };
	if (caption && mediaType !== 'audio') media.caption = caption;
	if (mediaType === 'document') media.filename = fileName || fileNameOf(url);
	return { type: mediaType, [mediaType]: media };
}

/** Reply buttons make the text an interactive message: the text is its body, each button a `reply`. */
function interactiveFields(message: string, buttons: readonly ReplyButton[]): JsonObject {
	return {
		type: 'interactive',
		interactive: {
			type: 'button',
			body: { text: message },
			action: { buttons: buttons.map(({ id, title }) => ({ type: 'reply', reply: { id, title } })) },
		},
	};
}

function contentFields(message: string, content: MessageContent | undefined, buttons: readonly ReplyButton[] | undefined): JsonObject {
	if (content?.type === 'template') return templateFields(content);
	if (content?.type === 'media') return mediaFields(content);
	if (buttons?.length) return interactiveFields(message, buttons);
	return { type: 'text', text: { body: message } };
}

function buildSendRequest({ recipient, message, content, buttons, override, settings }: MessageToSend): SendRequest {
	if (!settings.phoneNumberId || !PHONE_NUMBER_ID.test(settings.phoneNumberId)) {
		throw new Error(`the Meta credential's Phone Number ID ${JSON.stringify(settings.phoneNumberId ?? '')} is not a numeric id`);
	}
	const version = settings.apiVersion ?? '';
	if (!API_VERSION.test(version)) {
		throw new Error(`the Meta credential's API Version ${JSON.stringify(version)} is not like v24.0`);
	}
	const base = {
		messaging_product: 'whatsapp',
		recipient_type: 'individual',
		to: recipient,
		...contentFields(message, content, buttons),
	};
	const body = deepMerge(base, override);
	// Another type (template, image, …) carries its own object; the text one stays only if the override set it.
	if (body.type !== 'text' && override.text === undefined) delete body.text;
	if (body.type === 'text' && !(isPlainObject(body.text) && asString(body.text.body))) {
		throw new Error('a text message needs a Message (Meta refuses an empty text body)');
	}
	if (body.type === 'interactive' && !message.trim()) throw new Error('a message with reply buttons needs a Message: it is the text above the buttons');
	return {
		method: 'POST',
		url: `${apiBaseUrl(settings.baseUrl, META_DEFAULT_BASE_URL)}/${version}/${settings.phoneNumberId}/messages`,
		body,
		encoding: 'json',
	};
}

/** The header media a template's HEADER component announces (`format`), if any. */
function headerMediaOf(components: unknown[]): TemplateSummary['headerMedia'] {
	const header = components.find((component) => isPlainObject(component) && component.type === 'HEADER');
	const format = isPlainObject(header) ? header.format : undefined;
	if (format === 'IMAGE') return 'image';
	if (format === 'VIDEO') return 'video';
	return format === 'DOCUMENT' ? 'document' : null;
}

/** The WhatsApp Business Account's templates: `GET /{version}/{waba-id}/message_templates`, status APPROVED. */
const templateListing: TemplateListing = {
	request(settings) {
		if (!settings.businessAccountId || !/^\d{1,30}$/.test(settings.businessAccountId)) {
			throw new Error('the Meta credential has no WhatsApp Business Account ID, which lists the templates');
		}
		const version = settings.apiVersion ?? '';
		if (!API_VERSION.test(version)) throw new Error(`the Meta credential's API Version ${JSON.stringify(version)} is not like v24.0`);
		// `status` is a documented filter; the reader checks each template's status again.
		return {
			method: 'GET',
			url: `${apiBaseUrl(settings.baseUrl, META_DEFAULT_BASE_URL)}/${version}/${settings.businessAccountId}/message_templates?status=APPROVED&fields=name,language,status,components,parameter_format&limit=1000`,
		};
	},
	readTemplates(responseBody) {
		if (!isPlainObject(responseBody) || !Array.isArray(responseBody.data)) throw new Error('the answer holds no "data" list');
		return responseBody.data
			.filter(isPlainObject)
			.filter((template) => typeof template.name === 'string' && template.status === 'APPROVED')
			.map((template) => {
				const components = Array.isArray(template.components) ? template.components : [];
				const body = components.find((component) => isPlainObject(component) && component.type === 'BODY');
				// Named parameters ({{customer_name}}) are not the positional values this node sends: count unknown.
				const positional = template.parameter_format !== 'NAMED';
				return {
					id: template.name as string,
					name: template.name as string,
					language: asString(template.language),
					variableCount: positional && isPlainObject(body) ? countTemplateVariables(body.text) : null,
					headerMedia: headerMediaOf(components),
				};
			});
	},
};

/** The `wamid…` that later status callbacks carry as `statuses[].id`. */
function readMessageId(responseBody: unknown): string | undefined {
	if (!isPlainObject(responseBody) || !Array.isArray(responseBody.messages)) return undefined;
	const first: unknown = responseBody.messages[0];
	return (isPlainObject(first) && asString(first.id)) || undefined;
}

/** Graph errors: `{error: {message, type, code, error_data: {details}, fbtrace_id}}`. */
function readError(responseBody: unknown, httpStatus: number): ProviderError {
	const error = isPlainObject(responseBody) && isPlainObject(responseBody.error) ? responseBody.error : undefined;
	if (!error) {
		return { code: httpStatus, message: httpStatus < 300 ? 'Meta returned no message id' : `Meta answered HTTP ${httpStatus}` };
	}
	const errorData = isPlainObject(error.error_data) ? error.error_data : {};
	const message = asString(error.message) ?? `Meta answered HTTP ${httpStatus}`;
	const details = asString(errorData.details);
	// Meta's message is "(#code) title"; the details often repeat the title and say what to do.
	// Its title may end with a full stop that its details do not repeat ("Invalid OAuth access token.").
	const title = message.replace(/^\(#\d+\)\s*/, '').replace(/\.$/, '');
	return {
		code: asCode(error.code) ?? httpStatus,
		message: !details ? message : details.startsWith(title) ? details : `${title}: ${details}`,
	};
}

/** True when Meta did not process the request because of a rate limit: safe to retry like a 429. */
function isThrottled(httpStatus: number, responseBody: unknown): boolean {
	if (httpStatus === 429) return true;
	const error = isPlainObject(responseBody) && isPlainObject(responseBody.error) ? responseBody.error : undefined;
	const code = error ? Number(asCode(error.code)) : NaN;
	return THROTTLED_CODES.has(code);
}

/** Any envelope: providers that relay it with markers of their own (Gupshup v3) say so with `relays`. */
function recognizes(body: unknown): boolean {
	return isMetaEnvelope(body);
}

const READING: EnvelopeReading = {
	provider: 'meta',
	statusWords: STATUS,
	messageIdOf: (item) => asString(item.id),
	eventKeyOf: (item) => [asString(item.id), asString(item.status) ?? '', asString(item.timestamp)],
};

function parseCallback({ body }: StatusCallback, receivedAt: Date): StatusEvent[] {
	if (!isMetaEnvelope(body)) {
		throw new CallbackFormatError('not a Meta webhook: "object" is not "whatsapp_business_account" or "entry" is missing');
	}
	return [...envelopeStatusEvents(body, READING, receivedAt), ...envelopeMessageEvents(body, 'meta', receivedAt)];
}

/** A customer's messages (`messages[]`): texts, button taps, media, locations. */
function parseReceived({ body }: StatusCallback, receivedAt: Date): ReceivedMessage[] {
	return isMetaEnvelope(body) ? envelopeReceivedMessages(body, 'meta', receivedAt) : [];
}

/** `sha256=` + hex HMAC-SHA256 of the raw body, keyed with the App Secret. */
export function metaSignature(appSecret: string, rawBody: Buffer | string): string {
	return `sha256=${createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

function verifyCallback(callback: CallbackToVerify, settings: ProviderSettings): boolean {
	const received = header(callback.headers, META_SIGNATURE_HEADER);
	const { rawBody } = callback;
	const appSecret = settings.appSecret;
	// Meta signs the bytes it sent; a re-serialized body would not match, so without them nothing passes.
	if (typeof received !== 'string' || !appSecret) return false;
	if (typeof rawBody !== 'string' && !Buffer.isBuffer(rawBody)) return false;
	// Hex is case-insensitive; secretsEqual compares in constant time.
	return secretsEqual(received.trim().toLowerCase(), metaSignature(appSecret, rawBody));
}

/** Meta's challenges are numbers; anything else is not echoed into a response. */
const CHALLENGE = /^[A-Za-z0-9._-]{1,256}$/;

/** The GET Meta makes when the Callback URL is saved: echo `hub.challenge` when the Verify Token matches. */
function answerHandshake({ query }: StatusCallback, settings: ProviderSettings): HandshakeAnswer {
	const mode = query?.['hub.mode'];
	const token = query?.['hub.verify_token'];
	const challenge = query?.['hub.challenge'];
	const verified =
		mode === 'subscribe' &&
		typeof token === 'string' &&
		typeof challenge === 'string' &&
		CHALLENGE.test(challenge) &&
		secretsEqual(token, settings.verifyToken);
	return verified ? { statusCode: 200, body: challenge } : { statusCode: 403, body: 'Forbidden: the verify token does not match' };
}

export const meta: Provider<'meta'> = {
	name: 'meta',
	displayName: 'Meta WhatsApp Cloud API',
	credentialType: 'metaWhatsAppCloudApi',
	setupNotice:
		'Copy the Production URL above (Webhook URLs) and publish the workflow. In the Meta App Dashboard (your app, WhatsApp, Configuration, Webhook), click Edit, paste the URL as the Callback URL and the credential’s Verify Token as the Verify token, then click Verify and save: Meta checks the URL with a GET that this trigger answers. Under Webhook fields, subscribe to messages (it carries the statuses and customers’ messages, which go to the Received output). Callbacks are checked with the credential’s App Secret (X-Hub-Signature-256): calls without a valid signature are refused, and while the credential has no App Secret, every callback gets 401.',
	templateReference: 'the template name',
	documentFileName: true,
	templateHeaderMedia: true,
	configurableSettings: { phoneNumberId: PHONE_NUMBER_ID },
	recipientFields: [['to']],
	buildSendRequest,
	templatesByLanguage: true,
	templateListing,
	readMessageId,
	readError,
	isThrottled,
	recognizes,
	parseCallback,
	parseReceived,
	isCustomerMessage: (event) => event.providerStatus === 'message',
	verifyCallback,
	canVerify: (settings) => Boolean(settings.appSecret),
	answerHandshake,
	registration,
	waitKeySettings: ['phoneNumberId', 'appSecret'],
};
