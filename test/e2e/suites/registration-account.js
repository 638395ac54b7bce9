'use strict';

/**
 * Registration on a real account (issue 20), in a real n8n against the sandbox playing each
 * provider's registration API as documented:
 *   - the workflow's JSON over REST holds no callback secret (Smooch's, Gupshup's, Meta's token);
 *   - an SMS sent from the Twilio account never comes out on Delivered;
 *   - the provider down during deactivation: the workflow still deactivates, and after the next
 *     activation there is one registration;
 *   - WEBHOOK_URL changed across a restart: one registration, for the new URL, nothing left for the
 *     old; a Twilio subscription removed by hand is made again at that start;
 *   - Meta's number's events going to another URL: a status and a customer message reach it
 *     unchanged and verify there, the status also reaches the trigger; deactivation puts the
 *     number override it displaced back; with forwarding off, the panel says so and nothing goes.
 * It runs before registration.js and leaves the sandbox's registrations as it found them.
 */

const crypto = require('node:crypto');

const { SANDBOX_CREDENTIALS, TEST_NUMBERS } = require('../../../sandbox/server');
const { statusWorkflow } = require('../lib/workflows');

const LABEL = 'account';

module.exports = {
	name: 'Registration on a real account: secrets, SMS, outages, a moved URL, Meta’s other URL',
	timing: 'registration-account',

	async run(env) {
		const { sandbox, kits } = env;
		const urlsAt = (provider) => kits[provider].registeredUrls(sandbox.registrations[provider] ?? []);
		const count = (provider, url) => urlsAt(provider).filter((each) => each === url).length;
		const ctx = { ...env, urlsAt, count, env };
		const triggers = {};
		for (const provider of env.providers) triggers[provider] = await addTrigger(ctx, provider, { includeOtherEvents: provider === 'twilio' });
		await noSecretInWorkflowJson(ctx, triggers);
		await gupshupCredentialTestChecksAppId(ctx);
		await smsNotOnDelivered(ctx, triggers.twilio);
		await providerDownDuringDeactivation(ctx, triggers);
		await testUrlBesideProduction(ctx, triggers);
		await movedUrlAcrossRestart(ctx, triggers);
		for (const trigger of Object.values(triggers)) await env.n8n.rest('DELETE', `/workflows/${trigger.id}`).catch(() => undefined);
		await metaSharesTheNumber(ctx);
	},
};

const urlOf = (env, webhookId) => `${env.n8nBase}/webhook/${webhookId}/status`;

/** A registering Status Trigger workflow, created over REST and activated. */
async function addTrigger({ env }, provider, options = {}, label = LABEL, extra = {}) {
	const webhookId = crypto.randomUUID();
	const workflow = statusWorkflow({ provider, credential: env.credentials[provider], webhookId, sinkUrl: `${env.sink.url}/${label}`, registerCallback: true });
	const trigger = workflow.nodes[0];
	trigger.parameters = { ...trigger.parameters, ...extra, options };
	if (options.includeOtherEvents) addOtherOutput(workflow, `${env.sink.url}/${label}/status/${provider}/other`);
	const { id, ...fields } = workflow;
	const created = await env.n8n.rest('POST', '/workflows', { active: false, ...fields, name: `e2e ${label} (${provider})` });
	await env.n8n.activateWorkflow(created.id);
	return { provider, id: created.id, webhookId, label, url: () => urlOf(env, webhookId) };
}

/** The fourth output, Other, posted to the sink like the three others. */
function addOtherOutput(workflow, url) {
	const [trigger, delivered] = workflow.nodes;
	const other = { ...delivered, id: crypto.randomUUID(), name: 'To sink: other', position: [320, 600], parameters: { ...delivered.parameters, url, jsonBody: delivered.parameters.jsonBody.replace('"delivered"', '"other"') } };
	workflow.nodes.push(other);
	workflow.connections[trigger.name].main.push([{ node: other.name, type: 'main', index: 0 }]);
}

/** GET /rest/workflows/{id}: what anyone who can read the workflow sees (the public API and an export show the same static data). */
async function noSecretInWorkflowJson({ env, report, sandbox }, triggers) {
	const registrations = (provider) => sandbox.registrations[provider] ?? [];
	const secrets = {
		smooch: registrations('smooch').map((webhook) => webhook.secret),
		gupshup: registrations('gupshup').map((subscription) => JSON.parse(subscription.meta || '{}').headers?.['X-Webhook-Token']),
		meta: registrations('meta').map((override) => override.verifyToken),
	};
	for (const [provider, values] of Object.entries(secrets)) {
		const workflow = await env.n8n.rest('GET', `/workflows/${triggers[provider].id}`);
		const json = JSON.stringify(workflow);
		const found = values.filter((secret) => secret && json.includes(secret));
		report.check(
			values.filter(Boolean).length > 0 && found.length === 0 && json.includes('registeredCallback'),
			`${provider}: the workflow's JSON over REST holds its registration but not its callback secret`,
			() => `secrets at the sandbox: ${values.length}, found in the JSON: ${found.length}`,
		);
	}
}

/** The credential test (Save, or Retry in the credential's form): with an App ID, it checks that one. */
async function gupshupCredentialTestChecksAppId({ env, report, sandbox }) {
	const data = env.kits.gupshup.sandboxCredential(sandbox.url);
	// A saved credential, tested with the form's values as the editor sends them (n8n 2.39 wants its id).
	const saved = await env.n8n.rest('POST', '/credentials', { name: 'e2e gupshup (App ID check)', type: 'gupshupApi', data });
	const test = (appId) =>
		env.n8n.rest('POST', '/credentials/test', { credentials: { id: saved.id, name: saved.name, type: 'gupshupApi', data: { ...data, appId } } });
	const right = await test(data.appId);
	const wrong = await test('00000000-0000-4000-8000-000000000000');
	const none = await test('');
	await env.n8n.rest('DELETE', `/credentials/${saved.id}`).catch(() => undefined);
	report.check(
		right.status === 'OK' && wrong.status === 'Error' && none.status === 'OK',
		'gupshup: the credential test checks the App ID when one is set (a wrong one fails when the credential is saved, not at publishing)',
		() => JSON.stringify({ right, wrong, none }),
	);
}

/** An SMS from the same Twilio account (another system's): its statuses reach the trigger by Event Streams, never on Delivered. */
async function smsNotOnDelivered({ env, report, sink, sandbox, waitFor }, trigger) {
	const { accountSid, authToken, fromNumber } = SANDBOX_CREDENTIALS.twilio;
	const response = await fetch(`${sandbox.url}/2010-04-01/Accounts/${accountSid}/Messages.json`, {
		method: 'POST',
		headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` },
		body: new URLSearchParams({ To: TEST_NUMBERS.delivered, From: fromNumber, Body: 'an SMS from another system' }).toString(),
	});
	const sid = /** @type {{ sid?: string }} */ (await response.json()).sid;
	const at = (output) => sink.events.filter((event) => event.path === `/${LABEL}/status/twilio/${output}` && event.body.event?.messageId === sid);
	const other = await waitFor(() => at('other').find((event) => event.body.event.providerStatus === 'delivered'), { timeoutMs: 30000, what: 'the SMS on Other' }).catch(() => undefined);
	report.check(
		response.status === 201 && Boolean(other) && at('delivered').length === 0,
		'twilio: an SMS’s delivered status (Event Streams, account-wide) comes out on Other, never on Delivered',
		() => `send ${response.status}, on Other: ${Boolean(other)}, on Delivered: ${at('delivered').length}`,
	);
	await env.settledExecutions(trigger.id, 1, 'the SMS executions').catch(() => undefined);
}

/** Registration API down while the workflows are deactivated: they deactivate; the next activation leaves one registration. */
async function providerDownDuringDeactivation({ env, report, sandbox, count, urlsAt }, triggers) {
	sandbox.configure({ registrationOutageStatus: 503 });
	const states = {};
	for (const trigger of Object.values(triggers)) {
		const refusal = await env.n8n.deactivateWorkflow(trigger.id).then(() => null, (error) => error.message);
		const workflow = await env.n8n.rest('GET', `/workflows/${trigger.id}`);
		states[trigger.provider] = { refusal, active: workflow.active, left: count(trigger.provider, trigger.url()) };
	}
	sandbox.configure({ registrationOutageStatus: 0 });
	for (const trigger of Object.values(triggers)) {
		await env.n8n.activateWorkflow(trigger.id);
		const state = states[trigger.provider];
		report.check(
			state.refusal === null && state.active === false && state.left === 1 && count(trigger.provider, trigger.url()) === 1,
			`${trigger.provider}: the provider down during deactivation: the workflow still deactivates, and after the next activation it has one registration`,
			() => `${JSON.stringify(state)}; now ${JSON.stringify(urlsAt(trigger.provider))}`,
		);
	}
	const warned = env.n8n.readLog().match(/was not removed: .*(Service Unavailable|503)/g) ?? [];
	report.check(warned.length >= 1, 'the n8n log says what deactivation could not remove, with the provider’s answer', () => env.n8n.readLog().slice(-2000));
}

/**
 * The editor listening for a test event on a published workflow (n8n's "Execute workflow"): the
 * test URL gets its own registration beside the production one, and stopping removes only it.
 */
async function testUrlBesideProduction({ env, report, count, urlsAt, kits, waitFor }, triggers) {
	for (const trigger of Object.values(triggers).filter(({ provider }) => !kits[provider].oneRegistrationPerAccount)) {
		const testUrl = `${env.n8nBase}/webhook-test/${trigger.webhookId}/status`;
		const workflowData = await env.n8n.rest('GET', `/workflows/${trigger.id}`);
		const listening = await env.n8n
			.rest('POST', `/workflows/${trigger.id}/run`, { workflowData, triggerToStartFrom: { name: 'WhatsApp Status Trigger' } })
			.catch((error) => ({ error: error.message }));
		const both = await waitFor(() => count(trigger.provider, testUrl) === 1 && count(trigger.provider, trigger.url()) === 1, { timeoutMs: 15000, what: 'the test registration' }).catch(() => false);
		await env.n8n.rest('DELETE', `/test-webhook/${trigger.id}`).catch(() => undefined);
		const after = await waitFor(() => count(trigger.provider, testUrl) === 0, { timeoutMs: 15000, what: 'the test registration removed' }).catch(() => false);
		report.check(
			Boolean(both && after) && count(trigger.provider, trigger.url()) === 1,
			`${trigger.provider}: listening for a test event registers the test URL beside the production URL; stopping removes only the test one`,
			() => `${JSON.stringify(listening)}; ${JSON.stringify(urlsAt(trigger.provider))}`,
		);
	}
}

/** Twilio's subscription for this sink, removed as a user would in the console. */
async function removeTwilioSubscriptionByHand({ sandbox }, url) {
	const registrations = sandbox.registrations.twilio ?? [];
	const sink = registrations.find((each) => each.kind === 'sink' && each.sink_configuration.destination === url);
	const subscription = sink && registrations.find((each) => each.kind === 'subscription' && each.sink_sid === sink.sid);
	if (!subscription) return false;
	const { accountSid, authToken } = SANDBOX_CREDENTIALS.twilio;
	const response = await fetch(`${sandbox.url}/v1/Subscriptions/${subscription.sid}`, {
		method: 'DELETE',
		headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}` },
	});
	return response.status === 204;
}

/** The sink for `url` has a subscription with every status event type. */
function twilioComplete({ sandbox }, url) {
	const registrations = sandbox.registrations.twilio ?? [];
	const sinks = registrations.filter((each) => each.kind === 'sink' && each.sink_configuration.destination === url);
	const types = registrations.filter((each) => each.kind === 'subscription' && sinks.some((sink) => sink.sid === each.sink_sid)).flatMap((each) => each.types);
	return sinks.length === 1 && ['sent', 'delivered', 'read', 'failed', 'undelivered'].every((status) => types.includes(`com.twilio.messaging.message.${status}`));
}

/** n8n restarted with another WEBHOOK_URL (localhost instead of 127.0.0.1), then back. */
async function movedUrlAcrossRestart(ctx, triggers) {
	const { env, report, count, urlsAt } = ctx;
	const removedByHand = await removeTwilioSubscriptionByHand(ctx, triggers.twilio.url());
	for (const host of ['localhost', '127.0.0.1']) {
		const before = Object.fromEntries(Object.values(triggers).map((trigger) => [trigger.provider, trigger.url()]));
		await env.restartN8n({ host });
		for (const trigger of Object.values(triggers)) {
			const old = before[trigger.provider];
			const now = trigger.url();
			report.check(
				old !== now && count(trigger.provider, now) === 1 && count(trigger.provider, old) === 0,
				`${trigger.provider}: WEBHOOK_URL changed (to ${new URL(now).host}) across a restart: one registration, for the new URL, none left for the old`,
				() => JSON.stringify(urlsAt(trigger.provider)),
			);
		}
		if (host === 'localhost') {
			report.check(
				removedByHand && twilioComplete(ctx, triggers.twilio.url()),
				'twilio: a subscription removed by hand in the console is made again (with every status type) at the next start',
			);
		}
	}
	for (const trigger of Object.values(triggers)) await env.n8n.deactivateWorkflow(trigger.id);
}

/** A POST to the sandbox's Meta API as a user (or another system) makes it, with the sandbox's token. */
async function metaApi({ sandbox }, body) {
	const { accessToken, apiVersion, phoneNumberId } = SANDBOX_CREDENTIALS.meta;
	const response = await fetch(`${sandbox.url}/${apiVersion}/${phoneNumberId}`, {
		method: 'POST',
		headers: { 'content-type': 'application/json', authorization: `Bearer ${accessToken}` },
		body: JSON.stringify(body),
	});
	return response.status;
}

const metaOverride = ({ sandbox }) => (sandbox.registrations.meta ?? []).find((each) => each.phoneNumberId === SANDBOX_CREDENTIALS.meta.phoneNumberId)?.url;
const signedByMeta = (event) =>
	event.headers['x-hub-signature-256'] === `sha256=${crypto.createHmac('sha256', SANDBOX_CREDENTIALS.meta.appSecret).update(event.raw).digest('hex')}`;

/** A customer's message to the number, as Meta posts it, signed with the App Secret. */
function customerMessage() {
	const { businessAccountId, displayPhoneNumber, phoneNumberId } = SANDBOX_CREDENTIALS.meta;
	const id = `wamid.${crypto.randomBytes(12).toString('hex')}`;
	const body = JSON.stringify({
		object: 'whatsapp_business_account',
		entry: [
			{
				id: businessAccountId,
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: displayPhoneNumber.slice(1), phone_number_id: phoneNumberId },
							contacts: [{ profile: { name: 'Ana' }, wa_id: TEST_NUMBERS.delivered.slice(1) }],
							messages: [{ from: TEST_NUMBERS.delivered.slice(1), id, timestamp: String(Math.floor(Date.now() / 1000)), type: 'text', text: { body: 'Where is my order?' } }],
						},
					},
				],
			},
		],
	});
	const signature = `sha256=${crypto.createHmac('sha256', SANDBOX_CREDENTIALS.meta.appSecret).update(body).digest('hex')}`;
	return { id, body, headers: { 'content-type': 'application/json', 'x-hub-signature-256': signature } };
}

/** Meta: the app's URL and a number override set by hand belong to another system; the trigger shares the number's events with it. */
async function metaSharesTheNumber(ctx) {
	const { env, report, sandbox, sink, waitFor, short } = ctx;
	const appUrl = `${sink.url}/meta-app`;
	const numberUrl = `${sink.url}/meta-number`;
	const configured = sandbox.config().webhooks.meta;
	sandbox.configure({ webhooks: { meta: appUrl } });
	const setByHand = await metaApi(ctx, { webhook_configuration: { override_callback_uri: numberUrl, verify_token: SANDBOX_CREDENTIALS.meta.verifyToken } });
	const sharing = await addTrigger(ctx, 'meta', {}, 'meta-sharing');
	const taken = metaOverride(ctx) === sharing.url();

	const sent = await env.send('meta', { to: TEST_NUMBERS.delivered, text: 'e2e shared number' });
	const messageId = Array.isArray(sent.body) ? sent.body[0]?.messageId : undefined;
	const forwardedStatus = await waitFor(() => sink.events.find((event) => event.path === '/meta-number' && event.raw.includes(messageId) && event.raw.includes('"delivered"')), {
		timeoutMs: 30000,
		what: 'the delivered status at the other URL',
	}).catch(() => undefined);
	const onOutput = await waitFor(() => sink.events.find((event) => event.path === '/meta-sharing/status/meta/delivered' && event.body.event?.messageId === messageId), {
		timeoutMs: 30000,
		what: 'the delivered status on the trigger’s output',
	}).catch(() => undefined);
	const message = customerMessage();
	const posted = await env.httpPost(sharing.url(), { body: message.body, headers: message.headers, json: false });
	const forwardedMessage = await waitFor(() => sink.events.find((event) => event.path === '/meta-number' && event.raw === message.body), { timeoutMs: 30000, what: 'the customer message at the other URL' }).catch(() => undefined);
	report.check(
		setByHand === 200 && taken && Boolean(forwardedStatus && signedByMeta(forwardedStatus)) && Boolean(onOutput),
		'meta: the number’s override taken from another system: the delivered status reaches that URL unchanged and still verifies there, and reaches the trigger’s Delivered',
		() => `override set by hand ${setByHand}, taken ${taken}, forwarded ${Boolean(forwardedStatus)}, on Delivered ${Boolean(onOutput)}`,
	);
	report.check(
		posted.status === 200 && Boolean(forwardedMessage && signedByMeta(forwardedMessage)),
		'meta: a customer message to the number reaches the other URL byte for byte with Meta’s valid signature (Meta is answered 200)',
		() => `trigger answered ${posted.status}; forwarded ${Boolean(forwardedMessage)}`,
	);
	await env.n8n.deactivateWorkflow(sharing.id);
	report.check(metaOverride(ctx) === numberUrl, 'meta: deactivation puts the number override it displaced back', () => String(metaOverride(ctx)));
	await env.n8n.rest('DELETE', `/workflows/${sharing.id}`).catch(() => undefined);

	// The number override cleared by hand: the app's URL has the number's events. Forwarding off.
	await metaApi(ctx, { webhook_configuration: { override_callback_uri: '' } });
	const alone = await addTrigger(ctx, 'meta', {}, 'meta-alone', { forwardNumberEvents: false });
	const quiet = await env.send('meta', { to: TEST_NUMBERS.delivered, text: 'e2e number not shared' });
	const quietId = Array.isArray(quiet.body) ? quiet.body[0]?.messageId : undefined;
	const seen = await waitFor(() => sink.events.find((event) => event.path === '/meta-alone/status/meta/seen'), { timeoutMs: 30000, what: 'the read status at the trigger' }).catch(() => undefined);
	const atApp = sink.events.filter((event) => event.path === '/meta-app' && event.raw.includes(quietId ?? 'none'));
	report.check(Boolean(seen) && atApp.length === 0, 'meta: with Forward Number Events off, the trigger gets the statuses and the app’s URL gets nothing of the number’s', () => `seen ${Boolean(seen)}, at the app URL: ${atApp.length}`);
	await env.n8n.deactivateWorkflow(alone.id);
	await env.n8n.rest('DELETE', `/workflows/${alone.id}`).catch(() => undefined);
	await panelWarning(ctx, short);
	sandbox.configure({ webhooks: { meta: configured } });
}

/** The panel's notice for forwarding off, as n8n serves the node's description to the editor. */
async function panelWarning({ env, report }, short) {
	const response = await fetch(`${env.n8n.localUrl}/types/nodes.json`, { headers: { cookie: env.n8n.cookie ?? '' } });
	const types = response.ok ? await response.json() : [];
	const trigger = (Array.isArray(types) ? types : []).filter((type) => String(type.name).endsWith('whatsAppStatusTrigger')).pop();
	const notice = trigger?.properties?.find((property) => property.name === 'forwardingOffNotice');
	report.check(
		Boolean(notice) && /gets none of this number’s customer messages or statuses/.test(notice.displayName) && notice.displayOptions?.show?.forwardNumberEvents?.[0] === false,
		'meta: the panel warns, when forwarding is off, what the other URL will no longer get',
		() => `nodes.json ${response.status}; ${short(JSON.stringify(notice ?? null))}`,
	);
}
