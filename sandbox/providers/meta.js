'use strict';

/**
 * Meta's WhatsApp Cloud API: the messages endpoint, the phone-number read n8n's credential
 * test makes, status webhooks signed with the App Secret (X-Hub-Signature-256), and the GET
 * verification Meta makes when a Callback URL is saved.
 */

const crypto = require('crypto');

const { SANDBOX_CREDENTIALS, outcomeFor } = require('../constants');
const { checkWebhookUrl } = require('../lib/http');
const { toE164, whatsAppMessageId } = require('../lib/ids');
const { mediaKind } = require('../lib/inbound');
const { checkMeta, metaMessageTemplates, sentButtons } = require('../templates');

const NAME = 'meta';

/** A Graph API error: `{error: {message, type, code, error_data: {messaging_product, details}, fbtrace_id}}`. */
function graphError(status, code, title, details, headers) {
	return {
		status,
		headers,
		body: {
			error: {
				message: `(#${code}) ${title}`,
				type: 'OAuthException',
				code,
				error_data: { messaging_product: 'whatsapp', details },
				fbtrace_id: crypto.randomBytes(12).toString('base64url'),
			},
		},
	};
}

function unauthorized() {
	return graphError(401, 190, 'Invalid OAuth access token.', 'Invalid OAuth access token - Cannot parse access token');
}

/**
 * Meta's throughput limit: code 130429, which the package retries like a 429. Meta sends no
 * Retry-After; the sandbox adds one only so its --retry-after setting means the same for everyone.
 */
function tooManyRequests(retryAfterSeconds) {
	return graphError(
		429,
		130429,
		'Rate limit hit',
		'Message failed to send because there were too many messages sent from this phone number in a short period of time',
		{ 'Retry-After': String(retryAfterSeconds) },
	);
}

/** The sandbox's token opens every phone number id (the route only takes numeric ones), so _config.phoneNumberId can switch senders. */
function isAuthorized(headers) {
	return headers.authorization === `Bearer ${SANDBOX_CREDENTIALS.meta.accessToken}`;
}

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const invalidParameter = (details) => graphError(400, 100, 'Invalid parameter', details);

/** Returns an error answer, or null when the message can be sent. */
function validateMessage(body) {
	if (!isObject(body)) return invalidParameter('The request body must be a JSON object');
	if (body.messaging_product !== 'whatsapp') return invalidParameter('Param messaging_product must be "whatsapp"');
	// Meta takes the number with or without "+"; the sandbox reads it as E.164.
	if (!toE164(body.to)) return invalidParameter(`Param to ${JSON.stringify(body.to)} is not a valid phone number`);
	if (typeof body.type !== 'string') return invalidParameter('Param type is required');
	if (!isObject(body[body.type])) return invalidParameter(`Param ${body.type} is required for type ${body.type}`);
	if (body.type === 'text' && (typeof body.text.body !== 'string' || body.text.body === '')) {
		return invalidParameter('Param text[\'body\'] is required');
	}
	const wrongShape = checkMeta(body);
	return wrongShape ? invalidParameter(wrongShape) : null;
}

function sendMessage({ params, headers, body, retryAfterSeconds }) {
	const [, phoneNumberId] = params;
	if (!isAuthorized(headers)) return unauthorized();
	const invalid = validateMessage(body);
	if (invalid) return invalid;

	const recipient = toE164(body.to);
	const outcome = outcomeFor(recipient);
	if (outcome === 'invalid') {
		return graphError(400, 131030, 'Recipient phone number not in allowed list', 'Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again.');
	}
	if (outcome === 'rateLimited') return tooManyRequests(retryAfterSeconds);
	if (outcome === 'serverError') return graphError(500, 1, 'An unknown error occurred', 'An unknown error occurred');

	const messageId = whatsAppMessageId();
	return {
		status: 200,
		body: { messaging_product: 'whatsapp', contacts: [{ input: body.to, wa_id: recipient.slice(1) }], messages: [{ id: messageId }] },
		messageId,
		buttons: sentButtons.meta(body),
		message: { messageId, outcome, recipient, phoneNumberId },
	};
}

/** GET /{version}/{waba-id}/message_templates: the WhatsApp Business Account's templates. */
function listMessageTemplates({ params, headers }) {
	if (!isAuthorized(headers)) return unauthorized();
	if (params[1] !== SANDBOX_CREDENTIALS.meta.businessAccountId) {
		return graphError(400, 100, 'Invalid parameter', `Unsupported get request. Object with ID '${params[1]}' does not exist`);
	}
	return { status: 200, body: metaMessageTemplates() };
}

/** GET /{version}/{phone-number-id}: what n8n's credential test calls. */
/** The phone number's callback override, if one is set (`registrations` holds one per number at most). */
const overrideOf = (registrations, phoneNumberId) => registrations.find((each) => each.phoneNumberId === phoneNumberId);

/**
 * `webhook_configuration`: where the number's `messages` webhooks go, each level Meta reports: the
 * number's override, the WABA's override (none in the sandbox), and the app's callback URL (the
 * URL the sandbox was given for Meta, as a user sets it in the App Dashboard).
 */
function readPhoneNumber({ params, headers, query, registrations, configured }) {
	const [, phoneNumberId] = params;
	if (!isAuthorized(headers)) return unauthorized();
	if (String(query.fields || '').split(',').includes('webhook_configuration')) {
		const override = overrideOf(registrations, phoneNumberId);
		return {
			status: 200,
			body: {
				webhook_configuration: {
					...(override ? { phone_number: override.url } : {}),
					...(configured ? { application: configured } : {}),
				},
				id: phoneNumberId,
			},
		};
	}
	return {
		status: 200,
		body: {
			verified_name: 'Sandbox Business',
			display_phone_number: SANDBOX_CREDENTIALS.meta.displayPhoneNumber,
			id: phoneNumberId,
			quality_rating: 'GREEN',
		},
	};
}

/**
 * POST /{version}/{phone-number-id} {webhook_configuration: {override_callback_uri, verify_token}}:
 * Meta calls the URL with its GET challenge before it answers; an empty URI clears the override.
 */
async function setWebhookConfiguration({ params, headers, body, registrations, challenge }) {
	const [, phoneNumberId] = params;
	if (!isAuthorized(headers)) return unauthorized();
	const configuration = body && body.webhook_configuration;
	if (typeof configuration !== 'object' || configuration === null || typeof configuration.override_callback_uri !== 'string') {
		return graphError(400, 100, 'Invalid parameter', 'webhook_configuration.override_callback_uri is required');
	}
	const url = configuration.override_callback_uri;
	const index = registrations.findIndex((each) => each.phoneNumberId === phoneNumberId);
	if (url === '') {
		if (index >= 0) registrations.splice(index, 1);
		return { status: 200, body: { success: true } };
	}
	try {
		checkWebhookUrl(url);
	} catch (error) {
		return graphError(400, 100, 'Invalid parameter', error.message);
	}
	const answer = await challenge(url, String(configuration.verify_token ?? ''));
	if (!answer.ok) {
		const seen = answer.httpStatus ? `HTTP Status Code = ${answer.httpStatus}` : `no answer (${answer.error})`;
		return graphError(400, 2200, `Callback verification failed with the following errors: ${seen}`, 'The callback URL did not echo hub.challenge');
	}
	const override = { phoneNumberId, url, verifyToken: configuration.verify_token };
	if (index >= 0) registrations[index] = override;
	else registrations.push(override);
	return { status: 200, body: { success: true } };
}

/** The number's override outranks the app's URL (the configured one), as Meta routes `messages` webhooks. */
function callbackTargets({ configured, registrations, message }) {
	const override = overrideOf(registrations, message.phoneNumberId);
	if (override) return [{ url: override.url, registration: override }];
	return configured ? [{ url: configured }] : [];
}

/** WhatsApp's reasons for the failures the test numbers produce, as Meta's status webhooks carry them. */
const FAILURES = {
	undeliverable: { code: 131026, title: 'Message undeliverable', details: 'Message Undeliverable.' },
	outsideWindow: {
		code: 131047,
		title: 'Re-engagement message',
		details: 'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
	},
};

const SEQUENCES = {
	delivered: ['sent', 'delivered', 'read'],
	undeliverable: ['sent', 'failed'],
	outsideWindow: ['failed'],
};

function statusItem(status, message) {
	const item = {
		id: message.messageId,
		status,
		timestamp: String(Math.floor(Date.now() / 1000)),
		recipient_id: message.recipient.slice(1),
	};
	if (status === 'sent' || status === 'delivered') {
		item.pricing = { billable: true, pricing_model: 'PMP', type: 'regular', category: 'utility' };
	}
	if (status === 'failed') {
		const { code, title, details } = FAILURES[message.outcome];
		item.errors = [{ code, title, message: title, error_data: { details }, href: 'https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes/' }];
	}
	return item;
}

function envelope(statuses, message) {
	const { businessAccountId, displayPhoneNumber } = SANDBOX_CREDENTIALS.meta;
	return {
		object: 'whatsapp_business_account',
		entry: [
			{
				id: businessAccountId,
				changes: [
					{
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: displayPhoneNumber.slice(1), phone_number_id: message.phoneNumberId },
							statuses,
						},
						field: 'messages',
					},
				],
			},
		],
	};
}

/** X-Hub-Signature-256: `sha256=` + hex HMAC-SHA256 of the exact bytes sent, keyed with the App Secret. */
function metaSignature(appSecret, rawBody) {
	return `sha256=${crypto.createHmac('sha256', appSecret).update(rawBody).digest('hex')}`;
}

function callbacksFor(message) {
	return (SEQUENCES[message.outcome] || []).map((status) => ({
		status,
		messageId: message.messageId,
		build() {
			const payload = envelope([statusItem(status, message)], message);
			const body = JSON.stringify(payload);
			return {
				headers: {
					'Content-Type': 'application/json',
					'User-Agent': 'facebookexternalua',
					'X-Hub-Signature-256': metaSignature(SANDBOX_CREDENTIALS.meta.appSecret, body),
				},
				body,
				payload,
			};
		},
	}));
}

// -- a customer's message: messages[] in the same envelope, to the number's callback URL ----------

/** One item of `messages[]`: a text, a reply button tapped (interactive button_reply) or a file (a media id). */
function messageItem(message) {
	const item = { from: message.from.slice(1), id: whatsAppMessageId(), timestamp: String(Math.floor(Date.now() / 1000)) };
	if (message.replyTo) item.context = { from: SANDBOX_CREDENTIALS.meta.displayPhoneNumber.slice(1), id: message.replyTo };
	if (message.button) {
		return { ...item, type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: message.button.id, title: message.button.title } } };
	}
	if (message.media) {
		const kind = mediaKind(message.media.mimeType);
		const file = {
			...(message.text && kind !== 'audio' ? { caption: message.text } : {}),
			mime_type: message.media.mimeType,
			sha256: crypto.createHash('sha256').update(message.media.url).digest('base64'),
			// Meta sends an id to download the file with, never its URL.
			id: String(crypto.randomInt(1e14, 2e14)),
		};
		return { ...item, type: kind, [kind]: file };
	}
	return { ...item, type: 'text', text: { body: message.text } };
}

const inbound = {
	event: 'messages',
	businessNumber: SANDBOX_CREDENTIALS.meta.displayPhoneNumber,
	// Customer messages follow the number's override, as its statuses do.
	routing: { phoneNumberId: SANDBOX_CREDENTIALS.meta.phoneNumberId },
	build(_url, _registration, message) {
		const payload = envelope([], { phoneNumberId: SANDBOX_CREDENTIALS.meta.phoneNumberId });
		const value = payload.entry[0].changes[0].value;
		delete value.statuses;
		const item = messageItem(message);
		Object.assign(value, { contacts: [{ profile: { name: message.profileName }, wa_id: message.from.slice(1) }], messages: [item] });
		const body = JSON.stringify(payload);
		return {
			headers: { 'Content-Type': 'application/json', 'User-Agent': 'facebookexternalua', 'X-Hub-Signature-256': metaSignature(SANDBOX_CREDENTIALS.meta.appSecret, body) },
			body,
			payload,
			messageId: item.id,
		};
	},
};

/** The GET Meta makes when a Callback URL is saved in the App Dashboard; the URL must echo the challenge. */
function handshakeRequest(url, verifyToken = SANDBOX_CREDENTIALS.meta.verifyToken) {
	const challenge = String(crypto.randomInt(1e9, 2e9));
	const target = new URL(url);
	target.searchParams.set('hub.mode', 'subscribe');
	target.searchParams.set('hub.verify_token', verifyToken);
	target.searchParams.set('hub.challenge', challenge);
	return { url: target.toString(), challenge };
}

/** The URLs the phone numbers' overrides name. */
const registeredUrls = (registrations) => registrations.map((override) => override.url);
// -- the kit: what the test suites know about Meta ---------------------------------------------

const JSON_TYPE = { 'content-type': 'application/json' };

/** The same callback with another wamid on its status. */
function withMessageId(body, id) {
	const [change] = body.entry[0].changes;
	const status = { ...change.value.statuses[0], id };
	return { ...body, entry: [{ ...body.entry[0], changes: [{ ...change, value: { ...change.value, statuses: [status] } }] }] };
}

/** Forged callbacks for the e2e suite (each must get 401) and one genuine one carrying a new id. */
function forgeries({ original, url, marker }) {
	const { appSecret } = SANDBOX_CREDENTIALS.meta;
	const raw = JSON.stringify(original('delivered'));
	const id = marker();
	const genuine = JSON.stringify(withMessageId(JSON.parse(raw), id));
	const signed = (signature) => ({ ...JSON_TYPE, 'x-hub-signature-256': signature });
	return {
		forged: [
			['no X-Hub-Signature-256', url, { body: raw, headers: JSON_TYPE }],
			['signed with a wrong App Secret', url, { body: raw, headers: signed(metaSignature('not-the-app-secret', raw)) }],
			['body changed after signing', url, { body: raw.replace('"delivered"', '"read"'), headers: signed(metaSignature(appSecret, raw)) }],
		],
		markerId: id,
		genuine: [url, { body: genuine, headers: signed(metaSignature(appSecret, genuine)) }],
	};
}

/** Callers who are not Meta, with hostile field types. */
const hostileCallbacks = ({ json }) => [
	[
		'Meta: statuses as objects, a made-up signature',
		{ body: JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: { toString: 1 } }] }), headers: { ...json, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } },
	],
];

module.exports = {
	name: NAME,
	routes: [
		{ method: 'POST', pattern: /^\/(v\d+\.\d+)\/(\d+)\/messages$/, kind: 'send', handle: sendMessage },
		{ method: 'GET', pattern: /^\/(v\d+\.\d+)\/(\d+)$/, kind: 'check', handle: readPhoneNumber },
		{ method: 'POST', pattern: /^\/(v\d+\.\d+)\/(\d+)$/, kind: 'register', handle: setWebhookConfiguration },
		{ method: 'GET', pattern: /^\/(v\d+\.\d+)\/(\d+)\/message_templates$/, kind: 'list', handle: listMessageTemplates },
	],
	tooManyRequests,
	callbacksFor,
	callbackTargets,
	registeredUrls,
	inbound,
	handshakeRequest,

	sandboxCredential: (baseUrl) => {
		const { accessToken, phoneNumberId, businessAccountId, appSecret, verifyToken, apiVersion } = SANDBOX_CREDENTIALS.meta;
		return { accessToken, phoneNumberId, businessAccountId, appSecret, verifyToken, apiVersion, baseUrl };
	},
	testCredential: {
		accessToken: 'EAAGm0PX4ZCpsBAMetaSecretToken',
		phoneNumberId: '106540352242922',
		businessAccountId: '102290129340398',
		appSecret: 'meta-app-secret',
		verifyToken: 'meta-verify-token',
		apiVersion: 'v24.0',
		baseUrl: 'https://graph.facebook.com',
	},
	secretFields: ['accessToken', 'appSecret', 'verifyToken'],
	apiHost: 'https://graph.facebook.com',
	callbackSecret: 'appSecret',
	callbackEncoding: 'json',
	signCallback: ({ secret, raw }) => ({ headers: { 'X-Hub-Signature-256': metaSignature(secret, raw) } }),
	secretCarrier: { header: 'X-Hub-Signature-256' },
	callbackUrl: (url) => url,
	statusWords: { delivered: 'delivered', read: 'seen', failed: 'discarded' },
	recipientSent: (body) => body.to,
	recipientAsSent: (e164) => e164,
	// A text, or the body of an interactive (reply-button) message.
	sentText: (body) => (body.text && body.text.body) || (body.interactive && body.interactive.body && body.interactive.body.text),
	undeliverableCode: 131026,
	invalidError: '131030',
	override: {
		override: { _config: { phoneNumberId: '109876543210' }, text: { preview_url: true }, biz_opaque_callback_data: 'order-A-17' },
		verify: (body, record) =>
			record.path === `/${SANDBOX_CREDENTIALS.meta.apiVersion}/109876543210/messages` &&
			body.text.body === 'e2e override via meta' &&
			body.text.preview_url === true &&
			body.biz_opaque_callback_data === 'order-A-17' &&
			body.to === '+15557654321' &&
			!('_config' in body),
		says: 'sent from phone number id 109876543210 (from _config), text.preview_url merged with the body, biz_opaque_callback_data kept',
	},
	templateRef: (template) => ({ value: template.name, mode: 'list' }),
	sentTemplate: (body, { template, variables }) =>
		body.type === 'template' &&
		JSON.stringify(body.template) === JSON.stringify({ name: template.name, language: { code: 'en' }, components: [{ type: 'body', parameters: variables.map((text) => ({ type: 'text', text })) }] }),
	sentDocument: (body, { url, fileName, caption }) =>
		body.type === 'document' && JSON.stringify(body.document) === JSON.stringify({ link: url, caption, filename: fileName }),
	normalizeBench: { meta: 'delivered', 'meta-two-statuses': 'batchOfTwo' },
	// The phone number's callback override holds one URL: a second trigger on the number is refused.
	oneRegistrationPerAccount: true,
	forgeries,
	hostileCallbacks,
	metaSignature,
};
