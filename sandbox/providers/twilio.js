'use strict';

/**
 * Twilio Programmable Messaging, WhatsApp channel: the Messages endpoint, the
 * account lookup n8n's credential test makes, and signed form-encoded status callbacks.
 */

const crypto = require('crypto');

const { SANDBOX_CREDENTIALS, outcomeFor } = require('../constants');
const { basicAuth } = require('../lib/http');
const { stableHex, toE164, twilioSid } = require('../lib/ids');
const { checkTwilio, twilioContentAndApprovals } = require('../templates');

const NAME = 'twilio';
const API_VERSION = '2010-04-01';
const MAX_BODY_LENGTH = 1600;

/** Twilio's error resource: code, message, more_info, status. */
function twilioError(status, code, message, headers) {
	return {
		status,
		headers,
		body: { code, message, more_info: `https://www.twilio.com/docs/errors/${code}`, status },
	};
}

function unauthorized() {
	return twilioError(401, 20003, 'Authenticate', { 'WWW-Authenticate': 'Basic realm="Twilio API"' });
}

function tooManyRequests(retryAfterSeconds) {
	return twilioError(429, 20429, 'Too Many Requests', { 'Retry-After': String(retryAfterSeconds) });
}

/** The Basic credential must be the sandbox account's, and the path must name that same account. */
function isAuthorized(headers, pathAccountSid) {
	const { accountSid, authToken } = SANDBOX_CREDENTIALS.twilio;
	const auth = basicAuth(headers);
	return Boolean(auth) && auth.user === accountSid && auth.password === authToken && pathAccountSid === accountSid;
}

/** Twilio's dates are RFC 2822 with a numeric zone. */
function twilioDate(date) {
	return date.toUTCString().replace('GMT', '+0000');
}

const firstOf = (value) => (Array.isArray(value) ? value[0] : value);
const listOf = (value) => (value === undefined ? [] : [].concat(value));

/** "whatsapp:+15551234567" → "+15551234567"; null for anything else (this sandbox is WhatsApp only). */
function whatsAppNumber(address) {
	if (typeof address !== 'string' || !address.startsWith('whatsapp:')) return null;
	return toE164(address);
}

/** Checks the fields in Twilio's order; returns an error answer, or null when the request is sendable. */
function validateMessage({ to, from, serviceSid, text, media, contentSid }) {
	if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
	if (!whatsAppNumber(to)) return twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
	if (!from && !serviceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
	if (!serviceSid && !whatsAppNumber(from)) return twilioError(400, 21212, `Invalid 'From' Phone Number: ${from}`);
	if (!text && media.length === 0 && !contentSid) return twilioError(400, 21602, 'Message body is required.');
	if (text && text.length > MAX_BODY_LENGTH) {
		return twilioError(400, 21617, 'The concatenated message body exceeds the 1600 character limit.');
	}
	return null;
}

/** The Message resource as Twilio returns it on creation. */
function messageResource({ sid, accountSid, to, from, serviceSid, text, media }) {
	const now = twilioDate(new Date());
	const uri = `/${API_VERSION}/Accounts/${accountSid}/Messages/${sid}.json`;
	return {
		account_sid: accountSid,
		api_version: API_VERSION,
		body: text || '',
		date_created: now,
		date_sent: null,
		date_updated: now,
		direction: 'outbound-api',
		error_code: null,
		error_message: null,
		// With a Messaging Service, Twilio picks the sender later: `from` is null until then.
		from: serviceSid ? null : from,
		messaging_service_sid: serviceSid || null,
		num_media: String(media.length),
		num_segments: '1',
		price: null,
		price_unit: 'USD',
		sid,
		status: serviceSid ? 'accepted' : 'queued',
		subresource_uris: { media: uri.replace(/\.json$/, '/Media.json') },
		to,
		uri,
	};
}

function sendMessage({ params, headers, body, retryAfterSeconds }) {
	if (!isAuthorized(headers, params[0])) return unauthorized();
	const fields = body || {};
	const request = {
		to: firstOf(fields.To),
		from: firstOf(fields.From),
		serviceSid: firstOf(fields.MessagingServiceSid),
		text: firstOf(fields.Body),
		media: listOf(fields.MediaUrl),
		contentSid: firstOf(fields.ContentSid),
	};
	const invalid = validateMessage(request);
	if (invalid) return invalid;
	const wrongShape = checkTwilio({ ...request, contentVariables: firstOf(fields.ContentVariables) });
	if (wrongShape) return twilioError(400, twilioShapeCode(wrongShape), wrongShape);

	const recipient = whatsAppNumber(request.to);
	const outcome = outcomeFor(recipient);
	if (outcome === 'invalid') return twilioError(400, 21211, `Invalid 'To' Phone Number: ${request.to}`);
	if (outcome === 'rateLimited') return tooManyRequests(retryAfterSeconds);
	if (outcome === 'serverError') return twilioError(500, 20500, 'Internal Server Error');

	const accountSid = params[0];
	const sid = twilioSid('SM');
	return {
		status: 201,
		body: messageResource({ sid, accountSid, ...request }),
		messageId: sid,
		message: {
			messageId: sid,
			outcome,
			recipient,
			accountSid,
			to: request.to,
			// The sender a Messaging Service picks is the sandbox's number.
			from: request.serviceSid ? `whatsapp:${SANDBOX_CREDENTIALS.twilio.fromNumber}` : request.from,
			serviceSid: request.serviceSid || null,
		},
	};
}

/** Twilio's codes for a bad template or media send: 21620 media URL, 21655 ContentSid, 21656 ContentVariables. */
function twilioShapeCode(problem) {
	if (problem.startsWith('MediaUrl')) return 21620;
	return problem.startsWith('ContentSid') ? 21655 : 21656;
}

/** GET content.twilio.com/v1/ContentAndApprovals: the account's templates with WhatsApp's verdict. */
function listContentAndApprovals({ headers }) {
	const { accountSid } = SANDBOX_CREDENTIALS.twilio;
	if (!isAuthorized(headers, accountSid)) return unauthorized();
	return { status: 200, body: twilioContentAndApprovals(accountSid) };
}

/** GET /Accounts/{sid}.json: what n8n's credential test calls. */
function fetchAccount({ params, headers }) {
	if (!isAuthorized(headers, params[0])) return unauthorized();
	const accountSid = params[0];
	return {
		status: 200,
		body: {
			sid: accountSid,
			owner_account_sid: accountSid,
			friendly_name: 'Sandbox account',
			status: 'active',
			type: 'Full',
			date_created: twilioDate(new Date(0)),
			date_updated: twilioDate(new Date(0)),
			uri: `/${API_VERSION}/Accounts/${accountSid}.json`,
			subresource_uris: { messages: `/${API_VERSION}/Accounts/${accountSid}/Messages.json` },
		},
	};
}

/**
 * X-Twilio-Signature: base64 HMAC-SHA1 keyed with the auth token, over the URL
 * exactly as configured (query included) followed by every POST field as
 * key + value in sorted key order.
 */
function twilioSignature(authToken, url, params) {
	let signed = url;
	for (const key of Object.keys(params).sort()) {
		// A repeated key signs each distinct value, sorted (as twilio-node's validator does).
		for (const value of [...new Set([].concat(params[key]).map(String))].sort()) signed += key + value;
	}
	return crypto.createHmac('sha1', authToken).update(signed, 'utf-8').digest('base64');
}

/** Twilio's reason texts for the failures the test numbers produce. */
const FAILURES = {
	63024: 'Invalid message recipient',
	63016:
		'Failed to send freeform message because you are outside the allowed window. If you are using WhatsApp, please use a Message Template.',
};

/** [MessageStatus, EventType or null, ErrorCode or null] per outcome; Twilio sends no callback for queued. */
const SEQUENCES = {
	delivered: [
		['sent', null, null],
		['delivered', 'DELIVERED', null],
		['read', 'READ', null],
	],
	undeliverable: [
		['sent', null, null],
		['undelivered', 'UNDELIVERED', 63024],
	],
	// The 24-hour window is checked before anything reaches WhatsApp: straight to failed.
	outsideWindow: [['failed', null, 63016]],
};

function callbackParams(message, [status, eventType, errorCode]) {
	const params = {
		AccountSid: message.accountSid,
		ApiVersion: API_VERSION,
		ChannelInstallSid: `XE${stableHex(`channel:${message.accountSid}`, 32)}`,
		ChannelPrefix: 'whatsapp',
		ChannelToAddress: message.recipient,
		From: message.from,
		MessageSid: message.messageId,
		MessageStatus: status,
		SmsSid: message.messageId,
		SmsStatus: status,
		To: message.to,
	};
	if (message.serviceSid) params.MessagingServiceSid = message.serviceSid;
	if (eventType) params.EventType = eventType;
	if (errorCode) {
		params.ErrorCode = String(errorCode);
		params.ChannelStatusMessage = FAILURES[errorCode];
	}
	return params;
}

/** The callbacks one accepted message produces, each built when it is sent. */
function callbacksFor(message) {
	return (SEQUENCES[message.outcome] || []).map((step) => ({
		status: step[0],
		messageId: message.messageId,
		build(url) {
			const params = callbackParams(message, step);
			return {
				headers: {
					'Content-Type': 'application/x-www-form-urlencoded',
					'User-Agent': 'TwilioProxy/1.1',
					'X-Twilio-Signature': twilioSignature(SANDBOX_CREDENTIALS.twilio.authToken, url, params),
				},
				body: new URLSearchParams(params).toString(),
				payload: params,
			};
		},
	}));
}

// -- the kit: what the test suites know about Twilio ------------------------------------------

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

/** The callback with another message id, as Twilio would send for another message. */
const withMessageSid = (fields, sid) => ({ ...fields, MessageSid: sid, SmsSid: sid });

/** Forged callbacks for the e2e suite (each must get 401) and one genuine one carrying a new id. */
function forgeries({ original, url }) {
	const { authToken } = SANDBOX_CREDENTIALS.twilio;
	const fields = original('delivered');
	const form = new URLSearchParams(fields).toString();
	const tampered = { ...fields, MessageStatus: 'read', SmsStatus: 'read' };
	const id = twilioSid('SM');
	const genuine = withMessageSid(fields, id);
	const signed = (signature) => ({ ...FORM, 'x-twilio-signature': signature });
	return {
		forged: [
			['no X-Twilio-Signature', url, { body: form, headers: FORM }],
			['signed with a wrong auth token', url, { body: form, headers: signed(twilioSignature('not-the-auth-token', url, fields)) }],
			['fields changed after signing', url, { body: new URLSearchParams(tampered).toString(), headers: signed(twilioSignature(authToken, url, fields)) }],
			['signed for another URL', url, { body: form, headers: signed(twilioSignature(authToken, `${url}x`, fields)) }],
		],
		markerId: id,
		genuine: [url, { body: new URLSearchParams(genuine).toString(), headers: signed(twilioSignature(authToken, url, genuine)) }],
	};
}

/** Callers who are not Twilio, with hostile field types, and a signature made for another host. */
function hostileCallbacks({ url, json }) {
	const fields = { MessageSid: 'SM1', MessageStatus: 'delivered' };
	// A signature Twilio would make for the same path on another host, with that host named in the headers.
	const foreignUrl = url.replace(/^https?:\/\/[^/]+/, 'https://attacker.example.org');
	return [
		['Twilio: JSON with MessageStatus {"toString":1} and a made-up signature', { body: JSON.stringify({ MessageSid: 'SM1', MessageStatus: { toString: 1 } }), headers: { ...json, 'x-twilio-signature': 'c2lnbmF0dXJl' } }],
		['Twilio: JSON with an array status', { body: JSON.stringify({ MessageSid: ['SM1'], MessageStatus: ['delivered'] }), headers: { ...json, 'x-twilio-signature': 'c2lnbmF0dXJl' } }],
		[
			'Twilio: signed for the same path on another host, Host and X-Forwarded-* naming it',
			{
				body: new URLSearchParams(fields).toString(),
				headers: {
					...FORM,
					host: 'attacker.example.org',
					'x-forwarded-host': 'attacker.example.org',
					'x-forwarded-proto': 'https',
					'x-twilio-signature': twilioSignature(SANDBOX_CREDENTIALS.twilio.authToken, foreignUrl, fields),
				},
			},
		],
	];
}

module.exports = {
	name: NAME,
	routes: [
		{ method: 'POST', pattern: /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/, kind: 'send', handle: sendMessage },
		{ method: 'GET', pattern: /^\/2010-04-01\/Accounts\/([^/]+)\.json$/, kind: 'check', handle: fetchAccount },
		// The Content API's host (content.twilio.com) is another; a sandbox Base URL serves both.
		{ method: 'GET', pattern: /^\/v1\/ContentAndApprovals$/, kind: 'list', handle: listContentAndApprovals },
	],
	tooManyRequests,
	callbacksFor,

	sandboxCredential: (baseUrl) => ({ ...SANDBOX_CREDENTIALS.twilio, messagingServiceSid: '', baseUrl }),
	testCredential: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'twilio-secret-token', fromNumber: '+14155238886' },
	secretFields: ['authToken'],
	apiHost: 'https://api.twilio.com',
	callbackSecret: 'authToken',
	callbackEncoding: 'form',
	signCallback: ({ secret, url, fields }) => ({ headers: { 'X-Twilio-Signature': twilioSignature(secret, url, fields) } }),
	secretCarrier: { header: 'X-Twilio-Signature' },
	signsUrl: true,
	callbackUrl: (url) => url,
	statusWords: { delivered: 'delivered', read: 'seen', undelivered: 'discarded', failed: 'discarded' },
	recipientSent: (fields) => fields.To,
	recipientAsSent: (e164) => `whatsapp:${e164}`,
	sentText: (fields) => fields.Body,
	undeliverableCode: 63024,
	invalidError: '21211',
	override: {
		override: { _config: { fromNumber: '+15550001111' }, MediaUrl: ['https://example.com/a.png'] },
		verify: (fields) =>
			fields.From === 'whatsapp:+15550001111' &&
			JSON.stringify([].concat(fields.MediaUrl)) === JSON.stringify(['https://example.com/a.png']) &&
			fields.Body === 'e2e override via twilio' &&
			!('_config' in fields),
		says: 'From whatsapp:+15550001111 (from _config), MediaUrl [https://example.com/a.png], Body kept, no _config field',
	},
	templateRef: (template) => ({ value: template.twilioSid, mode: 'list' }),
	sentTemplate: (fields, { template, variables }) =>
		fields.ContentSid === template.twilioSid &&
		fields.ContentVariables === JSON.stringify(Object.fromEntries(variables.map((value, index) => [index + 1, value]))) &&
		fields.Body === undefined,
	sentDocument: (fields, { url, caption }) => fields.MediaUrl === url && fields.Body === caption,
	forgeries,
	hostileCallbacks,
	twilioSignature,
};
