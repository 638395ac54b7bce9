/**
 * Meta's WhatsApp Cloud API, direct (no Business Solution Provider in between).
 * Sends: JSON POST to /{version}/{phone-number-id}/messages, Bearer auth.
 * Callbacks: Meta's webhook envelope (`statuses[]`, `messages[]`), signed with the App Secret
 * in X-Hub-Signature-256; the URL is first verified with a GET (`hub.challenge`).
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
	type CallbackRegistration,
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

const META_DEFAULT_BASE_URL = 'https://graph.facebook.com';

/** Graph API versions as Meta spells them in the path. */
const API_VERSION = /^v\d{1,3}\.\d{1,3}$/;

/** Phone number ids are numeric Graph ids (they go into the URL path). */
const PHONE_NUMBER_ID = /^\d{1,30}$/;

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

function phoneNumberUrl(settings: ProviderSettings): string {
	return `${apiBaseUrl(settings.baseUrl, META_DEFAULT_BASE_URL)}/${settings.apiVersion ?? ''}/${settings.phoneNumberId ?? ''}`;
}

/**
 * The verify token registered with a URL, derived from the App Secret and the URL rather than
 * stored: Meta checks it with a GET while the registration request is still running, before n8n
 * has saved anything the GET could read.
 */
function registeredVerifyToken(settings: ProviderSettings, url: string): string {
	return createHmac('sha256', settings.appSecret ?? '').update(`whatsapp-status-trigger verify token\n${url}`).digest('hex');
}

/** Meta's routes for the number's events, as `webhook_configuration` reports them. */
const ROUTE_LEVELS = ['phone_number', 'whatsapp_business_account', 'application'] as const;

/**
 * The phone number's own callback override (`webhook_configuration.override_callback_uri`): it
 * outranks the WABA's and the app's URL for the `messages` field, which carries the statuses and
 * every customer message to the number. The lookup reads where those go now, so that the trigger
 * can share them with the URL it displaces (WhatsAppStatusTrigger/metaSharing.ts).
 */
const registration: CallbackRegistration = {
	setupNotice:
		'Publishing (activating) the workflow, or listening for a test event, sets this trigger’s URL as the phone number’s callback override: Meta then sends it all of the number’s messages webhooks, statuses and customer messages, instead of the URL that had them (the app’s callback URL, the WABA’s or the number’s override). Meta checks the URL with a GET that the trigger answers; callbacks are checked with the App Secret. Unpublishing (deactivating) clears the override (a displaced number override is put back with the credential’s Verify Token). The app must be subscribed to the WhatsApp Business Account.',
	requiresHttps: true,
	accountSetting: 'phoneNumberId',
	accountInUrl: true,
	oneSlot: true,
	secretSetting: 'verifyToken',
	secretFor: registeredVerifyToken,
	checkSettings(settings) {
		if (!settings.phoneNumberId || !PHONE_NUMBER_ID.test(settings.phoneNumberId)) {
			throw new Error(`the Meta credential's Phone Number ID ${JSON.stringify(settings.phoneNumberId ?? '')} is not a numeric id`);
		}
		if (!API_VERSION.test(settings.apiVersion ?? '')) {
			throw new Error(`the Meta credential's API Version ${JSON.stringify(settings.apiVersion ?? '')} is not like v24.0`);
		}
		if (!settings.appSecret) throw new Error('the Meta credential has no App Secret, which signs every callback');
	},
	// The number's override carries every customer message; a Status Trigger's URL ends in /status.
	endsWaits: (listed) => /\/[^/?]+\/status(\?|$)/.test(listed.url),
	lookup: (settings) => [{ method: 'GET', url: `${phoneNumberUrl(settings)}?fields=webhook_configuration` }],
	readLookup([responseBody]) {
		const configuration = isPlainObject(responseBody) ? responseBody.webhook_configuration : undefined;
		if (!isPlainObject(configuration)) throw new Error('the answer holds no "webhook_configuration"');
		const routes = Object.fromEntries(
			ROUTE_LEVELS.map((level) => [level, asString(configuration[level])]).filter((entry): entry is [string, string] => Boolean(entry[1])),
		);
		return { callbacks: routes.phone_number ? [{ ids: {}, url: routes.phone_number, mark: null }] : [], routes };
	},
	create: [
		{
			request: (settings, made) => ({
				method: 'POST',
				url: phoneNumberUrl(settings),
				body: { webhook_configuration: { override_callback_uri: made.url, verify_token: registeredVerifyToken(settings, made.url) } },
				encoding: 'json',
			}),
			read(responseBody, made) {
				if (!isPlainObject(responseBody) || responseBody.success !== true) throw new Error('the answer is not {"success": true}');
				return made;
			},
		},
	],
	// A number override it displaced is put back: Meta checks that URL with a GET carrying the
	// credential's Verify Token (its own system's token, when the user set it). If that fails,
	// the override is cleared anyway and the app's or the WABA's URL takes over.
	remove: (settings, registered) => [
		{ method: 'POST', url: phoneNumberUrl(settings), body: { webhook_configuration: { override_callback_uri: '' } }, encoding: 'json' },
		...(registered.displaced?.level === 'phone_number'
			? [
					{
						method: 'POST' as const,
						url: phoneNumberUrl(settings),
						body: { webhook_configuration: { override_callback_uri: registered.displaced.url, verify_token: settings.verifyToken ?? '' } },
						encoding: 'json' as const,
						bestEffort: `put back ${registered.displaced.url} as the number’s callback override`,
					},
				]
			: []),
	],
	advice(statusCode, responseBody) {
		const error = isPlainObject(responseBody) && isPlainObject(responseBody.error) ? responseBody.error : {};
		if (statusCode === 401 || error.code === 190) {
			return 'Check the credential’s Access Token: temporary tokens expire after 24 hours (use a System User token).';
		}
		if (statusCode === 403 || error.code === 200 || error.code === 10) {
			return 'The Access Token needs whatsapp_business_management on this number’s WhatsApp Business Account.';
		}
		return 'Meta checks the URL with a GET while registering it: set WEBHOOK_URL to n8n’s public https address, and subscribe the app to the WhatsApp Business Account.';
	},
};

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
