'use strict';

/**
 * The Status Trigger's Received output (version 2), in a real n8n against the sandbox: for each
 * provider a customer's text, button tap and image, played by the sandbox in the provider's
 * documented inbound shape and signed as it signs, reach Received with the normalized fields; a
 * send's statuses still reach their outputs on the same trigger; a forged customer message gets
 * 401 and starts nothing. The sandbox's configured URL points at this suite's triggers meanwhile,
 * and back afterwards.
 */

const crypto = require('node:crypto');

const { TEST_NUMBERS } = require('../../../sandbox/server');
const { statusWorkflow, triggerUrl } = require('../lib/workflows');

const LABEL = 'received-suite';
const CUSTOMER = '+5511987654321';
const webhookIds = {};
const workflowIds = {};

module.exports = {
	name: 'Received: customers’ texts, button taps and images; statuses beside them; forged messages refused',

	timing: 'received',

	workflows({ providers, credentials, sink }) {
		return providers.map((provider) => {
			webhookIds[provider] = crypto.randomUUID();
			const workflow = statusWorkflow({ provider, credential: credentials[provider], webhookId: webhookIds[provider], sinkUrl: sink.url, typeVersion: 2, label: LABEL });
			workflowIds[provider] = workflow.id;
			return { ...workflow, name: `e2e received (${provider})` };
		});
	},

	async run(env) {
		const { providers, sandbox, n8nBase, report } = env;
		const configured = sandbox.config().webhooks;
		try {
			for (const provider of providers) {
				sandbox.configure({ webhooks: { [provider]: triggerUrl(provider, n8nBase, webhookIds[provider]) } });
				await report.attempt(`${provider}: customer messages reach Received`, () => messagesReachReceived(env, provider));
				await report.attempt(`${provider}: statuses still reach their outputs`, () => statusesStillRouted(env, provider));
				await report.attempt(`${provider}: a forged customer message gets 401`, () => forgedRefused(env, provider));
			}
		} finally {
			sandbox.configure({ webhooks: configured });
		}
		for (const provider of providers) {
			await report.attempt(`${provider}: a trigger that registers itself takes customer messages`, () => registeredTriggerReceives(env, provider));
		}
	},
};

/**
 * Register Callback Automatically on a version 2 trigger: what it registers at the sandbox takes
 * customer messages too (Twilio's sink: the text of Event Streams' copy). Deactivated afterwards.
 */
async function registeredTriggerReceives(env, provider) {
	const { n8n, credentials, sink, report, kits, sandbox, n8nBase } = env;
	const webhookId = crypto.randomUUID();
	const label = `${LABEL}-registered`;
	const workflow = statusWorkflow({ provider, credential: credentials[provider], webhookId, sinkUrl: sink.url, registerCallback: true, typeVersion: 2, label });
	const { id, ...fields } = workflow;
	const created = await n8n.rest('POST', '/workflows', { active: false, ...fields, name: `e2e received, registered (${provider})` });
	await n8n.activateWorkflow(created.id);
	try {
		const url = `${n8nBase}/webhook/${webhookId}/status`;
		const registeredUrls = kits[provider].registeredUrls(sandbox.registrations[provider] ?? []);
		report.check(registeredUrls.some((each) => each.startsWith(url)), `${provider}: activation registered ${url.replace(n8nBase, '')}`, () => JSON.stringify(registeredUrls));
		const { answer, messageId } = await play(env, provider, { text: 'Through the registration' });
		const reached = answer.delivered.filter((each) => each.url.startsWith(url));
		report.check(reached.length === 1 && reached[0].status === 200, `${provider}: the sandbox sent the customer message to what the trigger registered -> ${reached.map((each) => each.status)}`, () => JSON.stringify(answer.delivered));
		const body = await sink.waitFor((each) => each.label === label && each.output === 'received' && each.event?.messageId === messageId, { what: `${provider} message on the registered trigger's Received` });
		report.check(body.event.text === 'Through the registration' && body.event.from === CUSTOMER, `${provider}: it reached Received: ${body.event.type} "${body.event.text}" from ${body.event.from}`);
	} finally {
		await n8n.deactivateWorkflow(created.id);
	}
}

/** What the sink got from this suite's trigger on `output` for the message with this id. */
const fromOutput = (sink, provider, output, messageId, what) =>
	sink.waitFor((body) => body.label === LABEL && body.provider === provider && body.output === output && body.event?.messageId === messageId, { what });

/** Plays a customer's message; resolves to the id the provider gave it and the sandbox's answer. */
async function play({ sandbox }, provider, message) {
	const answer = await sandbox.inbound({ provider, from: CUSTOMER, profileName: 'Ana', ...message });
	const played = sandbox.callbacks.filter((callback) => callback.provider === provider && callback.status === 'inbound').at(-1);
	return { answer, messageId: played.messageId };
}

/** @type {Array<[string, object, (event: any, provider: string) => boolean]>} */
const CASES = [
	['a text', { text: 'Is my order ready?' }, (event) => event.type === 'text' && event.text === 'Is my order ready?'],
	[
		'a button tap',
		{ button: { id: 'confirm-appointment-42', title: 'Confirm' }, replyTo: 'e2e-replied-message' },
		(event, provider) =>
			event.type === 'button' &&
			event.button?.id === 'confirm-appointment-42' &&
			event.button?.title === 'Confirm' &&
			// Smooch's v1.1 payload names no message it answers.
			(provider === 'smooch' || event.replyTo === 'e2e-replied-message'),
	],
	[
		'an image',
		{ media: { url: 'https://example.com/broken-part.png', mimeType: 'image/png' }, text: 'The broken part' },
		(event, provider) =>
			event.type === 'image' && event.media?.mimeType === 'image/png' && (provider === 'meta' ? /^\d+$/.test(event.media.id) : event.media.url === 'https://example.com/broken-part.png'),
	],
];

async function messagesReachReceived(env, provider) {
	const { report, sink, short } = env;
	for (const [what, message, expected] of CASES) {
		const { answer, messageId } = await play(env, provider, message);
		report.check(answer.delivered.length === 1 && answer.delivered[0].status === 200, `${provider}: ${what} -> the trigger answered ${answer.delivered.map((each) => each.status).join(', ')}`);
		const body = await fromOutput(sink, provider, 'received', messageId, `${provider} ${what} on Received`);
		const { event } = body;
		report.check(
			event.kind === 'received' && event.provider === provider && event.from === CUSTOMER && expected(event, provider),
			`${provider}: ${what} on Received: from ${event.from}, type ${event.type}${event.button ? `, button ${event.button.id}` : ''}${event.media ? `, ${event.media.mimeType}` : ''}`,
			() => short(event, 600),
		);
	}
}

async function statusesStillRouted(env, provider) {
	const { report, send, sink, waitFor } = env;
	// Smooch's read names the conversation, not the message: count this trigger's Seen items instead.
	const seenItems = () => sink.find((body) => body.label === LABEL && body.provider === provider && body.output === 'seen');
	const seenBefore = seenItems().length;
	const response = await send(provider, { to: TEST_NUMBERS.delivered, text: `e2e received suite: statuses (${provider})` });
	const [item] = Array.isArray(response.body) ? response.body : [];
	const messageId = item?.json?.messageId ?? item?.messageId;
	report.check(Boolean(messageId), `${provider}: a send through n8n -> ${messageId}`, () => JSON.stringify(response.body));
	const delivered = await fromOutput(sink, provider, 'delivered', messageId, `${provider} delivered on this suite's trigger`);
	report.check(delivered.event.status === 'delivered', `${provider}: its delivered status reached Delivered on the version 2 trigger`);
	// The last of its statuses: after it, no execution of this send is still to come.
	const seen = await waitFor(() => seenItems()[seenBefore], { timeoutMs: 20000, what: `${provider} seen on this suite's trigger` });
	report.check(seen.event.status === 'seen', `${provider}: its read status reached Seen`);
	const onReceived = sink.find((body) => body.label === LABEL && body.output === 'received' && body.event?.messageId === messageId);
	report.check(onReceived.length === 0, `${provider}: no status of it on Received`);
}

async function forgedRefused(env, provider) {
	const { report, kits, n8nBase, httpPost, executionStats, sink, short } = env;
	const kit = kits[provider];
	const url = triggerUrl(provider, n8nBase, webhookIds[provider]);
	const before = (await executionStats(workflowIds[provider])).total;
	await env.settledExecutions(workflowIds[provider], before, `${provider} received executions before`);
	const genuine = kit.inbound.build(url, undefined, { provider, from: CUSTOMER, to: kit.inbound.businessNumber, text: 'forged', button: null, media: null, replyTo: null, profileName: 'Mallory' });
	const carrier = kit.secretCarrier;
	const withoutProof = carrier.header
		? { url: genuine.url ?? url, headers: Object.fromEntries(Object.entries(genuine.headers).filter(([name]) => name.toLowerCase() !== carrier.header.toLowerCase())), body: genuine.body }
		: { url: stripQuery(genuine.url ?? url, carrier.query), headers: genuine.headers, body: genuine.body };
	const tampered = { url: genuine.url ?? url, headers: genuine.headers, body: genuine.body.replace('forged', 'forgeD') };
	/** @type {Array<[string, { url: string, headers: Record<string, string>, body: string }]>} */
	const attempts = [
		['without its proof', withoutProof],
		['changed after signing', tampered],
	];
	for (const [what, request] of attempts) {
		// Gupshup's token proves the caller, not the body: a changed body with the token is genuine.
		if (what === 'changed after signing' && !kit.signsUrl && provider !== 'meta') continue;
		const response = await httpPost(request.url, { body: request.body, headers: request.headers, json: false });
		report.check(response.status === 401, `${provider}: a customer message ${what} -> ${response.status} ${short(response.text, 60)}`);
	}
	// A genuine one after: once it is in, anything the forged ones had started would be too.
	const { messageId } = await play(env, provider, { text: 'genuine after the forged ones' });
	await fromOutput(sink, provider, 'received', messageId, `${provider} genuine message after forged ones`);
	const after = (await env.settledExecutions(workflowIds[provider], before + 1, `${provider} received executions`)).total;
	report.check(after === before + 1, `${provider}: executions ${before} -> ${after}: only the genuine message started one`);
}

function stripQuery(url, name) {
	const parsed = new URL(url);
	parsed.searchParams.delete(name);
	return parsed.toString();
}
