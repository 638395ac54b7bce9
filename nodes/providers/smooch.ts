/**
 * Smooch / Sunshine Conversations (Zendesk).
 * Sends: the v1.1 Notification API, JSON, Basic auth (key id : secret).
 * Callbacks: v1.1 triggers (`notification:delivery:*`, `message:delivery:*`,
 * `conversation:read`) and v2 `events[]`, both carrying X-API-Key.
 * Customers' messages: smoochReceived.ts. Automatic registration (the app's webhooks): smoochRegistration.ts.
 */

import { asCode, asString, header, secretsEqual, stableEventId, toIsoTimestamp } from '../shared/callback';
import { hasOwn, isPlainObject, type JsonObject } from '../shared/json';
import { headerMediaParameter, mimeTypeOf } from '../shared/messageContent';
import { deepMerge } from '../shared/override';
import { toE164 } from '../shared/phone';
import { SMOOCH_ID, smoochBaseUrl } from './smoochApi';
import { isCustomerMessage, parseReceived } from './smoochReceived';
import { registration } from './smoochRegistration';
import { quickReplyComponents } from '../shared/replyButtons';
import {
	CallbackFormatError,
	type CallbackToVerify,
	type DeliveryStatus,
	type MediaContent,
	type MessageToSend,
	type Provider,
	type ProviderSettings,
	type ReplyButton,
	type SendRequest,
	type StatusCallback,
	type StatusError,
	type StatusEvent,
	type TemplateContent,
} from '../shared/types';

const TEXT_TYPES = ['text', 'image', 'file'];


/** The last part of a delivery trigger tells the outcome, in v1.1 and v2 alike. */
function statusOf(trigger: string): DeliveryStatus {
	if (trigger === 'conversation:read') return 'seen';
	if (trigger.endsWith(':delivery:channel')) return 'sent';
	if (trigger.endsWith(':delivery:user')) return 'delivered';
	if (trigger.endsWith(':delivery:failure')) return 'discarded';
	return 'other';
}

/** A WhatsApp template through Smooch's passthrough: namespace, name, language and the parameters in `components`. */
function templateMessage(content: TemplateContent, settings: ProviderSettings): JsonObject {
	if (!settings.templateNamespace) {
		throw new Error(
			'the Smooch credential has no Template Namespace, which WhatsApp templates need: set it in the credential (WhatsApp Manager shows it with your message templates), or give "_config.templateNamespace" in the override',
		);
	}
	const components: JsonObject[] = [];
	if (content.headerMediaUrl) {
		components.push({ type: 'header', parameters: [headerMediaParameter(content.headerMediaUrl)] });
	}
	if (content.variables.length > 0) {
		components.push({ type: 'body', parameters: content.variables.map((text) => ({ type: 'text', text })) });
	}
	// The passthrough takes WhatsApp's own components, quick-reply payloads included.
	components.push(...quickReplyComponents(content.quickReplyPayloads));
	return {
		type: 'template',
		template: {
			namespace: settings.templateNamespace,
			name: content.template,
			language: { policy: 'deterministic', code: content.language },
			components,
		},
	};
}

/** An image message, or a file message whose MIME type tells WhatsApp a document, a video or an audio; the caption is `text`. */
function mediaMessage({ mediaType, url, fileName, caption }: MediaContent): JsonObject {
	const captioned = caption && mediaType !== 'audio' ? { text: caption } : {};
	if (mediaType === 'image') return { type: 'image', mediaUrl: url, ...captioned };
	const mime = mimeTypeOf(mediaType, url, fileName);
	return { type: 'file', mediaUrl: url, ...(mime ? { mediaType: mime } : {}), ...captioned };
}

/** Reply buttons are the text message's `reply` actions: `text` is the title, `payload` comes back on a tap. */
function replyActions(buttons: readonly ReplyButton[] | undefined): JsonObject {
	if (!buttons?.length) return {};
	return { actions: buttons.map(({ id, title }) => ({ type: 'reply', text: title, payload: id })) };
}

function contentFields(toSend: MessageToSend): JsonObject {
	const { message, content, settings } = toSend;
	if (content?.type === 'template') return { messageSchema: 'whatsapp', message: templateMessage(content, settings) };
	if (content?.type === 'media') return { message: mediaMessage(content) };
	if (toSend.buttons?.length && !message.trim()) throw new Error('a message with reply buttons needs a Message: it is the text above the buttons');
	return { message: { type: 'text', ...(message ? { text: message } : {}), ...replyActions(toSend.buttons) } };
}

/** A WhatsApp template namespace, as WhatsApp Manager shows it: a UUID written with underscores. */
const TEMPLATE_NAMESPACE = /^[0-9a-f]{8}(_[0-9a-f]{4}){3}_[0-9a-f]{12}$/i;

function buildSendRequest(toSend: MessageToSend): SendRequest {
	const { recipient, override, settings } = toSend;
	if (!settings.appId) throw new Error('the Smooch credential has no App ID');
	if (!settings.integrationId) throw new Error('the Smooch credential has no Integration ID');
	const body = {
		destination: { integrationId: settings.integrationId, destinationId: recipient },
		author: { role: 'appMaker' },
		...contentFields(toSend),
	};
	const merged = deepMerge(body, override);
	const sent = merged.message;
	if (!isPlainObject(sent)) throw new Error('the override removed or replaced "message": Smooch needs a message object');
	// Text, image and file messages carry `text` (an image's caption); a template or another type does not.
	const overridden = isPlainObject(override.message) ? override.message : {};
	if (!(typeof sent.type === 'string' && TEXT_TYPES.includes(sent.type)) && !hasOwn(overridden, 'text')) delete sent.text;
	return {
		method: 'POST',
		url: `${smoochBaseUrl(settings)}/v1.1/apps/${encodeURIComponent(settings.appId)}/notifications`,
		body: merged,
		encoding: 'json',
	};
}

function readMessageId(responseBody: unknown): string | undefined {
	if (!isPlainObject(responseBody)) return undefined;
	const notification = responseBody.notification;
	return (isPlainObject(notification) && asString(notification._id)) || undefined;
}

function readError(responseBody: unknown, httpStatus: number) {
	if (isPlainObject(responseBody)) {
		const v1 = responseBody.error;
		if (isPlainObject(v1)) {
			return {
				code: asString(v1.code) ?? httpStatus,
				message: asString(v1.description) ?? asString(v1.code) ?? `HTTP ${httpStatus}`,
			};
		}
		const v2 = responseBody.errors;
		if (Array.isArray(v2) && isPlainObject(v2[0])) {
			return {
				code: asString(v2[0].code) ?? httpStatus,
				message: asString(v2[0].title) ?? `HTTP ${httpStatus}`,
			};
		}
	}
	return { code: httpStatus, message: `Smooch answered HTTP ${httpStatus}` };
}

function isV2(body: unknown): body is JsonObject & { events: unknown[] } {
	return isPlainObject(body) && Array.isArray(body.events);
}

function isV1(body: unknown): body is JsonObject & { trigger: string } {
	return isPlainObject(body) && typeof body.trigger === 'string';
}

function recognizes(body: unknown): boolean {
	return isV1(body) || (isV2(body) && isPlainObject(body.app));
}

/** WhatsApp's own reason (e.g. 470, outside the 24 h window) beats Smooch's generic code. */
function readCallbackError(error: unknown): StatusError | null {
	if (!isPlainObject(error)) return null;
	const underlying = isPlainObject(error.underlyingError) ? error.underlyingError : undefined;
	const whatsAppError =
		underlying && Array.isArray(underlying.errors) && isPlainObject(underlying.errors[0])
			? underlying.errors[0]
			: undefined;
	if (whatsAppError) {
		return {
			code: asCode(whatsAppError.code) ?? asString(error.code),
			message: asString(whatsAppError.title) ?? asString(error.message) ?? asString(error.code) ?? 'delivery failed',
		};
	}
	return {
		code: asString(error.code),
		message:
			asString(error.message) ??
			(underlying && asString(underlying.message)) ??
			asString(error.code) ??
			'delivery failed',
	};
}

function fromV1(body: JsonObject & { trigger: string }, receivedAt: Date): StatusEvent {
	const { trigger } = body;
	const record = (isPlainObject(body.notification) ? body.notification : body.message) as JsonObject | undefined;
	const messageId = trigger === 'conversation:read' ? null : asString(record?._id);
	const destination = isPlainObject(body.destination) ? body.destination : {};
	const conversation = isPlainObject(body.conversation) ? body.conversation : {};
	const appUser = isPlainObject(body.appUser) ? body.appUser : {};
	const event: StatusEvent = {
		provider: 'smooch',
		status: statusOf(trigger),
		providerStatus: trigger,
		messageId,
		recipient: toE164(destination.destinationId),
		timestamp: toIsoTimestamp(body.timestamp, receivedAt),
		error: readCallbackError(body.error),
		eventId: stableEventId('smooch', trigger, messageId, asString(conversation._id), asString(body.timestamp)),
		raw: body,
	};
	if (trigger === 'conversation:read') {
		event.conversationId = asString(conversation._id);
		event.userId = asString(appUser._id) ?? asString(appUser.userId);
	}
	return event;
}

function fromV2(entry: unknown, receivedAt: Date): StatusEvent {
	if (!isPlainObject(entry) || typeof entry.type !== 'string') {
		throw new CallbackFormatError('a Sunshine Conversations v2 event has no type');
	}
	const payload = isPlainObject(entry.payload) ? entry.payload : {};
	const message = isPlainObject(payload.message) ? payload.message : {};
	const conversation = isPlainObject(payload.conversation) ? payload.conversation : {};
	const user = isPlainObject(payload.user) ? payload.user : {};
	const activity = isPlainObject(payload.activity) ? payload.activity : {};
	const author = isPlainObject(activity.author) ? activity.author : {};
	const destination = isPlainObject(payload.destination) ? payload.destination : {};
	const isRead = entry.type === 'conversation:read';
	const messageId = isRead ? null : asString(message.id);
	const event: StatusEvent = {
		provider: 'smooch',
		status: statusOf(entry.type),
		providerStatus: entry.type,
		messageId,
		recipient: toE164(destination.destinationId),
		timestamp: toIsoTimestamp(entry.createdAt, receivedAt),
		error: readCallbackError(payload.error),
		eventId: asString(entry.id)
			? `smooch:${asString(entry.id)}`
			: stableEventId('smooch', entry.type, messageId, asString(conversation.id), asString(entry.createdAt)),
		raw: entry,
	};
	if (isRead) {
		event.conversationId = asString(conversation.id);
		event.userId = asString(user.id) ?? asString(author.userId);
	}
	return event;
}

function parseCallback({ body }: StatusCallback, receivedAt: Date): StatusEvent[] {
	if (isV1(body)) return [fromV1(body, receivedAt)];
	if (isV2(body)) return body.events.map((entry) => fromV2(entry, receivedAt));
	throw new CallbackFormatError('not a Smooch callback: neither a v1.1 "trigger" nor a v2 "events" list');
}

function verifyCallback(callback: CallbackToVerify, settings: ProviderSettings): boolean {
	// Smooch has no HMAC: every call carries the webhook's secret in X-API-Key.
	return secretsEqual(header(callback.headers, 'x-api-key'), settings.webhookSecret);
}

export const smooch: Provider<'smooch'> = {
	name: 'smooch',
	displayName: 'Smooch (Sunshine Conversations)',
	credentialType: 'smoochApi',
	setupNotice:
		'Copy the Production URL above (Webhook URLs). In Zendesk Admin Center (Apps and integrations, Conversations integrations) or the Smooch dashboard, create a webhook with that URL and the triggers notification:delivery:user, notification:delivery:failure and conversation:read (add message:delivery:* for conversation messages, and message:appUser for customers’ messages on the Received output). Put the webhook’s secret in the credential’s Webhook Secret: calls without it are refused, and while the credential has none, every callback gets 401.',
	templateReference: 'the template name',
	documentFileName: false,
	templateHeaderMedia: true,
	optionalCallbackSecret: 'Webhook Secret',
	configurableSettings: { integrationId: SMOOCH_ID, appId: SMOOCH_ID, templateNamespace: TEMPLATE_NAMESPACE },
	recipientFields: [['destination', 'destinationId']],
	buildSendRequest,
	templatesByLanguage: true,
	readMessageId,
	readError,
	recognizes,
	parseCallback,
	parseReceived,
	isCustomerMessage,
	verifyCallback,
	canVerify: (settings) => Boolean(settings.webhookSecret),
	registration,
	waitKeySettings: ['appId', 'keyId', 'secret'],
};
