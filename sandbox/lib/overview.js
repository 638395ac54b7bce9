'use strict';

/**
 * What the sandbox page shows (GET /_sandbox/overview): per provider its configured webhook and
 * what status triggers registered, the latest sends with the callbacks each caused, and the latest
 * callbacks. Built from the sandbox's records, read-only, with every secret hidden: the page is
 * for looking over a demo's shoulder, so auth tokens, webhook secrets and signatures never reach it.
 */

const { TEST_NUMBERS } = require('../constants');
const { TEMPLATES } = require('../templates');

/** Shown instead of a secret: says one is there without showing it. */
const HIDDEN = '(hidden)';

/** Field and query-parameter names that carry a secret (tokens, keys, signatures, passwords). */
const SECRET_NAME = /secret|token|password|api[-_]?key|authorization|signature|^auth$/i;

/** The record fields every send has; anything else a record holds (buttons, say) is shown as it is. */
const SEND_FIELDS = new Set(['provider', 'method', 'path', 'headers', 'body', 'rawBody', 'status', 'response', 'messageId', 'at']);

const DEFAULT_LIMIT = 50;

/** A URL with the values of its secret query parameters hidden (Gupshup's ?token=). */
function hideUrlSecrets(url) {
	const query = url.indexOf('?');
	if (query < 0) return url;
	const pairs = url
		.slice(query + 1)
		.split('&')
		.map((pair) => {
			const name = pair.split('=')[0];
			return SECRET_NAME.test(safeDecode(name)) ? `${name}=${HIDDEN}` : pair;
		});
	return `${url.slice(0, query + 1)}${pairs.join('&')}`;
}

function safeDecode(text) {
	try {
		return decodeURIComponent(text);
	} catch {
		return text;
	}
}

/** A string holding JSON (Gupshup's message and meta, Twilio's ContentVariables), parsed; otherwise undefined. */
function parsedJson(text) {
	if (!/^\s*[[{]/.test(text)) return undefined;
	try {
		return JSON.parse(text);
	} catch {
		return undefined;
	}
}

/**
 * A record's value as the page may show it: secrets hidden by their field name (also inside JSON
 * held in a string, and in URL queries), every header value hidden (headers carry the auth), JSON
 * strings opened so that template parameters and buttons read as fields.
 */
function redact(value, name = '') {
	if (SECRET_NAME.test(name) && value !== null && value !== undefined && value !== '') return HIDDEN;
	if (/^headers$/i.test(name) && isObject(value)) return Object.fromEntries(Object.keys(value).map((header) => [header, HIDDEN]));
	if (Array.isArray(value)) return value.map((each) => redact(each));
	if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([key, each]) => [key, redact(each, key)]));
	if (typeof value !== 'string') return value;
	const json = parsedJson(value);
	if (json !== undefined) return redact(json);
	return /^https?:\/\//i.test(value) ? hideUrlSecrets(value) : value;
}

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A recipient as the provider spells it (`whatsapp:+1…`, digits without +), written as E.164. */
function asE164(recipient) {
	if (typeof recipient !== 'string') return null;
	const number = recipient.replace(/^whatsapp:/i, '').trim();
	return /^\d+$/.test(number) ? `+${number}` : number;
}

/** The sandbox template a send names, by any of its ids (name, Twilio Content SID, Gupshup id). */
function templateNamed(body) {
	const text = JSON.stringify(body ?? null);
	const found = TEMPLATES.find(({ name, twilioSid, gupshupId }) => [twilioSid, gupshupId, name].some((id) => text.includes(`"${id}"`)));
	return found ? found.name : null;
}

/**
 * A template's parameters wherever the provider's shape keeps them: Twilio's ContentVariables
 * ({"1": …}), Gupshup's params ([…]), Meta's and Smooch's components[].parameters ([{type, text}]).
 * A media parameter shows as its link.
 */
function templateParameters(value, found = []) {
	if (Array.isArray(value)) {
		for (const each of value) templateParameters(each, found);
	} else if (isObject(value) && value.type !== 'button') {
		// A button component's parameters are its quick-reply payloads: the buttons, not values.
		for (const [key, each] of Object.entries(value)) {
			if (key === 'ContentVariables' && isObject(each)) found.push(...Object.values(each).map(String));
			else if ((key === 'params' || key === 'parameters') && Array.isArray(each)) found.push(...each.map(parameterText));
			else templateParameters(each, found);
		}
	}
	return found;
}

function parameterText(parameter) {
	if (!isObject(parameter)) return String(parameter);
	if (typeof parameter.text === 'string') return parameter.text;
	const media = parameter[parameter.type];
	return isObject(media) && typeof media.link === 'string' ? media.link : JSON.stringify(parameter);
}

/** The template a send names and the parameters it fills in, or null. */
function templateOf(body) {
	const name = templateNamed(body);
	return name ? { name, parameters: templateParameters(body) } : null;
}

/** What the kit reads from a send's body; a body the kit cannot read (a refused send) gives null. */
function readWith(read, body) {
	try {
		return read(body) ?? null;
	} catch {
		return null;
	}
}

function sendView(record, kit, callbacks) {
	const body = redact(record.body);
	const extra = Object.fromEntries(Object.entries(record).filter(([key, value]) => !SEND_FIELDS.has(key) && value !== null && value !== undefined));
	return {
		provider: record.provider,
		at: record.at,
		request: `${record.method} ${record.path.split('?')[0]}`,
		httpStatus: record.status,
		messageId: record.messageId,
		to: asE164(kit ? readWith(kit.recipientSent, record.body) : null),
		text: kit ? readWith(kit.sentText, record.body) : null,
		template: templateOf(body),
		// What else the record holds (e.g. the buttons of an interactive message), as recorded.
		details: redact(extra),
		body,
		response: redact(record.response),
		callbacks: callbacks.map(callbackView),
	};
}

function callbackView(callback) {
	return {
		provider: callback.provider,
		at: callback.at,
		event: callback.status,
		messageId: callback.messageId,
		replyTo: callback.replyTo ?? null,
		url: typeof callback.url === 'string' ? hideUrlSecrets(callback.url) : null,
		registered: Boolean(callback.registered),
		httpStatus: callback.httpStatus ?? null,
		error: callback.error ?? null,
		body: redact(callback.body),
	};
}

/** Each provider's configured webhook (the manual set-up) and its registrations, secrets hidden. */
function providerViews(sandbox, kits) {
	return Object.keys(kits).map((name) => {
		const configured = sandbox.config.webhooks[name];
		const registrations = sandbox.registrations[name] ?? [];
		return {
			name,
			webhook: configured ? hideUrlSecrets(configured) : null,
			// The URLs the provider calls for them (the kit knows which field holds it).
			registeredUrls: kits[name].registeredUrls ? kits[name].registeredUrls(registrations).map(hideUrlSecrets) : [],
			registrations: redact(registrations),
		};
	});
}

/**
 * The page's data: the newest `limit` sends (newest first, each with its callbacks) and callbacks.
 * @param {{ config: { webhooks: Record<string, string> }, registrations: Record<string, object[]>, received: any[], callbacks: any[] }} sandbox
 * @param {Record<string, any>} kits the providers' kits, by name
 */
function overview(sandbox, kits, { limit = DEFAULT_LIMIT } = {}) {
	// A send's callbacks: its statuses, and the customer's messages in reply to it.
	const byMessage = new Map();
	for (const callback of sandbox.callbacks) {
		const sent = callback.replyTo || callback.messageId;
		if (!sent) continue;
		if (!byMessage.has(sent)) byMessage.set(sent, []);
		byMessage.get(sent).push(callback);
	}
	const newest = (records) => records.slice(-limit).reverse();
	return {
		providers: providerViews(sandbox, kits),
		sends: newest(sandbox.received).map((record) =>
			sendView(record, kits[record.provider], (record.messageId && byMessage.get(record.messageId)) || []),
		),
		callbacks: newest(sandbox.callbacks).map(callbackView),
		totals: { sends: sandbox.received.length, callbacks: sandbox.callbacks.length },
		// Who the reply form writes as when no send was picked.
		customer: TEST_NUMBERS.delivered,
	};
}

module.exports = { overview, redact, hideUrlSecrets, HIDDEN };
