'use strict';

/**
 * Gupshup WhatsApp API: session and template sends, the wallet balance n8n's
 * credential test reads, and v2 `message-event` callbacks. Gupshup signs
 * nothing; the webhook's token travels in the configured URL's query.
 */

const crypto = require('crypto');

const { SANDBOX_CREDENTIALS, outcomeFor } = require('../constants');
const { checkWebhookUrl } = require('../lib/http');
const { uuid, whatsAppMessageId } = require('../lib/ids');
const { mediaKind } = require('../lib/inbound');
const { checkGupshup, gupshupTemplateList, sentButtons } = require('../templates');

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
		const wrongShape = checkGupshup(template, jsonField(fields.message), fields.postbackTexts);
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
			buttons: sentButtons.gupshup(isTemplate ? jsonField(fields.template) : undefined, jsonField(fields.message), fields.postbackTexts),
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

// -- a customer's message: a v2 `type: "message"` callback, to MESSAGE subscriptions ----------------

/** The inner payload of a v2 message: text, a reply button tapped (button_reply), or a file (url, contentType). */
function inboundContent(message) {
	if (message.button) return { type: 'button_reply', payload: { title: message.button.title, id: message.button.id, reply: `${message.button.title} 1` } };
	if (message.media) {
		const kind = mediaKind(message.media.mimeType);
		return {
			type: kind === 'document' ? 'file' : kind,
			payload: { url: message.media.url, contentType: message.media.mimeType, ...(message.text ? { caption: message.text } : {}), urlExpiry: Date.now() + 7 * 24 * 3600 * 1000 },
		};
	}
	return { type: 'text', payload: { text: message.text } };
}

const inbound = {
	event: 'message',
	businessNumber: SANDBOX_CREDENTIALS.gupshup.sourceNumber,
	routing: {},
	build(_url, registration, message) {
		const digits = message.from.slice(1);
		const id = `ABEG${crypto.randomBytes(18).toString('base64url')}`;
		const payload = {
			app: SANDBOX_CREDENTIALS.gupshup.appName,
			timestamp: Date.now(),
			version: 2,
			type: 'message',
			payload: {
				id,
				source: digits,
				...inboundContent(message),
				sender: { phone: digits, name: message.profileName, country_code: digits.slice(0, 1), dial_code: digits.slice(1) },
				...(message.replyTo ? { context: { id: whatsAppMessageId(), gsId: message.replyTo } } : {}),
			},
		};
		return {
			headers: { 'Content-Type': 'application/json', 'User-Agent': 'Gupshup-Webhooks', ...(registration ? registration.headers : {}) },
			body: JSON.stringify(payload),
			payload,
			messageId: id,
		};
	},
};

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
	if (!parsed) return undefined;
	const headers = parsed.headers ?? {};
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

/** The URLs the app's subscriptions call. */
const registeredUrls = (registrations) => registrations.map((subscription) => subscription.url);

/** A subscription made by hand (as in the dashboard), through the same API. */
function registerByHand(target) {
	const { apiKey, appId } = SANDBOX_CREDENTIALS.gupshup;
	return {
		method: 'POST',
		path: `/wa/app/${appId}/subscription`,
		headers: { 'content-type': 'application/x-www-form-urlencoded', apikey: apiKey },
		body: new URLSearchParams({ modes: 'READ', tag: `by-hand-${target}`, url: target, version: '2', meta: '{}' }).toString(),
	};
}

// -- the kit: what the test suites know about Gupshup ------------------------------------------

const JSON_TYPE = { 'content-type': 'application/json' };

/** Gupshup signs nothing: the callback URL carries the credential's token. */
function callbackUrl(url, credential) {
	const withToken = new URL(url);
	withToken.searchParams.set('token', credential.webhookToken);
	return withToken.toString();
}

/** Forged callbacks for the e2e suite (each must get 401) and one genuine one carrying a new id. */
function forgeries({ original, url, marker }) {
	const body = original('delivered');
	const bare = url.replace(/\?.*$/, '');
	const id = marker();
	return {
		forged: [
			['no token', bare, { body: JSON.stringify(body), headers: JSON_TYPE }],
			['wrong ?token=', `${bare}?token=not-the-token`, { body: JSON.stringify(body), headers: JSON_TYPE }],
			['wrong X-Webhook-Token', bare, { body: JSON.stringify(body), headers: { ...JSON_TYPE, 'x-webhook-token': 'nope' } }],
		],
		markerId: id,
		genuine: [url, { body: JSON.stringify({ ...body, payload: { ...body.payload, gsId: id } }), headers: JSON_TYPE }],
	};
}

/** Callers who are not Gupshup: the token where Gupshup never puts it. */
const hostileCallbacks = ({ url, json }) => [
	[
		'Gupshup: fields as objects, token in Authorization',
		{ url: url.replace(/\?.*$/, ''), body: JSON.stringify({ app: {}, type: { a: 1 }, payload: [] }), headers: { ...json, authorization: `Bearer ${SANDBOX_CREDENTIALS.gupshup.webhookToken}` } },
	],
];

/** A delivered callback for the load tests (bench/n8n-webhooks.js, test/e2e/queue.js), for one recipient; the token is in the URL. */
function loadCallback(to, _url, credential) {
	const body = JSON.stringify({
		app: credential.appName,
		timestamp: Date.now(),
		version: 2,
		type: 'message-event',
		payload: { id: `gBEG${crypto.randomBytes(10).toString('hex')}`, gsId: uuid(), type: 'delivered', destination: to.slice(1), payload: { ts: Math.floor(Date.now() / 1000) } },
	});
	return { body, headers: JSON_TYPE };
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
	registeredUrls,
	registerByHand,
	inbound,

	sandboxCredential: (baseUrl) => {
		const { apiKey, sourceNumber, appName, appId, webhookToken } = SANDBOX_CREDENTIALS.gupshup;
		return { apiKey, sourceNumber, appName, appId, baseUrl, webhookToken };
	},
	testCredential: { apiKey: 'gupshup-secret-key', sourceNumber: '+917834811114', appName: 'DemoApp', webhookToken: 'gupshup-webhook-token' },
	secretFields: ['apiKey', 'webhookToken'],
	apiHost: 'https://api.gupshup.io',
	callbackSecret: 'webhookToken',
	callbackEncoding: 'json',
	signCallback: ({ secret }) => ({ query: { token: secret } }),
	secretCarrier: { query: 'token' },
	callbackUrl,
	statusWords: { delivered: 'delivered', read: 'seen', failed: 'discarded' },
	recipientSent: (fields) => fields.destination,
	recipientAsSent: (e164) => e164.slice(1),
	// A text, or the text of a quick_reply (reply-button) message's content.
	sentText: (fields) => {
		const message = JSON.parse(fields.message || '{}');
		return message.text ?? (message.content && message.content.text);
	},
	undeliverableCode: 1002,
	invalidError: 'Invalid Destination',
	override: {
		override: {
			_config: { sourceNumber: '+15550001111' },
			message: { type: 'image', originalUrl: 'https://example.com/a.png', previewUrl: 'https://example.com/a.png' },
		},
		verify: (fields) => {
			const message = JSON.parse(fields.message);
			return (
				fields.source === '15550001111' &&
				message.type === 'image' &&
				message.originalUrl === 'https://example.com/a.png' &&
				message.text === 'e2e override via gupshup' &&
				!('_config' in fields)
			);
		},
		says: 'source 15550001111 (from _config), message {type image, originalUrl} merged with the text',
	},
	templateRef: (template) => ({ value: template.gupshupId, mode: 'list' }),
	sentTemplate: (fields, { template, variables }) =>
		JSON.stringify(JSON.parse(fields.template)) === JSON.stringify({ id: template.gupshupId, params: variables }) && fields.message === undefined,
	sentDocument: (fields, { url, fileName, caption }) =>
		JSON.stringify(JSON.parse(fields.message)) === JSON.stringify({ type: 'file', url, filename: fileName, caption }),
	normalizeBench: { 'gupshup-v2': 'delivered', 'gupshup-v3': 'v3Statuses' },
	forgeries,
	hostileCallbacks,
	loadCallback,
};
