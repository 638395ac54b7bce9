/**
 * Gupshup WhatsApp API.
 * Sends: form-encoded POST to /wa/api/v1/msg (templates: /wa/api/v1/template/msg), header `apikey`.
 * Callbacks: v2 `message-event` and v3 (Meta's envelope with `gs_id`). Gupshup signs
 * nothing, so a shared token in a header or the URL's query is the protection.
 */

import { apiBaseUrl } from '../shared/apiBaseUrl';
import { asString, header, secretsEqual, stableEventId, toIsoTimestamp } from '../shared/callback';
import { deepMerge, isPlainObject, type JsonObject } from '../shared/override';
import { e164Digits, toE164 } from '../shared/phone';
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

const GUPSHUP_DEFAULT_BASE_URL = 'https://api.gupshup.io';

/** Where the trigger looks for the shared token. */
export const GUPSHUP_TOKEN_HEADER = 'x-webhook-token';
export const GUPSHUP_TOKEN_QUERY = 'token';

const STATUS: Record<string, DeliveryStatus> = {
	enqueued: 'sent',
	sent: 'sent',
	delivered: 'delivered',
	read: 'seen',
	failed: 'discarded',
};

function buildSendRequest({ recipient, message, override, settings }: MessageToSend): SendRequest {
	if (!settings.sourceNumber) throw new Error('the Gupshup credential has no Source Number');
	if (!settings.appName) throw new Error('the Gupshup credential has no App Name');
	const fields: JsonObject = {
		channel: 'whatsapp',
		source: e164Digits(settings.sourceNumber),
		destination: e164Digits(recipient),
		'src.name': settings.appName,
		message: { type: 'text', text: message },
	};
	const body = deepMerge(fields, override);
	// A template goes to its own endpoint; the text message then only stays if the override set one (media headers).
	const isTemplate = body.template !== undefined;
	if (isTemplate && override.message === undefined) delete body.message;
	return {
		method: 'POST',
		url: `${apiBaseUrl(settings.baseUrl, GUPSHUP_DEFAULT_BASE_URL)}/wa/api/v1/${isTemplate ? 'template/msg' : 'msg'}`,
		body,
		encoding: 'form',
	};
}

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

function isV2(body: unknown): body is JsonObject {
	return isPlainObject(body) && typeof body.type === 'string' && 'payload' in body && 'app' in body;
}

function isV3(body: unknown): body is JsonObject & { entry: unknown[] } {
	return isPlainObject(body) && body.object === 'whatsapp_business_account' && Array.isArray(body.entry);
}

function recognizes(body: unknown): boolean {
	// Meta's own Cloud API uses the same envelope; Gupshup's carries gs_app_id.
	return isV2(body) || (isV3(body) && 'gs_app_id' in body);
}

function fromV2(body: JsonObject, receivedAt: Date): StatusEvent[] {
	// Inbound messages, user and billing events share the endpoint: acknowledged, not statuses.
	if (body.type !== 'message-event') return [];
	const event = isPlainObject(body.payload) ? body.payload : {};
	const detail = isPlainObject(event.payload) ? event.payload : {};
	const providerStatus = String(event.type ?? '');
	const status = STATUS[providerStatus] ?? 'other';
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
							code: (detail.code as number | string | undefined) ?? null,
							message: asString(detail.reason) ?? 'delivery failed',
						}
					: null,
			eventId: stableEventId('gupshup', asString(event.id), asString(event.gsId), providerStatus, asString(body.timestamp)),
			raw: body,
		},
	];
}

function fromV3(body: JsonObject & { entry: unknown[] }, receivedAt: Date): StatusEvent[] {
	const events: StatusEvent[] = [];
	for (const entry of body.entry) {
		const changes = isPlainObject(entry) && Array.isArray(entry.changes) ? entry.changes : [];
		for (const change of changes) {
			const value = isPlainObject(change) && isPlainObject(change.value) ? change.value : {};
			const statuses = Array.isArray(value.statuses) ? value.statuses : [];
			for (const item of statuses) {
				if (!isPlainObject(item)) continue;
				const providerStatus = String(item.status ?? '');
				const firstError = Array.isArray(item.errors) && isPlainObject(item.errors[0]) ? item.errors[0] : undefined;
				events.push({
					provider: 'gupshup',
					status: STATUS[providerStatus] ?? 'other',
					providerStatus,
					messageId: asString(item.gs_id) ?? asString(item.id),
					recipient: toE164(item.recipient_id),
					timestamp: toIsoTimestamp(item.timestamp, receivedAt),
					error: firstError
						? {
								code: (firstError.code as number | string | undefined) ?? null,
								message: asString(firstError.title) ?? asString(firstError.message) ?? 'delivery failed',
							}
						: null,
					eventId: stableEventId('gupshup', asString(item.id), asString(item.gs_id), providerStatus, asString(item.timestamp)),
					raw: item,
				});
			}
		}
	}
	return events;
}

function parseCallback({ body }: StatusCallback, receivedAt: Date): StatusEvent[] {
	if (isV2(body)) return fromV2(body, receivedAt);
	if (isV3(body)) return fromV3(body, receivedAt);
	throw new CallbackFormatError('not a Gupshup callback: neither a v2 event (type, payload) nor a v3 envelope');
}

function verifyCallback(callback: CallbackToVerify, settings: ProviderSettings): boolean {
	const bearer = header(callback.headers, 'authorization')?.replace(/^Bearer\s+/i, '');
	const candidates = [
		header(callback.headers, GUPSHUP_TOKEN_HEADER),
		asString(callback.query?.[GUPSHUP_TOKEN_QUERY]) ?? undefined,
		bearer,
	];
	return candidates.some((candidate) => secretsEqual(candidate, settings.webhookToken));
}

export const gupshup: Provider = {
	name: 'gupshup',
	displayName: 'Gupshup',
	credentialType: 'gupshupApi',
	configurableSettings: ['sourceNumber', 'appName'],
	buildSendRequest,
	readMessageId,
	readError,
	recognizes,
	parseCallback,
	verifyCallback,
	canVerify: (settings) => Boolean(settings.webhookToken),
};
