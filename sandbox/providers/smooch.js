'use strict';

/**
 * Smooch / Sunshine Conversations v1.1: the Notification API, the webhook list
 * n8n's credential test reads, and v1.1 delivery webhooks carrying X-API-Key.
 */

const { SANDBOX_CREDENTIALS, outcomeFor } = require('../constants');
const crypto = require('crypto');

const { basicAuth, checkWebhookUrl } = require('../lib/http');
const { stableHex, toE164, uuid, whatsAppMessageId } = require('../lib/ids');
const { checkSmooch, sentButtons } = require('../templates');

const NAME = 'smooch';

function smoochError(status, code, description, headers) {
	return { status, headers, body: { error: { code, description } } };
}

function unauthorized() {
	return smoochError(401, 'unauthorized', 'Authorization header is missing or invalid');
}

function badRequest(description) {
	return smoochError(400, 'bad_request', description);
}

function tooManyRequests(retryAfterSeconds) {
	return smoochError(429, 'too_many_requests', 'You have exceeded your rate limit, retry later', {
		'Retry-After': String(retryAfterSeconds),
	});
}

/** The key must be the sandbox's, and it only opens the sandbox app. */
function isAuthorized(headers, pathAppId) {
	const { appId, keyId, secret } = SANDBOX_CREDENTIALS.smooch;
	const auth = basicAuth(headers);
	return Boolean(auth) && auth.user === keyId && auth.password === secret && pathAppId === appId;
}

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value) => typeof value === 'string' && value.trim() !== '';

/** Returns an error answer, or null when the notification can be sent. */
function validateNotification(body) {
	if (!isObject(body)) return badRequest('The request body must be a JSON object');
	const { destination, message } = body;
	if (!isObject(destination) || !isText(destination.integrationId)) {
		return badRequest('destination.integrationId is required');
	}
	if (!isText(destination.destinationId)) return badRequest('destination.destinationId is required');
	if (!toE164(destination.destinationId)) {
		return badRequest(`destination.destinationId ${destination.destinationId} is not a valid phone number`);
	}
	if (!isObject(message) || !isText(message.type)) return badRequest('message.type is required');
	if (message.type === 'text' && !isText(message.text)) return badRequest('message.text is required for text messages');
	const wrongShape = checkSmooch(body);
	return wrongShape ? badRequest(wrongShape) : null;
}

function sendNotification({ params, headers, body, retryAfterSeconds }) {
	if (!isAuthorized(headers, params[0])) return unauthorized();
	const invalid = validateNotification(body);
	if (invalid) return invalid;

	const { integrationId, destinationId } = body.destination;
	const recipient = toE164(destinationId);
	const outcome = outcomeFor(recipient);
	if (outcome === 'invalid') return badRequest(`destination.destinationId ${destinationId} is not a valid WhatsApp number`);
	if (outcome === 'rateLimited') return tooManyRequests(retryAfterSeconds);
	if (outcome === 'serverError') return smoochError(500, 'internal_error', 'An unexpected error occurred');

	const notificationId = uuid();
	return {
		status: 201,
		body: { notification: { _id: notificationId } },
		messageId: notificationId,
		buttons: sentButtons.smooch(body),
		message: { messageId: notificationId, outcome, recipient, appId: params[0], integrationId },
	};
}

// -- the app's webhooks (what n8n's credential test lists, and what the Status Trigger registers) --

/** Smooch's cap: an app holds at most this many webhooks. */
const MAX_WEBHOOKS = 10;

const isLocalUrl = (url) => {
	try {
		return Boolean(checkWebhookUrl(url));
	} catch {
		return false;
	}
};

function listWebhooks({ params, headers, registrations }) {
	if (!isAuthorized(headers, params[0])) return unauthorized();
	return { status: 200, body: { webhooks: registrations } };
}

/** POST /v1.1/apps/{appId}/webhooks {target, triggers}: Smooch issues the webhook's id and secret. */
function createWebhook({ params, headers, body, registrations }) {
	if (!isAuthorized(headers, params[0])) return unauthorized();
	if (!isObject(body) || !isText(body.target)) return badRequest('target is required');
	// The sandbox calls only this machine; Smooch itself calls any public URL.
	if (!isLocalUrl(body.target)) return badRequest(`target ${body.target} is not reachable from the sandbox (use a URL on this machine)`);
	const triggers = body.triggers === undefined ? ['message'] : body.triggers;
	if (!Array.isArray(triggers) || !triggers.every(isText)) return badRequest('triggers must be an array of strings');
	if (registrations.length >= MAX_WEBHOOKS) return badRequest(`An app can have at most ${MAX_WEBHOOKS} webhooks`);
	const webhook = {
		_id: crypto.randomBytes(12).toString('hex'),
		version: 'v1.1',
		target: body.target,
		triggers,
		secret: crypto.randomBytes(16).toString('hex'),
		includeClient: false,
	};
	registrations.push(webhook);
	return { status: 201, body: { webhook } };
}

function deleteWebhook({ params, headers, registrations }) {
	if (!isAuthorized(headers, params[0])) return unauthorized();
	const index = registrations.findIndex((webhook) => webhook._id === params[1]);
	if (index < 0) return smoochError(404, 'not_found', 'Webhook not found');
	registrations.splice(index, 1);
	return { status: 200, body: {} };
}

/** The configured URL (the manual set-up) and every registered webhook, each for its own triggers. */
function callbackTargets({ configured, registrations }) {
	return [
		...(configured ? [{ url: configured }] : []),
		...registrations.map((webhook) => ({ url: webhook.target, registration: webhook, accepts: (trigger) => webhook.triggers.includes(trigger) })),
	];
}

/** WhatsApp's own errors, as Smooch passes them on in error.underlyingError. */
const FAILURES = {
	undeliverable: { code: 131026, title: 'Message undeliverable' },
	outsideWindow: {
		code: 470,
		title: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number',
	},
};

const SEQUENCES = {
	delivered: ['notification:delivery:channel', 'notification:delivery:user', 'conversation:read'],
	undeliverable: ['notification:delivery:channel', 'notification:delivery:failure'],
	outsideWindow: ['notification:delivery:failure'],
};

/** A recipient keeps the same user and conversation across messages, as in Smooch. */
function recipientIds(recipient) {
	return { appUserId: stableHex(`appUser:${recipient}`), conversationId: stableHex(`conversation:${recipient}`) };
}

function webhookBody(trigger, message, wamid) {
	const { appUserId, conversationId } = recipientIds(message.recipient);
	const common = { trigger, app: { _id: message.appId }, timestamp: Date.now() / 1000, version: 'v1.1' };
	if (trigger === 'conversation:read') {
		// A read is about the conversation, up to a time: it names no message.
		return {
			...common,
			appUser: { _id: appUserId, conversationStarted: true },
			conversation: { _id: conversationId },
			source: { type: 'whatsapp', integrationId: message.integrationId },
		};
	}
	/** @type {Record<string, unknown>} */
	const body = {
		...common,
		destination: { type: 'whatsapp', integrationId: message.integrationId, destinationId: message.recipient },
		notification: { _id: message.messageId },
		matchResult: { appUser: { _id: appUserId }, conversation: { _id: conversationId } },
		externalMessages: [{ id: wamid }],
		// WhatsApp reports delivery to the phone, so the channel event is never the last one.
		isFinalEvent: trigger !== 'notification:delivery:channel',
	};
	if (trigger === 'notification:delivery:failure') {
		body.error = { code: 'uncategorized_error', underlyingError: { errors: [FAILURES[message.outcome]] } };
	}
	return body;
}

/** A webhook call as Smooch makes it: JSON with the webhook's secret in X-API-Key. */
function webhookRequest(payload, registration) {
	return {
		headers: {
			'Content-Type': 'application/json',
			'User-Agent': 'Smooch-Webhooks',
			// A registered webhook carries its own secret; the configured URL the credential's.
			'X-API-Key': registration ? registration.secret : SANDBOX_CREDENTIALS.smooch.webhookSecret,
		},
		body: JSON.stringify(payload),
		payload,
	};
}

function callbacksFor(message) {
	const wamid = whatsAppMessageId();
	return (SEQUENCES[message.outcome] || []).map((trigger) => ({
		status: trigger,
		messageId: message.messageId,
		build: (_url, registration) => webhookRequest(webhookBody(trigger, message, wamid), registration),
	}));
}

// -- a customer's message: the message:appUser trigger --------------------------------------------

/** One v1.1 message: a text, a reply tapped (the reply action's `payload`), or a file (mediaUrl, mediaType). */
function appUserMessage(message, appUserId) {
	const base = { _id: uuid().replace(/-/g, '').slice(0, 24), role: 'appUser', authorId: appUserId, name: message.profileName, received: Date.now() / 1000 };
	const source = { type: 'whatsapp', integrationId: SANDBOX_CREDENTIALS.smooch.integrationId };
	if (message.button) return { ...base, type: 'text', text: message.button.title, payload: message.button.id, source };
	if (message.media) {
		const isImage = message.media.mimeType.startsWith('image/');
		return { ...base, type: isImage ? 'image' : 'file', mediaUrl: message.media.url, mediaType: message.media.mimeType, ...(message.text ? { text: message.text } : {}), source };
	}
	return { ...base, type: 'text', text: message.text, source };
}

const inbound = {
	event: 'message:appUser',
	businessNumber: '+15145550100',
	routing: {},
	build(_url, registration, message) {
		const { appUserId, conversationId } = recipientIds(message.from);
		const item = appUserMessage(message, appUserId);
		const payload = {
			trigger: 'message:appUser',
			app: { _id: SANDBOX_CREDENTIALS.smooch.appId },
			messages: [item],
			appUser: { _id: appUserId, conversationStarted: true, properties: {}, clients: [{ active: true, platform: 'whatsapp', displayName: message.from, id: stableHex(`client:${message.from}`) }] },
			conversation: { _id: conversationId },
			version: 'v1.1',
		};
		return { ...webhookRequest(payload, registration), messageId: item._id };
	},
};

/** The URLs the app's webhooks call. */
/** The URLs the app's webhooks call, without the query parameter that marks a trigger's own (n8n-trigger=…). */
const registeredUrls = (registrations) => registrations.map((webhook) => webhook.target.replace(/[?&]n8n-trigger=[0-9a-f]{16}$/, ''));

/** A webhook made by hand (as in the dashboard), through the same API. */
function registerByHand(target) {
	const { appId, keyId, secret } = SANDBOX_CREDENTIALS.smooch;
	return {
		method: 'POST',
		path: `/v1.1/apps/${appId}/webhooks`,
		headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`${keyId}:${secret}`).toString('base64')}` },
		body: JSON.stringify({ target, triggers: ['conversation:read'] }),
	};
}

// -- the kit: what the test suites know about Smooch -------------------------------------------

const JSON_TYPE = { 'content-type': 'application/json' };

/** Forged callbacks for the e2e suite (each must get 401) and one genuine one carrying a new id. */
function forgeries({ original, url, marker }) {
	const body = original('notification:delivery:user');
	const id = marker();
	const genuine = { ...body, notification: { ...body.notification, _id: id } };
	return {
		forged: [
			['no X-API-Key', url, { body: JSON.stringify(body), headers: JSON_TYPE }],
			['wrong X-API-Key', url, { body: JSON.stringify(body), headers: { ...JSON_TYPE, 'x-api-key': 'not-the-webhook-secret' } }],
		],
		markerId: id,
		genuine: [url, { body: JSON.stringify(genuine), headers: { ...JSON_TYPE, 'x-api-key': SANDBOX_CREDENTIALS.smooch.webhookSecret } }],
	};
}

/** Callers who are not Smooch, with hostile field types. */
const hostileCallbacks = ({ json }) => [
	['Smooch: fields as objects, no X-API-Key', { body: JSON.stringify({ trigger: { toString: 1 }, notification: { _id: [] } }), headers: json }],
];

/** A delivered callback for the load tests (bench/n8n-webhooks.js, test/e2e/queue.js), for one recipient. */
function loadCallback(to, _url, credential) {
	const body = JSON.stringify({
		trigger: 'notification:delivery:user',
		app: { _id: '5698edbf2a43bd081be982f1' },
		version: 'v1.1',
		destination: { type: 'whatsapp', integrationId: credential.integrationId, destinationId: to },
		isFinalEvent: false,
		externalMessages: [{ id: `wamid.${crypto.randomBytes(12).toString('hex')}` }],
		notification: { _id: uuid() },
		matchResult: { appUser: { _id: crypto.randomBytes(12).toString('hex'), conversationStarted: false } },
		timestamp: Date.now() / 1000,
	});
	return { body, headers: { ...JSON_TYPE, 'x-api-key': credential.webhookSecret } };
}

module.exports = {
	name: NAME,
	routes: [
		{ method: 'POST', pattern: /^\/v1\.1\/apps\/([^/]+)\/notifications$/, kind: 'send', handle: sendNotification },
		{ method: 'GET', pattern: /^\/v1\.1\/apps\/([^/]+)\/webhooks$/, kind: 'check', handle: listWebhooks },
		{ method: 'POST', pattern: /^\/v1\.1\/apps\/([^/]+)\/webhooks$/, kind: 'register', handle: createWebhook },
		{ method: 'DELETE', pattern: /^\/v1\.1\/apps\/([^/]+)\/webhooks\/([^/]+)$/, kind: 'register', handle: deleteWebhook },
	],
	tooManyRequests,
	callbacksFor,
	callbackTargets,
	registeredUrls,
	registerByHand,
	inbound,

	sandboxCredential: (baseUrl) => {
		const { appId, keyId, secret, integrationId, webhookSecret } = SANDBOX_CREDENTIALS.smooch;
		return { appId, keyId, secret, integrationId, region: 'custom', baseUrl, webhookSecret };
	},
	testCredential: {
		appId: 'app123',
		keyId: 'app_key_1',
		secret: 'smooch-secret-value',
		integrationId: 'int-whatsapp',
		region: 'us',
		templateNamespace: 'c8ae5f90_307a_ca4c_b8f6_d1e2a2573574',
		webhookSecret: 'smooch-webhook-secret',
	},
	secretFields: ['secret', 'webhookSecret'],
	apiHost: 'https://api.smooch.io',
	callbackSecret: 'webhookSecret',
	callbackEncoding: 'json',
	signCallback: ({ secret }) => ({ headers: { 'X-API-Key': secret } }),
	secretCarrier: { header: 'X-API-Key' },
	callbackUrl: (url) => url,
	statusWords: { 'notification:delivery:user': 'delivered', 'conversation:read': 'seen', 'notification:delivery:failure': 'discarded' },
	recipientSent: (body) => body.destination && body.destination.destinationId,
	recipientAsSent: (e164) => e164,
	sentText: (body) => body.message && body.message.text,
	// conversation:read names no message: the e2e suite finds it by the conversation and user of the send.
	seenByConversation: {
		readOf: (body) => ({ conversationId: body.conversation._id, userId: body.appUser._id }),
		conversationOfDelivery: (body) => body.matchResult.conversation._id,
	},
	undeliverableCode: 131026,
	invalidError: 'bad_request',
	override: {
		override: {
			_config: { integrationId: 'e2e-other-integration' },
			message: { type: 'image', mediaUrl: 'https://example.com/a.png' },
			metadata: { orderId: 'A-17' },
		},
		verify: (body) =>
			body.destination.integrationId === 'e2e-other-integration' &&
			body.message.type === 'image' &&
			body.message.mediaUrl === 'https://example.com/a.png' &&
			body.message.text === 'e2e override via smooch' &&
			body.metadata.orderId === 'A-17' &&
			!('_config' in body),
		says: 'destination.integrationId e2e-other-integration (from _config), message.type image + mediaUrl merged with the text, metadata kept',
	},
	// Smooch has no template list: a template is named, and sent with the credential's namespace.
	templateRef: (template) => ({ value: template.name, mode: 'id' }),
	templateSettings: { templateNamespace: SANDBOX_CREDENTIALS.smooch.templateNamespace },
	sentTemplate: (body, { template, variables }) =>
		body.messageSchema === 'whatsapp' &&
		JSON.stringify(body.message) ===
			JSON.stringify({
				type: 'template',
				template: {
					namespace: SANDBOX_CREDENTIALS.smooch.templateNamespace,
					name: template.name,
					language: { policy: 'deterministic', code: 'en' },
					components: [{ type: 'body', parameters: variables.map((text) => ({ type: 'text', text })) }],
				},
			}),
	sentDocument: (body, { url, caption }) =>
		JSON.stringify(body.message) === JSON.stringify({ type: 'file', mediaUrl: url, mediaType: 'application/pdf', text: caption }),
	normalizeBench: { 'smooch-v1.1-notification': 'notificationDelivered', 'smooch-v2-events-batch': 'v2Batch' },
	forgeries,
	hostileCallbacks,
	loadCallback,
};
