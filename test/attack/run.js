#!/usr/bin/env node
'use strict';

/**
 * The project's own attack suite (issue 7), run in CI:
 *
 *   npm run test:attack          (node test/attack/run.js [--seed N] [--bodies N])
 *
 * 1. seeded fuzzing of normalizeStatusCallback: provider payloads (test/fixtures) with fields
 *    swapped for objects, arrays, absurd numbers, prototype names; only well-typed events or
 *    CallbackFormatError may come out;
 * 2. the same bodies at WhatsApp Status Trigger through n8n-core's WebhookContext, forged (no or
 *    a wrong secret: always 401, nothing to run) and genuinely signed (400, an empty 200, or
 *    well-typed events), never an exception;
 * 3. forged, replayed and foreign-host callbacks, credentials without a secret;
 * 3b. hostile customer messages (test/attack/received.js): normalizeCallback and a version 2 trigger;
 * 3c. forged and replayed taps on Send and Wait's buttons (test/attack/waitTaps.js);
 * 4. hostile overrides and recipients at WhatsApp Notify (refused before anything is sent, or
 *    sent to the validated recipient), and provider hosts that redirect elsewhere.
 *
 * It uses the built package (dist/): run `npm run build` first (npm test does). The seed makes
 * a failure reproducible: the report names the seed and the case. The last line is
 * "attack: N passed, N failed"; the exit code is 1 when any case failed.
 */

const path = require('node:path');

const nock = require('nock');

const { normalizeStatusCallback, CallbackFormatError } = require('../..');
const { runNotify, runStatusWebhook } = require('../helpers/engine');
const { recordingServer } = require('../helpers/recordingServer');
const { sandboxProviders } = require('../../sandbox/providers');
const { hostileValues, mulberry32, mutate, pick } = require('./fuzz');
const { hostileCustomerMessages } = require('./received');
const { forgedAndReplayedTaps } = require('./waitTaps');

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

/** Every provider's kit (sandbox/providers/<name>.js): its test credential, signer and recipient spelling. */
const KITS = sandboxProviders();

/** The callbacks in each provider's fixtures (entries named _… are notes, and not every entry is a callback). */
const FIXTURES = Object.fromEntries(
	Object.keys(KITS).map((provider) => [
		provider,
		Object.entries(require(path.join(__dirname, '..', 'fixtures', `${provider}-callbacks.json`)))
			.filter(([name, body]) => !name.startsWith('_') && isCallback(provider, body))
			.map(([, body]) => body),
	]),
);

function isCallback(provider, body) {
	if (typeof body !== 'object' || body === null) return false;
	try {
		return normalizeStatusCallback({ provider, body }) !== undefined;
	} catch {
		return false;
	}
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

/** The trigger's credential, by type, as the Status Trigger reads it: the kit's test credential. */
const credentialsOf = (provider, changes = {}) => ({ [KITS[provider].credentialType]: { ...KITS[provider].testCredential, ...changes } });
const callbackSecretOf = (provider) => KITS[provider].testCredential[KITS[provider].callbackSecret];
const PUBLISHED = 'https://n8n.example.com/webhook/trigger-id/status';
const PATH = '/webhook/trigger-id/status';

const isForm = (body) => typeof body === 'object' && body !== null && !Array.isArray(body) && Object.values(body).every((value) => typeof value === 'string');

/**
 * The request a genuine provider would make with this body, signed by its kit (independent of
 * the package), or undefined when it cannot make it (a form-posting provider and a body that is
 * not a form).
 */
function genuineRequest(provider, body) {
	const kit = KITS[provider];
	const raw = Buffer.from(JSON.stringify(body));
	if (kit.callbackEncoding === 'form' && !isForm(body)) return undefined;
	const { headers = {}, query } = kit.signCallback({ secret: callbackSecretOf(provider), url: PUBLISHED, fields: body, raw });
	const request = kit.callbackEncoding === 'form' ? { body, url: PATH, headers } : { body, rawBody: raw, headers };
	return query ? { ...request, query } : request;
}

/**
 * A request from someone without the secret: nothing, a wrong one or a hostile value where the
 * provider carries its proof, and the real secret where the provider never puts it.
 */
function forgedRequest(provider, body, random) {
	const kit = KITS[provider];
	const junk = pick(random, ['', 'x', 'sha256=00', `sha256=${'0'.repeat(64)}`, 'c2lnbmF0dXJl', `Bearer ${callbackSecretOf(provider)}`]);
	const misplaced = { Authorization: `Bearer ${callbackSecretOf(provider)}` };
	const request = kit.callbackEncoding === 'form' ? { body, url: PATH } : { body, rawBody: Buffer.from(JSON.stringify(body)) };
	if (kit.secretCarrier.query) return { ...request, query: junk ? { [kit.secretCarrier.query]: junk } : {}, headers: misplaced };
	return { ...request, headers: junk ? { ...misplaced, [kit.secretCarrier.header]: junk } : misplaced };
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
		const credentials = credentialsOf(provider);
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
	line(`${done} bodies in ${Date.now() - started} ms: forged -> 401 ${tally.forged401}; genuine -> 400 ${tally.genuine400}, empty 200 ${tally.genuineEmpty}, routed ${tally.genuineRouted}; ${tally.unsignable} not signable (a form-posting provider, a body that is no form)`);
}

// -- 3. scenarios ------------------------------------------------------------------------------------

async function callbackScenarios() {
	section('forged, replayed, foreign-host callbacks; credentials without a secret');
	const foreign = `https://attacker.example.org${PATH}`;
	const run = (provider, request, options = {}, credentials = credentialsOf(provider)) =>
		runStatusWebhook({ parameters: { provider, options }, credentials, request });

	// Providers that sign the URL: a signature made for another host, that host named in the headers.
	for (const provider of Object.keys(FIXTURES).filter((name) => KITS[name].signsUrl)) {
		const body = FIXTURES[provider][0];
		const { headers } = KITS[provider].signCallback({ secret: callbackSecretOf(provider), url: foreign, fields: body });
		const foreignHost = await run(provider, {
			body,
			url: PATH,
			headers: { host: 'attacker.example.org', 'x-forwarded-host': 'attacker.example.org', 'x-forwarded-proto': 'https', ...headers },
		});
		check(foreignHost.response.statusCode === 401 && !foreignHost.result.workflowData, `${provider}: a signature made for another host is refused`);
	}

	for (const provider of Object.keys(FIXTURES)) {
		const fixture = FIXTURES[provider][0];
		for (const value of hostileValues()) {
			const [field] = Object.keys(fixture);
			const body = { ...fixture, [field]: value };
			const answer = await run(provider, forgedRequest(provider, body, () => 0.5));
			check(answer.response.statusCode === 401 && !answer.result.workflowData, `${provider}: ${field} ${short(value, 40)}, a made-up proof: 401`);
		}
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

		const secretField = KITS[provider].callbackSecret;
		const emptySecret = credentialsOf(provider, { [secretField]: '' });
		const unchecked = await run(provider, genuineRequest(provider, body) || { body }, {}, emptySecret);
		check(unchecked.response.statusCode === 401 && !unchecked.result.workflowData, `${provider}: a credential without ${secretField} refuses every callback`);
	}
}

// -- 4. WhatsApp Notify ----------------------------------------------------------------------------

const NOTIFY_CREDENTIALS = Object.fromEntries(Object.values(KITS).map((kit) => [kit.credentialType, kit.testCredential]));
const NOTIFY_SECRETS = Object.values(KITS).flatMap((kit) => kit.secretFields.map((field) => kit.testCredential[field]));
const RECIPIENT = '+15145555333';

/** A send's body as nock saw it: JSON, or a form as a string. */
const parsedBody = (body) => (typeof body !== 'string' ? body : body.trim().startsWith('{') ? JSON.parse(body) : Object.fromEntries(new URLSearchParams(body)));

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
	for (const [provider, kit] of Object.entries(KITS)) {
		for (const override of overrides) {
			nock.cleanAll();
			const requests = [];
			nock(kit.apiHost)
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
				const to = requests.length === 1 ? kit.recipientSent(parsedBody(requests[0])) : undefined;
				check(
					to === kit.recipientAsSent(RECIPIENT) && items.length === 1 && items[0].json.recipient === RECIPIENT,
					`${provider} override ${short(override, 50)}: sent once, to the validated recipient`,
					`${requests.length} requests, recipient ${to}`,
				);
			}
		}
	}
	line(`${overrides.length} overrides x ${Object.keys(KITS).length} providers: ${refused} refused before sending, ${sent} sent to the validated recipient`);

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
				for (const [provider, { credentialType: type }] of Object.entries(KITS)) {
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
	await hostileCustomerMessages(
		{ check, section, line, short, genuineRequest, forgedRequest, credentialsOf },
		{ seed: SEED, bodies: Math.round(NORMALIZE_BODIES / 10), budgetMs: SECTION_BUDGET_MS / 2 },
	);
	await forgedAndReplayedTaps({ check, section, line, short }, { kits: KITS, seed: SEED, taps: 40 });
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
