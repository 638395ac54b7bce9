#!/usr/bin/env node
'use strict';

/**
 * The project's own attack suite (issue 7), run in CI:
 *
 *   npm run test:attack          (node attack/run.js [--seed N] [--bodies N])
 *
 * 1. seeded fuzzing of normalizeStatusCallback: provider payloads (test/fixtures) with fields
 *    swapped for objects, arrays, absurd numbers, prototype names; only well-typed events or
 *    CallbackFormatError may come out;
 * 2. the same bodies at WhatsApp Status Trigger through n8n-core's WebhookContext, forged (no or
 *    a wrong secret: always 401, nothing to run) and genuinely signed (400, an empty 200, or
 *    well-typed events), never an exception;
 * 3. forged, replayed and foreign-host callbacks, credentials without a secret;
 * 4. hostile overrides and recipients at WhatsApp Notify (refused before anything is sent, or
 *    sent to the validated recipient), and provider hosts that redirect elsewhere.
 *
 * It uses the built package (dist/): run `npm run build` first (npm test does). The seed makes
 * a failure reproducible: the report names the seed and the case. The last line is
 * "attack: N passed, N failed"; the exit code is 1 when any case failed.
 */

const path = require('node:path');

const nock = require('nock');

const { normalizeStatusCallback, CallbackFormatError } = require('..');
const { runNotify, runStatusWebhook } = require('../test/helpers/engine');
const { recordingServer } = require('../test/helpers/recordingServer');
const { metaSignature } = require('../sandbox/providers/meta');
const { twilioSignature } = require('../sandbox/providers/twilio');
const { hostileValues, mulberry32, mutate, pick } = require('./fuzz');

const args = process.argv.slice(2);
const option = (name, fallback) => {
	const at = args.indexOf(name);
	return at >= 0 ? Number(args[at + 1]) : fallback;
};
const SEED = option('--seed', 20261122);
const NORMALIZE_BODIES = option('--bodies', 60000);
const TRIGGER_BODIES = Math.round(NORMALIZE_BODIES / 2);
/** Each fuzz section stops early past this, so CI stays bounded on a slow machine. */
const SECTION_BUDGET_MS = 45_000;

const FIXTURES = Object.fromEntries(
	['twilio', 'smooch', 'gupshup', 'meta'].map((provider) => [
		provider,
		Object.entries(require(path.join(__dirname, '..', 'test', 'fixtures', `${provider}-callbacks.json`)))
			.filter(([name, body]) => !name.startsWith('_') && isCallback(provider, body))
			.map(([, body]) => body),
	]),
);

function isCallback(provider, body) {
	if (provider === 'meta') return body && body.object === 'whatsapp_business_account';
	return typeof body === 'object' && body !== null;
}

// -- the report ---------------------------------------------------------------------------------

const counts = { passed: 0, failed: 0 };
const failures = [];
function check(ok, what, detail) {
	if (ok) {
		counts.passed++;
		return true;
	}
	counts.failed++;
	if (failures.length < 20) failures.push(`${what}${detail ? `: ${detail}` : ''}`);
	return false;
}
function section(title) {
	console.log(`\n== ${title}`);
}
function line(text) {
	console.log(`   ${text}`);
}

// -- what a normalized event must look like -------------------------------------------------------

const STATUSES = new Set(['sent', 'delivered', 'seen', 'discarded', 'other']);
const isStringOrNull = (value) => value === null || typeof value === 'string';

/** Why an event is not well-typed, or '' when it is. */
function eventProblem(event) {
	if (typeof event !== 'object' || event === null) return 'not an object';
	if (!STATUSES.has(event.status)) return `status ${typeof event.status}`;
	if (typeof event.providerStatus !== 'string') return `providerStatus ${typeof event.providerStatus}`;
	if (!isStringOrNull(event.messageId)) return `messageId ${typeof event.messageId}`;
	if (!isStringOrNull(event.recipient)) return `recipient ${typeof event.recipient}`;
	if (typeof event.timestamp !== 'string' || Number.isNaN(Date.parse(event.timestamp))) return `timestamp ${event.timestamp}`;
	if (typeof event.eventId !== 'string' || event.eventId === '') return 'eventId';
	if (event.error !== null) {
		if (typeof event.error !== 'object') return 'error not an object';
		if (typeof event.error.message !== 'string') return `error.message ${typeof event.error.message}`;
		const { code } = event.error;
		if (!(code === null || typeof code === 'string' || (typeof code === 'number' && Number.isFinite(code)))) return `error.code ${typeof code}`;
	}
	return '';
}

// -- credentials and signing ----------------------------------------------------------------------

const SECRETS = {
	twilio: { twilioWhatsAppApi: { accountSid: 'AC00000000000000000000000000000000', authToken: 'attack-twilio-token' } },
	smooch: { smoochApi: { appId: 'a', keyId: 'k', secret: 's', integrationId: 'i', webhookSecret: 'attack-smooch-secret' } },
	gupshup: { gupshupApi: { apiKey: 'k', sourceNumber: '+917834811114', appName: 'App', webhookToken: 'attack-gupshup-token' } },
	meta: { metaWhatsAppCloudApi: { accessToken: 't', phoneNumberId: '106540352242922', appSecret: 'attack-meta-secret', verifyToken: 'v' } },
};
const PUBLISHED = 'https://n8n.example.com/webhook/trigger-id/status';
const PATH = '/webhook/trigger-id/status';

/** Signed as Twilio does, by the sandbox's signer (independent of the package). */
const signTwilio = (url, fields) => twilioSignature(SECRETS.twilio.twilioWhatsAppApi.authToken, url, fields);

const isForm = (body) => typeof body === 'object' && body !== null && !Array.isArray(body) && Object.values(body).every((value) => typeof value === 'string');

/** The request a genuine provider would make with this body, or undefined when it cannot sign it. */
function genuineRequest(provider, body) {
	const raw = Buffer.from(JSON.stringify(body));
	switch (provider) {
		case 'twilio':
			return isForm(body) ? { body, url: PATH, headers: { 'X-Twilio-Signature': signTwilio(PUBLISHED, body) } } : undefined;
		case 'smooch':
			return { body, rawBody: raw, headers: { 'X-API-Key': SECRETS.smooch.smoochApi.webhookSecret } };
		case 'gupshup':
			return { body, rawBody: raw, query: { token: SECRETS.gupshup.gupshupApi.webhookToken } };
		case 'meta': {
			return { body, rawBody: raw, headers: { 'X-Hub-Signature-256': metaSignature(SECRETS.meta.metaWhatsAppCloudApi.appSecret, raw) } };
		}
		default:
			throw new Error(provider);
	}
}

/** A request from someone without the secret: nothing, a wrong one, or a hostile header value. */
function forgedRequest(provider, body, random) {
	const junk = pick(random, ['', 'x', 'sha256=00', `sha256=${'0'.repeat(64)}`, 'c2lnbmF0dXJl', 'Bearer attack-gupshup-token']);
	const raw = Buffer.from(JSON.stringify(body));
	switch (provider) {
		case 'twilio':
			return { body, url: PATH, headers: junk ? { 'X-Twilio-Signature': junk } : {} };
		case 'smooch':
			return { body, rawBody: raw, headers: junk ? { 'X-API-Key': junk } : {} };
		case 'gupshup':
			return { body, rawBody: raw, query: junk ? { token: junk } : {}, headers: { Authorization: 'Bearer attack-gupshup-token' } };
		case 'meta':
			return { body, rawBody: raw, headers: junk ? { 'X-Hub-Signature-256': junk } : {} };
		default:
			throw new Error(provider);
	}
}

// -- 1. normalizeStatusCallback -------------------------------------------------------------------

function fuzzNormalize() {
	section(`normalizeStatusCallback: ${NORMALIZE_BODIES} seeded bodies (seed ${SEED})`);
	const random = mulberry32(SEED);
	const providers = Object.keys(FIXTURES);
	const started = Date.now();
	const outcome = { events: 0, formatErrors: 0, crashes: 0 };
	let done = 0;
	for (; done < NORMALIZE_BODIES && Date.now() - started < SECTION_BUDGET_MS; done++) {
		const provider = pick(random, providers);
		const body = mutate(random, pick(random, FIXTURES[provider]));
		const asked = random() < 0.2 ? 'auto' : provider;
		try {
			const events = normalizeStatusCallback({ provider: asked, body, receivedAt: new Date(0) });
			const problem = Array.isArray(events) ? events.map(eventProblem).find(Boolean) || '' : 'not an array';
			outcome.events += events.length || 0;
			check(!problem, `normalize #${done} (${asked})`, problem && `${problem} from ${short(body)}`);
		} catch (error) {
			const expected = error instanceof CallbackFormatError;
			if (expected) outcome.formatErrors++;
			else outcome.crashes++;
			check(expected, `normalize #${done} (${asked}) threw ${error && error.name}`, `${error && error.message} on ${short(body)}`);
		}
	}
	line(`${done} bodies in ${Date.now() - started} ms: ${outcome.events} events, ${outcome.formatErrors} CallbackFormatError, ${outcome.crashes} other exceptions`);
}

// -- 2. the trigger ---------------------------------------------------------------------------------

async function fuzzTrigger() {
	section(`WhatsApp Status Trigger: ${TRIGGER_BODIES} forged and ${TRIGGER_BODIES} genuinely signed bodies`);
	const random = mulberry32(SEED + 1);
	const providers = Object.keys(FIXTURES);
	const started = Date.now();
	const tally = { forged401: 0, genuine400: 0, genuineEmpty: 0, genuineRouted: 0, unsignable: 0 };
	let done = 0;
	for (; done < TRIGGER_BODIES && Date.now() - started < SECTION_BUDGET_MS; done++) {
		const provider = pick(random, providers);
		const body = mutate(random, pick(random, FIXTURES[provider]));
		const parameters = { provider, options: { includeOtherEvents: random() < 0.5 } };
		const credentials = SECRETS[provider];
		try {
			const forged = await runStatusWebhook({ parameters, credentials, request: forgedRequest(provider, body, random) });
			const refused = forged.response.statusCode === 401 && !forged.result.workflowData;
			if (refused) tally.forged401++;
			check(refused, `trigger forged #${done} (${provider})`, `answered ${forged.response.statusCode}, ran ${Boolean(forged.result.workflowData)}: ${short(body)}`);
		} catch (error) {
			check(false, `trigger forged #${done} (${provider}) threw`, `${error.message} on ${short(body)}`);
		}
		const request = genuineRequest(provider, body);
		if (!request) {
			tally.unsignable++;
			continue;
		}
		try {
			const genuine = await runStatusWebhook({ parameters, credentials, request });
			const events = Object.values(genuine.outputs).flat();
			const problem = events.map(eventProblem).find(Boolean);
			const answered = genuine.response.statusCode;
			const fine =
				(answered === 400 && !genuine.result.workflowData) ||
				(answered === 200 && !genuine.result.workflowData) ||
				(answered === undefined && events.length > 0 && !problem);
			if (answered === 400) tally.genuine400++;
			else if (answered === 200) tally.genuineEmpty++;
			else tally.genuineRouted++;
			check(fine, `trigger genuine #${done} (${provider})`, `answered ${answered}, ${problem || ''} ${short(body)}`);
		} catch (error) {
			check(false, `trigger genuine #${done} (${provider}) threw`, `${error.message} on ${short(body)}`);
		}
	}
	line(`${done} bodies in ${Date.now() - started} ms: forged -> 401 ${tally.forged401}; genuine -> 400 ${tally.genuine400}, empty 200 ${tally.genuineEmpty}, routed ${tally.genuineRouted}; ${tally.unsignable} not form-signable (Twilio)`);
}

// -- 3. scenarios ------------------------------------------------------------------------------------

async function callbackScenarios() {
	section('forged, replayed, foreign-host callbacks; credentials without a secret');
	const twilioBody = FIXTURES.twilio[0];
	const foreign = `https://attacker.example.org${PATH}`;
	const run = (provider, request, options = {}, credentials = SECRETS[provider]) =>
		runStatusWebhook({ parameters: { provider, options }, credentials, request });

	const foreignHost = await run('twilio', {
		body: twilioBody,
		url: PATH,
		headers: { host: 'attacker.example.org', 'x-forwarded-host': 'attacker.example.org', 'x-forwarded-proto': 'https', 'X-Twilio-Signature': signTwilio(foreign, twilioBody) },
	});
	check(foreignHost.response.statusCode === 401 && !foreignHost.result.workflowData, 'a Twilio signature made for another host is refused');

	for (const value of hostileValues()) {
		const body = { ...twilioBody, MessageStatus: value };
		const answer = await run('twilio', { body, url: PATH, headers: { 'X-Twilio-Signature': 'c2lnbmF0dXJl' } });
		check(answer.response.statusCode === 401 && !answer.result.workflowData, `Twilio JSON body, MessageStatus ${short(value, 40)}: 401`);
	}

	for (const provider of Object.keys(FIXTURES)) {
		const body = FIXTURES[provider][0];
		const first = await run(provider, genuineRequest(provider, body), { includeOtherEvents: true });
		const again = await run(provider, genuineRequest(provider, body), { includeOtherEvents: true });
		const ids = (answer) => Object.values(answer.outputs).flat().map((event) => event.eventId);
		check(
			ids(first).length > 0 && JSON.stringify(ids(first)) === JSON.stringify(ids(again)),
			`${provider}: a replayed callback carries the same eventId (workflows can drop it)`,
		);

		const [type] = Object.keys(SECRETS[provider]);
		const secretField = { twilio: 'authToken', smooch: 'webhookSecret', gupshup: 'webhookToken', meta: 'appSecret' }[provider];
		const emptySecret = { [type]: { ...SECRETS[provider][type], [secretField]: '' } };
		const unchecked = await run(provider, genuineRequest(provider, body) || { body }, {}, emptySecret);
		check(unchecked.response.statusCode === 401 && !unchecked.result.workflowData, `${provider}: a credential without ${secretField} refuses every callback`);
	}
}

// -- 4. WhatsApp Notify ----------------------------------------------------------------------------

const NOTIFY_CREDENTIALS = {
	twilioWhatsAppApi: { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'attack-twilio-auth', fromNumber: '+14155238886' },
	smoochApi: { appId: 'app123', keyId: 'key1', secret: 'attack-smooch-secret', integrationId: 'int1', region: 'us' },
	gupshupApi: { apiKey: 'attack-gupshup-key', sourceNumber: '+917834811114', appName: 'App' },
	metaWhatsAppCloudApi: { accessToken: 'attack-meta-token', phoneNumberId: '106540352242922', appSecret: 'x', verifyToken: 'v' },
};
const NOTIFY_SECRETS = ['attack-twilio-auth', 'attack-smooch-secret', 'attack-gupshup-key', 'attack-meta-token'];
const SEND_HOSTS = { twilio: 'https://api.twilio.com', smooch: 'https://api.smooch.io', gupshup: 'https://api.gupshup.io', meta: 'https://graph.facebook.com' };
const RECIPIENT = '+15145555333';

/** The recipient as each provider spells it in the request body it was sent. */
function recipientSent(provider, body) {
	if (provider === 'twilio') return new URLSearchParams(body).get('To');
	if (provider === 'gupshup') return new URLSearchParams(body).get('destination');
	const json = typeof body === 'string' ? JSON.parse(body) : body;
	return provider === 'smooch' ? json.destination && json.destination.destinationId : json.to;
}
const EXPECTED_RECIPIENT = { twilio: `whatsapp:${RECIPIENT}`, gupshup: RECIPIENT.slice(1), smooch: RECIPIENT, meta: RECIPIENT };

async function hostileSends() {
	section('WhatsApp Notify: hostile overrides and recipients');
	const random = mulberry32(SEED + 2);
	const overrides = [
		'{"To": "whatsapp:+15550009999"}',
		'{"destination": "15550009999"}',
		'{"destination": {"destinationId": "+15550009999"}}',
		'{"destination": null}',
		'{"to": "15550009999"}',
		'{"_config": {"appId": ".."}}',
		'{"_config": {"appId": "../../v2/apps"}}',
		'{"_config": {"phoneNumberId": "../me"}}',
		'{"_config": {"fromNumber": "+1555/../x"}}',
		'{"_config": {"authToken": "x"}}',
		'{"_config": {"baseUrl": "https://attacker.example.org"}}',
		'{"__proto__": {"polluted": true}}',
		'{"constructor": {"prototype": {"polluted": true}}}',
		'{"message": null}',
		`${'['.repeat(3000)}${']'.repeat(3000)}`,
		`${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
	];
	for (let n = 0; n < 40; n++) overrides.push(JSON.stringify(mutate(random, { message: { type: 'text', text: 'x' }, Body: 'x', destination: { destinationId: RECIPIENT }, to: RECIPIENT })));
	let refused = 0;
	let sent = 0;
	for (const provider of Object.keys(SEND_HOSTS)) {
		for (const override of overrides) {
			nock.cleanAll();
			const requests = [];
			nock(SEND_HOSTS[provider])
				.post(() => true, (body) => Boolean(requests.push(body)))
				.reply(201, { sid: 'SM1', messageId: 'g1', notification: { _id: 'n1' }, messages: [{ id: 'wamid.1' }], status: 'submitted' });
			const { items, error } = await runNotify({ parameters: { provider, recipient: RECIPIENT, message: 'x', override }, credentials: NOTIFY_CREDENTIALS });
			const visible = JSON.stringify({ items, message: error && error.message, description: error && error.description });
			check(!NOTIFY_SECRETS.some((secret) => visible.includes(secret)), `${provider} override ${short(override, 50)}: no secret in the output or error`);
			check(({}).polluted === undefined, `${provider} override ${short(override, 50)}: no prototype pollution`);
			if (error) {
				refused++;
				check(
					requests.length === 0 && !/may have accepted|did not answer/.test(`${error.message} ${error.description}`),
					`${provider} override ${short(override, 50)}: refused before sending, never "may have accepted"`,
					`${requests.length} requests; ${error.message}`,
				);
			} else {
				sent++;
				const to = requests.length === 1 ? recipientSent(provider, requests[0]) : undefined;
				check(
					to === EXPECTED_RECIPIENT[provider] && items.length === 1 && items[0].json.recipient === RECIPIENT,
					`${provider} override ${short(override, 50)}: sent once, to the validated recipient`,
					`${requests.length} requests, recipient ${to}`,
				);
			}
		}
	}
	line(`${overrides.length} overrides x ${Object.keys(SEND_HOSTS).length} providers: ${refused} refused before sending, ${sent} sent to the validated recipient`);

	for (const recipient of ['={{ ["+919988776655"] }}', '={{ { "to": "+919988776655" } }}', '={{ null }}', '+91 99887 76655', '+1555\n+1556', 'whatsapp:+15550001111']) {
		nock.cleanAll();
		const { error } = await runNotify({ parameters: { provider: 'twilio', recipient, message: 'x' }, credentials: NOTIFY_CREDENTIALS });
		check(Boolean(error) && /^Invalid recipient .* in item 0/.test(error.message), `recipient ${JSON.stringify(recipient)} refused naming the item`);
	}
}

async function redirectingProviders() {
	section('WhatsApp Notify: provider hosts that redirect to another host');
	nock.cleanAll();
	nock.enableNetConnect('127.0.0.1');
	const elsewhere = await recordingServer((_request, response) => response.writeHead(201, { 'content-type': 'application/json' }).end('{"sid":"SMx","messageId":"x","notification":{"_id":"x"},"messages":[{"id":"x"}]}'));
	try {
		for (const status of [301, 302, 303, 307, 308]) {
			const redirecting = await recordingServer((request, response) => response.writeHead(status, { location: `${elsewhere.url}${request.url}` }).end());
			try {
				for (const [provider, type] of [['twilio', 'twilioWhatsAppApi'], ['smooch', 'smoochApi'], ['gupshup', 'gupshupApi'], ['meta', 'metaWhatsAppCloudApi']]) {
					const credentials = { ...NOTIFY_CREDENTIALS, [type]: { ...NOTIFY_CREDENTIALS[type], baseUrl: redirecting.url, region: 'custom' } };
					const before = elsewhere.requests.length;
					const { error } = await runNotify({ parameters: { provider, recipient: RECIPIENT, message: 'x' }, credentials });
					check(
						Boolean(error) && error.message.includes(`a redirect to ${new URL(elsewhere.url).host}`) && elsewhere.requests.length === before,
						`${provider}: HTTP ${status} to another host is a refusal naming it; that host got nothing`,
						error ? error.message : 'no error',
					);
				}
			} finally {
				await redirecting.close();
			}
		}
	} finally {
		await elsewhere.close();
	}
}

// -------------------------------------------------------------------------------------------------

function short(value, max = 160) {
	let text;
	try {
		text = typeof value === 'string' ? value : JSON.stringify(value);
	} catch {
		text = String(typeof value);
	}
	return text && text.length > max ? `${text.slice(0, max)}…` : text;
}

async function main() {
	console.log(`attack suite, seed ${SEED}`);
	nock.disableNetConnect();
	const started = Date.now();
	fuzzNormalize();
	await fuzzTrigger();
	await callbackScenarios();
	await hostileSends();
	await redirectingProviders();
	nock.cleanAll();
	nock.enableNetConnect();
	if (failures.length) {
		section(`first failures (reproduce with --seed ${SEED})`);
		for (const failure of failures) line(failure);
	}
	console.log(`\ntotal ${((Date.now() - started) / 1000).toFixed(1)} s`);
	console.log(`attack: ${counts.passed} passed, ${counts.failed} failed`);
	process.exitCode = counts.failed > 0 ? 1 : 0;
}

main().catch((error) => {
	console.error(error.stack || error.message);
	console.log(`attack: ${counts.passed} passed, ${counts.failed + 1} failed`);
	process.exitCode = 1;
});
