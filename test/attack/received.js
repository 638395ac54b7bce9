'use strict';

/**
 * Hostile customer messages (issue 21's Received output): the providers' documented inbound
 * payloads (test/fixtures/<provider>-messages.json) with fields swapped for hostile values,
 * read by normalizeCallback and sent to a version 2 Status Trigger, forged and genuinely signed.
 * Only well-typed ReceivedMessages, a CallbackFormatError, a 400, an empty 200 or a 401 may come out.
 */

const path = require('node:path');

const { normalizeCallback, CallbackFormatError } = require('../..');
const { runStatusWebhook } = require('../helpers/engine');
const { mulberry32, mutate, pick } = require('./fuzz');

const TYPES = new Set(['text', 'button', 'interactive', 'image', 'video', 'audio', 'document', 'sticker', 'location', 'other']);
const isStringOrNull = (value) => value === null || typeof value === 'string';

/** Why a ReceivedMessage is not well-typed, or '' when it is. */
function receivedProblem(message) {
	if (typeof message !== 'object' || message === null) return 'not an object';
	if (message.kind !== 'received') return `kind ${message.kind}`;
	if (!TYPES.has(message.type)) return `type ${typeof message.type}`;
	for (const field of ['from', 'to', 'messageId', 'text', 'replyTo', 'profileName']) {
		if (!isStringOrNull(message[field])) return `${field} ${typeof message[field]}`;
	}
	if (typeof message.timestamp !== 'string' || Number.isNaN(Date.parse(message.timestamp))) return `timestamp ${message.timestamp}`;
	if (typeof message.eventId !== 'string' || message.eventId === '') return 'eventId';
	if (message.button !== null && (typeof message.button.id !== 'string' || !isStringOrNull(message.button.title))) return 'button';
	if (message.media !== null && (!isStringOrNull(message.media.mimeType) || !isStringOrNull(message.media.caption))) return 'media';
	const { location } = message;
	if (location !== null && !(Number.isFinite(location.latitude) && Number.isFinite(location.longitude))) return 'location';
	return '';
}

/** The customer messages in each provider's fixtures. */
function messageFixtures(providers) {
	return Object.fromEntries(
		providers.map((provider) => [
			provider,
			Object.entries(require(path.join(__dirname, '..', 'fixtures', `${provider}-messages.json`)))
				.filter(([name]) => !name.startsWith('_'))
				.map(([, body]) => body),
		]),
	);
}

/**
 * `attack`: the suite's { check, section, line, short, genuineRequest, forgedRequest, credentialsOf },
 * `seed`, `bodies` (how many for normalizeCallback; half as many go to the trigger), `budgetMs` per part.
 */
async function hostileCustomerMessages(attack, { seed, bodies, budgetMs }) {
	const { check, section, line, short } = attack;
	const fixtures = messageFixtures(['meta', 'twilio', 'smooch', 'gupshup']);
	const providers = Object.keys(fixtures);
	section(`customer messages: ${bodies} hostile bodies at normalizeCallback, ${Math.round(bodies / 2)} forged and signed at a version 2 trigger`);
	const random = mulberry32(seed + 7);
	let started = Date.now();
	const outcome = { messages: 0, formatErrors: 0 };
	let done = 0;
	for (; done < bodies && Date.now() - started < budgetMs; done++) {
		const provider = pick(random, providers);
		const body = mutate(random, pick(random, fixtures[provider]));
		try {
			const { statuses, received } = normalizeCallback({ provider, body, receivedAt: new Date(0) });
			const problem = Array.isArray(received) && Array.isArray(statuses) ? received.map(receivedProblem).find(Boolean) || '' : 'not arrays';
			outcome.messages += received.length;
			check(!problem, `received #${done} (${provider})`, problem && `${problem} from ${short(body)}`);
		} catch (error) {
			if (error instanceof CallbackFormatError) outcome.formatErrors++;
			check(error instanceof CallbackFormatError, `received #${done} (${provider}) threw ${error && error.name}`, `${error && error.message} on ${short(body)}`);
		}
	}
	line(`${done} bodies in ${Date.now() - started} ms: ${outcome.messages} messages, ${outcome.formatErrors} CallbackFormatError`);

	started = Date.now();
	const tally = { forged401: 0, refused: 0, routed: 0 };
	for (done = 0; done < bodies / 2 && Date.now() - started < budgetMs; done++) {
		const provider = pick(random, providers);
		const body = mutate(random, pick(random, fixtures[provider]));
		const parameters = { provider, receiveMessages: true, options: { includeOtherEvents: random() < 0.5 } };
		const call = (request) => runStatusWebhook({ parameters, credentials: attack.credentialsOf(provider), request, typeVersion: 2 });
		try {
			const forged = await call(attack.forgedRequest(provider, body, random));
			const refused = forged.response.statusCode === 401 && !forged.result.workflowData;
			if (refused) tally.forged401++;
			check(refused, `received forged #${done} (${provider})`, `answered ${forged.response.statusCode}: ${short(body)}`);
			const request = attack.genuineRequest(provider, body);
			if (!request) continue;
			const genuine = await call(request);
			const items = genuine.outputs.received;
			const problem = items.map(receivedProblem).find(Boolean);
			const answered = genuine.response.statusCode;
			const fine = ((answered === 400 || answered === 200) && !genuine.result.workflowData) || (answered === undefined && !problem);
			if (answered === undefined) tally.routed++;
			else tally.refused++;
			check(fine, `received genuine #${done} (${provider})`, `answered ${answered}, ${problem || ''} ${short(body)}`);
		} catch (error) {
			check(false, `received #${done} (${provider}) at the trigger threw`, `${error.message} on ${short(body)}`);
		}
	}
	line(`${done} bodies in ${Date.now() - started} ms: forged -> 401 ${tally.forged401}; genuine -> routed ${tally.routed}, 400 or empty 200 ${tally.refused}`);
}

module.exports = { hostileCustomerMessages, receivedProblem };
