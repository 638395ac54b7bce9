'use strict';

/**
 * Register Callback Automatically, in a real n8n against the sandbox: activating a Status
 * Trigger workflow registers exactly one callback for its URL through the provider's API, a
 * send's statuses reach its outputs, a forged callback gets 401, a second trigger on the same
 * account works beside it (Meta: one URL per number, so a clear activation error), and
 * deactivating removes what activation made and nothing else (a registration made by hand stays).
 * Its workflows are created and activated here, after the built-in sections: Meta's override
 * outranks the URL the sandbox was given by hand.
 */

const crypto = require('node:crypto');

const { TEST_NUMBERS } = require('../../../sandbox/server');
const { statusWorkflow } = require('../lib/workflows');

/** Creates a workflow over REST (inactive) and returns it with n8n's id. */
async function createWorkflow(n8n, workflow) {
	const { id, ...fields } = workflow;
	// n8n 1.x stores no default for `active` (NOT NULL): say it.
	return await n8n.rest('POST', '/workflows', { active: false, ...fields });
}

module.exports = {
	name: 'Register Callback Automatically: activation registers, deactivation removes',

	async run(env) {
		const { sandbox, kits } = env;
		const urlsAt = (provider) => kits[provider].registeredUrls(sandbox.registrations[provider] ?? []);
		const reg = { ...env, urlsAt, count: (provider, url) => urlsAt(provider).filter((each) => each === url).length, triggers: [] };
		const first = await registerFirst(reg);
		const handMade = await registerByHand(reg);
		await registerSecond(reg, first);
		await statusesReachTriggers(reg);
		await forgedGets401(reg, first);
		await deactivationRemoves(reg, handMade);
	},
};

/** A status workflow that registers itself, created and activated; its `refusal` is the error text when n8n refuses. */
async function addTrigger({ n8n, n8nBase, sink, credentials, triggers }, provider, label) {
	const webhookId = crypto.randomUUID();
	const url = `${n8nBase}/webhook/${webhookId}/status`;
	const workflow = statusWorkflow({ provider, credential: credentials[provider], webhookId, sinkUrl: `${sink.url}/${label}`, registerCallback: true });
	const created = await createWorkflow(n8n, { ...workflow, name: `e2e ${label} (${provider})` });
	const trigger = { provider, label, url, id: created.id };
	try {
		await n8n.activateWorkflow(created.id);
		triggers.push(trigger);
	} catch (error) {
		trigger.refusal = error.message;
	}
	return trigger;
}

/** Activation registers exactly one callback for the trigger's URL. */
async function registerFirst(reg) {
	const { report, providers, count, urlsAt, n8nBase } = reg;
	const first = {};
	for (const provider of providers) {
		first[provider] = await addTrigger(reg, provider, 'registered');
		report.check(
			!first[provider].refusal && count(provider, first[provider].url) === 1,
			`${provider}: activating registers exactly one callback for ${first[provider].url.replace(n8nBase, '')} at the sandbox`,
			() => first[provider].refusal ?? `registered: ${JSON.stringify(urlsAt(provider))}`,
		);
	}
	return first;
}

/** A registration made by hand (another URL), which the trigger must never touch. */
async function registerByHand({ report, providers, kits, sink, sandbox, short }) {
	const handMade = {};
	for (const provider of providers.filter((each) => kits[each].registerByHand)) {
		handMade[provider] = `${sink.url}/by-hand/${provider}`;
		const request = kits[provider].registerByHand(handMade[provider]);
		const response = await fetch(`${sandbox.url}${request.path}`, { method: request.method, headers: request.headers, body: request.body });
		const answer = await response.text();
		report.check(response.ok, `${provider}: a registration made by hand for another URL -> ${response.status}`, () => short(answer));
	}
	return handMade;
}

/** A second trigger on the same account: beside the first, or (one URL per number: Meta) refused at activation. */
async function registerSecond(reg, first) {
	const { report, providers, kits, count, urlsAt, n8n } = reg;
	for (const provider of providers) {
		const second = await addTrigger(reg, provider, 'second');
		if (kits[provider].oneRegistrationPerAccount) {
			report.check(
				Boolean(second.refusal) && second.refusal.includes(first[provider].url) && count(provider, first[provider].url) === 1,
				`${provider}: a second trigger on the same number is refused at activation, naming the URL that holds it`,
				() => second.refusal ?? 'it was activated',
			);
			await n8n.rest('DELETE', `/workflows/${second.id}`).catch(() => undefined);
		} else {
			report.check(
				!second.refusal && count(provider, second.url) === 1 && count(provider, first[provider].url) === 1,
				`${provider}: a second trigger on the same account registers its own callback beside the first`,
				() => second.refusal ?? JSON.stringify(urlsAt(provider)),
			);
		}
	}
}

/** A send's statuses reach every registered trigger's outputs, verified with what was registered. */
async function statusesReachTriggers({ report, providers, triggers, send, sink, waitFor, short }) {
	for (const provider of providers) {
		const response = await send(provider, { to: TEST_NUMBERS.delivered, text: `e2e registered ${provider}` });
		const messageId = Array.isArray(response.body) ? response.body[0]?.messageId : undefined;
		for (const trigger of triggers.filter((each) => each.provider === provider)) {
			const reached = (output, predicate) =>
				waitFor(() => sink.events.find((event) => event.path === `/${trigger.label}/status/${provider}/${output}` && predicate(event.body)), {
					timeoutMs: 30000,
					what: `${provider} (${trigger.label}) ${output}`,
				}).catch(() => undefined);
			const delivered = await reached('delivered', (body) => body.event?.messageId === messageId);
			// Smooch's read names no message: any seen at this trigger.
			const seen = await reached('seen', () => true);
			report.check(
				Boolean(delivered && seen),
				`${provider} (${trigger.label}): the send's delivered (messageId ${short(messageId, 24)}) and seen reach the trigger's outputs`,
			);
		}
	}
}

/** A forged callback (the same body without what registration made) gets 401. */
async function forgedGets401({ report, providers, sandbox, httpPost }, first) {
	for (const provider of providers) {
		const genuine = sandbox.callbacks.filter((callback) => callback.provider === provider && callback.registered).pop();
		const forged = genuine ? await httpPost(first[provider].url, { body: genuine.body }) : { status: 'no callback to forge' };
		report.check(forged.status === 401, `${provider}: a registered callback's body without its secret or signature -> ${forged.status}`);
	}
}

/** Deactivation removes what activation made, and nothing else. */
async function deactivationRemoves({ report, triggers, n8n, count, urlsAt, sandbox }, handMade) {
	for (const trigger of triggers) {
		await n8n.deactivateWorkflow(trigger.id);
		report.check(
			count(trigger.provider, trigger.url) === 0,
			`${trigger.provider} (${trigger.label}): deactivating removes its registration`,
			() => JSON.stringify(urlsAt(trigger.provider)),
		);
	}
	for (const [provider, url] of Object.entries(handMade)) {
		report.check(count(provider, url) === 1, `${provider}: the registration made by hand is still there`, () => JSON.stringify(urlsAt(provider)));
		// Cleared here, through the sandbox's own store, so later suites see the sandbox as they expect.
		const registrations = sandbox.registrations[provider];
		registrations.splice(0, registrations.length);
	}
}
