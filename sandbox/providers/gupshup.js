'use strict';

/**
 * Gupshup WhatsApp API: session and template sends, the wallet balance n8n's
 * credential test reads, and v2 `message-event` callbacks. Gupshup signs
 * nothing; the webhook's token travels in the configured URL's query.
 */

const { SANDBOX_CREDENTIALS, outcomeFor } = require('../constants');
const { checkWebhookUrl } = require('../lib/http');
const { uuid, whatsAppMessageId } = require('../lib/ids');
const { checkGupshup, gupshupTemplateList } = require('../templates');

const NAME = 'gupshup';

function gupshupError(status, message, headers) {
	return { status, headers, body: { status: 'error', message } };
}

function tooManyRequests(retryAfterSeconds) {
	return gupshupError(429, 'Too Many Requests', { 'Retry-After': String(retryAfterSeconds) });
}

function isAuthorized(headers) {
	return headers.apikey === SANDBOX_CREDENTIALS.gupshup.apiKey;
}

const unauthorized = () => gupshupError(401, 'Authentication Failed');

/** Gupshup's JSON-in-a-form-field; undefined when absent or not a JSON object. */
function jsonField(value) {
	if (typeof value !== 'string') return undefined;
	try {
		const parsed = JSON.parse(value);
		return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : undefined;
	} catch {
		return undefined;
	}
}

/** Gupshup wants numbers as digits with the country code, no plus. */
const isDigitsNumber = (value) => typeof value === 'string' && /^[1-9]\d{7,14}$/.test(value);

/** Returns an error answer, or null when the message can be sent. */
function validateMessage(fields, isTemplate) {
	if (fields.channel !== 'whatsapp') return gupshupError(400, 'Invalid Channel');
	if (!isDigitsNumber(fields.source)) return gupshupError(400, 'Invalid Source');
	if (!isDigitsNumber(fields.destination)) return gupshupError(400, 'Invalid Destination');
	if (typeof fields['src.name'] !== 'string' || fields['src.name'] === '') return gupshupError(400, 'Invalid App Name');
	if (isTemplate) {
		const template = jsonField(fields.template);
		if (!template || typeof template.id !== 'string' || template.id === '') return gupshupError(400, 'Invalid Template');
		// A template may carry a media header in `message`; if present it must be readable.
		if (fields.message !== undefined && !jsonField(fields.message)) return gupshupError(400, 'Invalid Message');
		const wrongShape = checkGupshup(template, jsonField(fields.message));
		return wrongShape ? gupshupError(400, `Invalid Template: ${wrongShape}`) : null;
	}
	const message = jsonField(fields.message);
	if (!message || typeof message.type !== 'string') return gupshupError(400, 'Invalid Message');
	if (message.type === 'text' && (typeof message.text !== 'string' || message.text === '')) {
		return gupshupError(400, 'Invalid Message');
	}
	const wrongShape = checkGupshup(undefined, message);
	return wrongShape ? gupshupError(400, `Invalid Message: ${wrongShape}`) : null;
}

function sender(isTemplate) {
	return ({ headers, body, retryAfterSeconds }) => {
		if (!isAuthorized(headers)) return unauthorized();
		const fields = body || {};
		const invalid = validateMessage(fields, isTemplate);
		if (invalid) return invalid;

		const outcome = outcomeFor(`+${fields.destination}`);
		if (outcome === 'invalid') return gupshupError(400, 'Invalid Destination');
		if (outcome === 'rateLimited') return tooManyRequests(retryAfterSeconds);
		if (outcome === 'serverError') return gupshupError(500, 'Internal Server Error');

		const messageId = uuid();
		return {
			status: 202,
			body: { status: 'submitted', messageId },
			messageId,
			message: {
				messageId,
				outcome,
				destination: fields.destination,
				appName: fields['src.name'],
				kind: isTemplate ? 'template' : 'session',
			},
		};
	};
}

/** GET /sm/api/v1/template/list/{app}: the app's templates, with the same API key. */
function templateList({ params, headers }) {
	if (!isAuthorized(headers)) return unauthorized();
	if (params[0] !== SANDBOX_CREDENTIALS.gupshup.appName) return gupshupError(400, 'Invalid App Name');
	return { status: 200, body: gupshupTemplateList() };
}

/** GET /wallet/balance: what n8n's credential test calls. */
function walletBalance({ headers }) {
	if (!isAuthorized(headers)) return unauthorized();
	return { status: 200, body: { status: 'success', balance: 100.0, currency: 'USD' } };
}

const FAILURES = {
	undeliverable: { code: 1002, reason: 'Number Does Not Exists On WhatsApp' },
	outsideWindow: {
		code: 470,
		reason: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number',
	},
};

/**
 * Event types per outcome. Gupshup finds a number that is not on WhatsApp
 * itself, before anything is enqueued ("failedEarly": its own id, no gsId);
 * WhatsApp's own refusals come after enqueued, under the WhatsApp id with gsId.
 */
const SEQUENCES = {
	delivered: ['enqueued', 'sent', 'delivered', 'read'],
	undeliverable: ['failedEarly'],
	outsideWindow: ['enqueued', 'failed'],
};

function eventPayload(step, message, wamid) {
	const destination = message.destination;
	const ts = Math.floor(Date.now() / 1000);
	switch (step) {
		case 'enqueued':
			return { id: message.messageId, type: 'enqueued', destination, payload: { whatsappMessageId: wamid, type: message.kind } };
		case 'failedEarly':
			return { id: message.messageId, type: 'failed', destination, payload: { ...FAILURES[message.outcome] } };
		case 'failed':
			return { id: wamid, gsId: message.messageId, type: 'failed', destination, payload: { ...FAILURES[message.outcome] } };
		default:
			return { id: wamid, gsId: message.messageId, type: step, destination, payload: { ts } };
	}
}

function callbacksFor(message) {
	const wamid = whatsAppMessageId();
	return (SEQUENCES[message.outcome] || []).map((step) => ({
		status: step === 'failedEarly' ? 'failed' : step,
		messageId: message.messageId,
		build(_url, registration) {
			const payload = {
				app: message.appName,
				timestamp: Date.now(),
				version: 2,
				type: 'message-event',
				payload: eventPayload(step, message, wamid),
			};
			return {
				// A subscription's `meta` headers go with each of its callbacks.
				headers: { 'Content-Type': 'application/json', 'User-Agent': 'Gupshup-Webhooks', ...(registration ? registration.headers : {}) },
				body: JSON.stringify(payload),
				payload,
			};
		},
	}));
}

// -- the app's subscriptions (/wa/app/{appId}/subscription), which the Status Trigger registers --

/** The event types a subscription may name; the sandbox sends the status ones. */
const MODES = ['SENT', 'DELIVERED', 'READ', 'FAILED', 'ENQUEUED', 'DELETED', 'OTHERS', 'MESSAGE', 'BILLING', 'PAYMENTS', 'FLOWS_MESSAGE', 'TEMPLATE', 'ACCOUNT', 'ALL', 'NONE'];

let nextSubscriptionId = 8166;

const isApp = (headers, appId) => isAuthorized(headers) && appId === SANDBOX_CREDENTIALS.gupshup.appId;

/** The stored subscription as Gupshup lists it (meta as the JSON string it was given). */
function publicSubscription({ headers, ...subscription }) {
	return subscription;
}

function listSubscriptions({ params, headers, registrations }) {
	if (!isApp(headers, params[0])) return unauthorized();
	return { status: 200, body: { status: 'success', subscriptions: registrations.map(publicSubscription) } };
}

/** The headers a subscription's `meta` asks for: `{"headers": {name: value}}` (as Gupshup's own example). */
function metaHeaders(meta) {
	if (meta === undefined || meta === '') return {};
	const parsed = jsonField(meta);
	const headers = parsed && parsed.headers;
	if (typeof headers !== 'object' || headers === null || Array.isArray(headers)) return undefined;
	return Object.values(headers).every((value) => typeof value === 'string') ? headers : undefined;
}

/** POST: modes, tag (unique per app), url, version (2 or 3), meta, showOnUI. */
function createSubscription({ params, headers, body, registrations }) {
	if (!isApp(headers, params[0])) return unauthorized();
	const fields = body || {};
	const modes = String(fields.modes || '').split(',').map((mode) => mode.trim().toUpperCase()).filter(Boolean);
	if (modes.length === 0 || !modes.every((mode) => MODES.includes(mode))) return gupshupError(400, 'Invalid modes');
	if (!fields.tag) return gupshupError(400, 'tag is required');
	if (registrations.some((subscription) => subscription.tag === fields.tag)) return gupshupError(400, 'Subscription with this tag already exists');
	try {
		checkWebhookUrl(String(fields.url || ''));
	} catch {
		return gupshupError(400, 'Invalid URL Passed');
	}
	const version = Number(fields.version);
	// The sandbox sends v2 callbacks.
	if (version !== 2) return gupshupError(400, 'The sandbox plays version 2 subscriptions only');
	const headersToSend = metaHeaders(fields.meta);
	if (!headersToSend) return gupshupError(400, 'meta must be a JSON string like {"headers": {"name": "value"}}');
	const now = Date.now();
	const subscription = {
		active: true,
		appId: params[0],
		createdOn: now,
		id: String(nextSubscriptionId++),
		modes,
		meta: fields.meta || '',
		modifiedOn: now,
		showOnUI: fields.showOnUI === 'true',
		tag: fields.tag,
		url: fields.url,
		version,
		headers: headersToSend,
	};
	registrations.push(subscription);
	return { status: 200, body: { status: 'success', subscription: publicSubscription(subscription) } };
}

function deleteSubscription({ params, headers, registrations }) {
	if (!isApp(headers, params[0])) return unauthorized();
	const index = registrations.findIndex((subscription) => subscription.id === params[1]);
	if (index < 0) return gupshupError(404, 'Subscription not found');
	registrations.splice(index, 1);
	return { status: 200, body: { status: 'success' } };
}

/** The configured URL (the manual set-up) and every subscription, each for its own modes. */
function callbackTargets({ configured, registrations }) {
	return [
		...(configured ? [{ url: configured }] : []),
		...registrations.map((subscription) => ({
			url: subscription.url,
			registration: subscription,
			accepts: (status) => subscription.modes.includes('ALL') || subscription.modes.includes(status.toUpperCase()),
		})),
	];
}

module.exports = {
	name: NAME,
	routes: [
		{ method: 'POST', pattern: /^\/wa\/api\/v1\/msg$/, kind: 'send', handle: sender(false) },
		{ method: 'POST', pattern: /^\/wa\/api\/v1\/template\/msg$/, kind: 'send', handle: sender(true) },
		{ method: 'GET', pattern: /^\/sm\/api\/v2\/wallet\/balance$/, kind: 'check', handle: walletBalance },
		{ method: 'GET', pattern: /^\/sm\/api\/v1\/template\/list\/([^/]+)$/, kind: 'list', handle: templateList },
		{ method: 'GET', pattern: /^\/wa\/app\/([^/]+)\/subscription$/, kind: 'register', handle: listSubscriptions },
		{ method: 'POST', pattern: /^\/wa\/app\/([^/]+)\/subscription$/, kind: 'register', handle: createSubscription },
		{ method: 'DELETE', pattern: /^\/wa\/app\/([^/]+)\/subscription\/([^/]+)$/, kind: 'register', handle: deleteSubscription },
	],
	tooManyRequests,
	callbacksFor,
	callbackTargets,
};
