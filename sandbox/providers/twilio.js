'use strict';

/**
 * Twilio Programmable Messaging, WhatsApp channel: the Messages endpoint, the
 * account lookup n8n's credential test makes, and signed form-encoded status callbacks.
 */

const crypto = require('crypto');

const { SANDBOX_CREDENTIALS, outcomeFor } = require('../constants');
const { basicAuth, checkWebhookUrl } = require('../lib/http');
const { stableHex, toE164, twilioSid } = require('../lib/ids');
const { mediaKind } = require('../lib/inbound');
const { createContent, listContents } = require('../buttons');
const { checkTwilio, sentButtons, twilioContentAndApprovals } = require('../templates');

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
/**
 * An address of either channel: `whatsapp:+…`, or a plain number for SMS (the same Messages API
 * sends both; another system of the account may send SMS while the trigger listens).
 */
function channelNumber(address) {
	return whatsAppNumber(address) ?? (typeof address === 'string' ? toE164(address) : null);
}

function validateMessage({ to, from, serviceSid, text, media, contentSid }) {
	if (!to) return twilioError(400, 21604, "A 'To' phone number is required.");
	if (!channelNumber(to)) return twilioError(400, 21211, `Invalid 'To' Phone Number: ${to}`);
	if (!from && !serviceSid) return twilioError(400, 21603, "A 'From' phone number is required.");
	if (!serviceSid && !channelNumber(from)) return twilioError(400, 21212, `Invalid 'From' Phone Number: ${from}`);
	if (!serviceSid && Boolean(whatsAppNumber(to)) !== Boolean(whatsAppNumber(from))) {
		return twilioError(400, 21910, 'Invalid From and To pair. From and To should be of the same channel');
	}
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

	const recipient = channelNumber(request.to);
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
		buttons: sentButtons.twilio(request.contentSid, firstOf(fields.ContentVariables)),
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

/** GET content.twilio.com/v1/Content: the Content made here (through the Content API). */
function listContent({ headers }) {
	const { accountSid } = SANDBOX_CREDENTIALS.twilio;
	if (!isAuthorized(headers, accountSid)) return unauthorized();
	return { status: 200, body: { contents: listContents(), meta: { page: 0, page_size: 1000, key: 'contents', next_page_url: null } } };
}

/** POST content.twilio.com/v1/Content (JSON): makes a Content, such as the quick-reply one reply buttons are sent with. */
function makeContent({ headers, body }) {
	const { accountSid } = SANDBOX_CREDENTIALS.twilio;
	if (!isAuthorized(headers, accountSid)) return unauthorized();
	const { problem, content } = createContent(accountSid, body);
	return problem ? twilioError(400, 21656, problem) : { status: 201, body: content };
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
	/** @type {Record<string, string>} */
	const params = {
		AccountSid: message.accountSid,
		ApiVersion: API_VERSION,
		// The channel fields come with WhatsApp only, not with an SMS.
		...(whatsAppNumber(message.to)
			? { ChannelInstallSid: `XE${stableHex(`channel:${message.accountSid}`, 32)}`, ChannelPrefix: 'whatsapp', ChannelToAddress: message.recipient }
			: {}),
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

// -- Event Streams (events.twilio.com): webhook sinks and their subscriptions ----------------------

/** Event Streams authenticates with the account's own credential; no account in the path. */
const isAccount = (headers) => isAuthorized(headers, SANDBOX_CREDENTIALS.twilio.accountSid);

const eventStreamsError = (status, code, message) => twilioError(status, code, message);

/** Sinks and subscriptions share the provider's registrations, told apart by `kind`. */
const sinksIn = (registrations) => registrations.filter((each) => each.kind === 'sink');
const subscriptionsIn = (registrations) => registrations.filter((each) => each.kind === 'subscription');

function publicSink(sink) {
	const { kind, ...resource } = sink;
	return resource;
}

function listSinks({ headers, registrations }) {
	if (!isAccount(headers)) return unauthorized();
	return { status: 200, body: { sinks: sinksIn(registrations).map(publicSink), meta: { page: 0, page_size: 100, key: 'sinks' } } };
}

function readJsonField(text) {
	try {
		const value = JSON.parse(text);
		return typeof value === 'object' && value !== null && !Array.isArray(value) ? value : undefined;
	} catch {
		return undefined;
	}
}

/** POST /v1/Sinks: Description, SinkType=webhook, SinkConfiguration={"destination", "method"}. */
function createSink({ headers, body, registrations }) {
	if (!isAccount(headers)) return unauthorized();
	const fields = body || {};
	if (!fields.Description) return eventStreamsError(400, 20001, 'Missing required parameter Description in the post body');
	if (fields.SinkType !== 'webhook') return eventStreamsError(400, 20001, 'The sandbox plays webhook sinks only (SinkType=webhook)');
	const configuration = readJsonField(fields.SinkConfiguration);
	if (!configuration || typeof configuration.destination !== 'string') {
		return eventStreamsError(400, 20001, 'SinkConfiguration must be JSON with a destination');
	}
	try {
		checkWebhookUrl(configuration.destination);
	} catch (error) {
		return eventStreamsError(400, 20001, error.message);
	}
	const sid = twilioSid('DG');
	const sink = {
		kind: 'sink',
		sid,
		description: fields.Description,
		sink_configuration: { destination: configuration.destination, method: configuration.method || 'POST', batch_events: false },
		sink_type: 'webhook',
		status: 'active',
		date_created: new Date().toISOString(),
		url: `https://events.twilio.com/v1/Sinks/${sid}`,
	};
	registrations.push(sink);
	return { status: 201, body: publicSink(sink) };
}

/** Removes one registration of a kind by sid; Twilio answers 204 with no body. */
function deleteBySid(kind, what) {
	return ({ params, headers, registrations }) => {
		if (!isAccount(headers)) return unauthorized();
		const index = registrations.findIndex((each) => each.kind === kind && each.sid === params[0]);
		if (index < 0) return eventStreamsError(404, 20404, `The requested resource /v1/${what}/${params[0]} was not found`);
		if (kind === 'sink' && subscriptionsIn(registrations).some((subscription) => subscription.sink_sid === params[0])) {
			return eventStreamsError(400, 20001, 'The sink has subscriptions: delete them first');
		}
		registrations.splice(index, 1);
		return { status: 204, body: undefined };
	};
}

/** A Subscription as Twilio shows it: its event types are a subresource (SubscribedEvents), not a field. */
function publicSubscription(subscription) {
	const { kind, types, ...resource } = subscription;
	return { ...resource, links: { subscribed_events: `${resource.url}/SubscribedEvents` } };
}

function listSubscriptions({ headers, query, registrations }) {
	if (!isAccount(headers)) return unauthorized();
	const subscriptions = subscriptionsIn(registrations).filter((each) => !query.SinkSid || each.sink_sid === query.SinkSid);
	return { status: 200, body: { subscriptions: subscriptions.map(publicSubscription), meta: { page: 0, page_size: 50, key: 'subscriptions' } } };
}

/** GET /v1/Subscriptions/{sid}/SubscribedEvents: the subscription's event types, `{types: [{type, schema_version, …}]}`. */
function listSubscribedEvents({ params, headers, registrations }) {
	if (!isAccount(headers)) return unauthorized();
	const subscription = subscriptionsIn(registrations).find((each) => each.sid === params[0]);
	if (!subscription) return eventStreamsError(404, 20404, `The requested resource /v1/Subscriptions/${params[0]}/SubscribedEvents was not found`);
	const types = subscription.types.map((type) => ({
		account_sid: subscription.account_sid,
		type,
		schema_version: 1,
		subscription_sid: subscription.sid,
		url: `${subscription.url}/SubscribedEvents/${type}`,
	}));
	return { status: 200, body: { types, meta: { page: 0, page_size: 50, key: 'types' } } };
}

/** POST /v1/Subscriptions: Description, SinkSid, Types (repeated, each `{"type": …, "schema_version"?: n}`). */
function createSubscription({ headers, body, registrations }) {
	if (!isAccount(headers)) return unauthorized();
	const fields = body || {};
	if (!sinksIn(registrations).some((sink) => sink.sid === fields.SinkSid)) {
		return eventStreamsError(400, 20001, `Sink ${fields.SinkSid} not found`);
	}
	const types = [].concat(fields.Types ?? []).map(readJsonField);
	if (types.length === 0 || types.some((type) => !type || typeof type.type !== 'string')) {
		return eventStreamsError(400, 20001, 'Types must be one or more JSON objects with a type');
	}
	const sid = twilioSid('DF');
	const subscription = {
		kind: 'subscription',
		sid,
		account_sid: SANDBOX_CREDENTIALS.twilio.accountSid,
		description: fields.Description || '',
		sink_sid: fields.SinkSid,
		types: types.map((type) => type.type),
		date_created: new Date().toISOString(),
		url: `https://events.twilio.com/v1/Subscriptions/${sid}`,
	};
	registrations.push(subscription);
	return { status: 201, body: publicSubscription(subscription) };
}

const EVENT_TYPE_PREFIX = 'com.twilio.messaging.message.';
/** Event Streams' type for a customer's message (Messaging.InboundMessageV1). */
const INBOUND_EVENT_TYPE = 'com.twilio.messaging.inbound-message.received';

/** The Event Streams type of a callback the sandbox sends: a status, or `inbound` for a customer's message. */
const eventTypeOf = (status) => (status === 'inbound' ? INBOUND_EVENT_TYPE : EVENT_TYPE_PREFIX + status);

/** The configured URL gets classic callbacks; each sink gets the events its subscriptions name. */
function callbackTargets({ configured, registrations }) {
	const subscribed = (sink) =>
		new Set(subscriptionsIn(registrations).filter((each) => each.sink_sid === sink.sid).flatMap((each) => each.types));
	return [
		...(configured ? [{ url: configured }] : []),
		...sinksIn(registrations).map((sink) => ({
			url: sink.sink_configuration.destination,
			registration: sink,
			accepts: (status) => subscribed(sink).has(eventTypeOf(status)),
		})),
	];
}

/** One status as Event Streams posts it: a CloudEvents array, signed over the URL with bodySHA256 added. */
function eventStreamsRequest(url, message, step) {
	const [status, , errorCode] = step;
	const now = new Date().toISOString();
	const data = {
		messageSid: message.messageId,
		timestamp: now,
		accountSid: message.accountSid,
		eventName: EVENT_TYPE_PREFIX + status,
		apiVersion: API_VERSION,
		from: message.from,
		to: message.to,
		messageStatus: status.toUpperCase(),
		...(message.serviceSid ? { messagingServiceSid: message.serviceSid } : {}),
		...(errorCode ? { errorCode } : {}),
	};
	const payload = [
		{
			specversion: '1.0',
			type: EVENT_TYPE_PREFIX + status,
			source: `/2010-04-01/Accounts/${message.accountSid}/Messages/${message.messageId}.json`,
			id: twilioSid('EZ'),
			dataschema: 'https://events-schemas.twilio.com/Messaging.MessageStatus/8',
			datacontenttype: 'application/json',
			time: now,
			data,
		},
	];
	return signedEvent(url, payload);
}

/** A webhook call as Twilio makes it: form fields signed with the auth token over the URL and the fields. */
function formRequest(url, fields) {
	return {
		headers: {
			'Content-Type': 'application/x-www-form-urlencoded',
			'User-Agent': 'TwilioProxy/1.1',
			'X-Twilio-Signature': twilioSignature(SANDBOX_CREDENTIALS.twilio.authToken, url, fields),
		},
		body: new URLSearchParams(fields).toString(),
		payload: fields,
	};
}

/** The callbacks one accepted message produces, each built when it is sent. */
function callbacksFor(message) {
	// An SMS has no read receipt.
	const steps = (SEQUENCES[message.outcome] || []).filter((step) => whatsAppNumber(message.to) || step[0] !== 'read');
	return steps.map((step) => ({
		status: step[0],
		messageId: message.messageId,
		build(url, registration) {
			if (registration) return eventStreamsRequest(url, message, step);
			return formRequest(url, callbackParams(message, step));
		},
	}));
}

// -- a customer's message: the incoming-message webhook, or Event Streams' inbound-message.received --

/** Twilio's request to the "a message comes in" URL: form fields, WhatsApp's own among them. */
function inboundFields(message, sid) {
	const { accountSid } = SANDBOX_CREDENTIALS.twilio;
	const fields = {
		SmsMessageSid: sid,
		NumMedia: message.media ? '1' : '0',
		ProfileName: message.profileName,
		MessageType: message.button ? 'interactive' : message.media ? mediaKind(message.media.mimeType) : 'text',
		SmsSid: sid,
		WaId: message.from.slice(1),
		SmsStatus: 'received',
		Body: message.button ? message.button.title : message.text ?? '',
		To: `whatsapp:${message.to}`,
		NumSegments: '1',
		ReferralNumMedia: '0',
		MessageSid: sid,
		AccountSid: accountSid,
		From: `whatsapp:${message.from}`,
		ApiVersion: API_VERSION,
	};
	if (message.button) Object.assign(fields, { ButtonText: message.button.title, ButtonPayload: message.button.id });
	if (message.media) Object.assign(fields, { MediaUrl0: message.media.url, MediaContentType0: message.media.mimeType });
	if (message.replyTo) fields.OriginalRepliedMessageSid = message.replyTo;
	return fields;
}

/** Event Streams' copy: its documented data carries the text and the number of files only. */
function inboundEvent(url, message, sid) {
	const now = new Date().toISOString();
	const payload = [
		{
			specversion: '1.0',
			type: INBOUND_EVENT_TYPE,
			source: `/2010-04-01/Accounts/${SANDBOX_CREDENTIALS.twilio.accountSid}/Messages/${sid}.json`,
			id: twilioSid('EZ'),
			dataschema: 'https://events-schemas.twilio.com/Messaging.InboundMessageV1/6',
			datacontenttype: 'application/json',
			time: now,
			data: {
				messageSid: sid,
				timestamp: now,
				accountSid: SANDBOX_CREDENTIALS.twilio.accountSid,
				eventName: INBOUND_EVENT_TYPE,
				from: `whatsapp:${message.from}`,
				to: `whatsapp:${message.to}`,
				numMedia: message.media ? 1 : 0,
				numSegments: 1,
				body: message.button ? message.button.title : message.text ?? '',
				recipients: [],
			},
		},
	];
	return signedEvent(url, payload);
}

/** CloudEvents as Event Streams posts them: JSON, signed over the URL with bodySHA256 added. */
function signedEvent(url, payload) {
	const body = JSON.stringify(payload);
	const signedUrl = `${url}${url.includes('?') ? '&' : '?'}bodySHA256=${crypto.createHash('sha256').update(body).digest('hex')}`;
	return {
		url: signedUrl,
		headers: {
			'Content-Type': 'application/json',
			'User-Agent': 'Twilio-Event-Streams',
			'X-Twilio-Signature': twilioSignature(SANDBOX_CREDENTIALS.twilio.authToken, signedUrl, {}),
		},
		body,
		payload,
	};
}

const inbound = {
	event: 'inbound',
	businessNumber: SANDBOX_CREDENTIALS.twilio.fromNumber,
	routing: {},
	/** A sink gets Event Streams' event; the configured URL the incoming-message webhook. */
	build(url, registration, message) {
		const sid = twilioSid(message.media ? 'MM' : 'SM');
		if (registration) return { ...inboundEvent(url, message, sid), messageId: sid };
		return { ...formRequest(url, inboundFields(message, sid)), messageId: sid };
	},
};

/** The URLs the account's sinks call. */
const registeredUrls = (registrations) => sinksIn(registrations).map((sink) => sink.sink_configuration.destination);

/** A sink made by hand (as in the Console), through the same API. */
function registerByHand(target) {
	const { accountSid, authToken } = SANDBOX_CREDENTIALS.twilio;
	return {
		method: 'POST',
		path: '/v1/Sinks',
		headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` },
		body: new URLSearchParams({ Description: 'made by hand', SinkType: 'webhook', SinkConfiguration: JSON.stringify({ destination: target, method: 'POST' }) }).toString(),
	};
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

/** A delivered callback for the load tests (bench/n8n-webhooks.js, test/e2e/queue.js), for one recipient, signed for the URL. */
function loadCallback(to, url, credential) {
	const sid = twilioSid('SM');
	const fields = {
		SmsSid: sid,
		SmsStatus: 'delivered',
		MessageStatus: 'delivered',
		EventType: 'DELIVERED',
		ChannelToAddress: to,
		To: `whatsapp:${to}`,
		ChannelPrefix: 'whatsapp',
		MessageSid: sid,
		AccountSid: credential.accountSid,
		From: `whatsapp:${credential.fromNumber}`,
		ApiVersion: API_VERSION,
		ChannelInstallSid: twilioSid('XE'),
	};
	return { body: new URLSearchParams(fields).toString(), headers: { ...FORM, 'x-twilio-signature': twilioSignature(credential.authToken, url, fields) } };
}

module.exports = {
	name: NAME,
	routes: [
		{ method: 'POST', pattern: /^\/2010-04-01\/Accounts\/([^/]+)\/Messages\.json$/, kind: 'send', handle: sendMessage },
		{ method: 'GET', pattern: /^\/2010-04-01\/Accounts\/([^/]+)\.json$/, kind: 'check', handle: fetchAccount },
		// The Content API's host (content.twilio.com) is another; a sandbox Base URL serves both.
		{ method: 'GET', pattern: /^\/v1\/ContentAndApprovals$/, kind: 'list', handle: listContentAndApprovals },
		{ method: 'GET', pattern: /^\/v1\/Content$/, kind: 'list', handle: listContent },
		{ method: 'POST', pattern: /^\/v1\/Content$/, kind: 'list', handle: makeContent },
		// Event Streams' host (events.twilio.com) is another too.
		{ method: 'GET', pattern: /^\/v1\/Sinks$/, kind: 'register', handle: listSinks },
		{ method: 'POST', pattern: /^\/v1\/Sinks$/, kind: 'register', handle: createSink },
		{ method: 'DELETE', pattern: /^\/v1\/Sinks\/([^/]+)$/, kind: 'register', handle: deleteBySid('sink', 'Sinks') },
		{ method: 'GET', pattern: /^\/v1\/Subscriptions$/, kind: 'register', handle: listSubscriptions },
		{ method: 'POST', pattern: /^\/v1\/Subscriptions$/, kind: 'register', handle: createSubscription },
		{ method: 'DELETE', pattern: /^\/v1\/Subscriptions\/([^/]+)$/, kind: 'register', handle: deleteBySid('subscription', 'Subscriptions') },
		{ method: 'GET', pattern: /^\/v1\/Subscriptions\/([^/]+)\/SubscribedEvents$/, kind: 'register', handle: listSubscribedEvents },
	],
	tooManyRequests,
	callbacksFor,
	callbackTargets,
	registeredUrls,
	registerByHand,
	inbound,

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
	normalizeBench: { twilio: 'delivered' },
	forgeries,
	hostileCallbacks,
	loadCallback,
	twilioSignature,
};
