'use strict';

/**
 * Reply buttons and Send and Wait for Reply in a real n8n, per provider:
 *  - a text with reply buttons, and a template with quick replies, reach the sandbox in the
 *    provider's documented shape (the sandbox refuses any other) with their buttons;
 *  - Send and Wait (Approve / Decline) asked of two recipients: each waits, the sandbox plays each
 *    customer's tap (POST /_sandbox/inbound, signed as the provider signs) to a version 2 Status
 *    Trigger, and each execution resumes independently with its own answer;
 *  - the same tap delivered again (a replay) and a tap whose token was altered (a forgery) get 401
 *    and resume nothing; a new tap on a wait that ended is answered 200 and goes to Received;
 *  - a wait with a short Limit Wait Time goes on without an answer, as n8n's own send-and-wait does.
 * For the suite's length the provider's callbacks go to the version 2 trigger; they go back after.
 */

const crypto = require('node:crypto');

const { TEST_NUMBERS } = require('../../../sandbox/server');
const { TEMPLATES } = require('../../../sandbox/templates');
const { postWebhook } = require('../../../sandbox/lib/http');
const { sandboxProviders } = require('../../../sandbox/providers');
const rt = require('../../../scripts/n8n-runtime');
const { providerNames, sendWorkflow } = require('../lib/workflows');

const REMINDER = TEMPLATES.find((template) => template.name === 'appointment_reminder');
const FIRST = TEST_NUMBERS.delivered;
const SECOND = '+15551234568';
const LATE = '+15551234569';
/** The timed-out wait's limit: 0.02 minutes; n8n's wait tracker looks for due executions every minute. */
const SHORT_LIMIT_MINUTES = 0.02;
const TIMEOUT_WAIT_MS = 150_000;

const node = (name, type, typeVersion, position, parameters, extra = {}) => ({ id: crypto.randomUUID(), name, type, typeVersion, position, parameters, ...extra });
const credentialRef = (credential) => ({ [credential.type]: { id: credential.id, name: credential.name } });
const toSink = (name, url, position, body) =>
	node(name, 'n8n-nodes-base.httpRequest', 4.2, position, { method: 'POST', url, sendBody: true, specifyBody: 'json', jsonBody: `={{ JSON.stringify(${body}) }}`, options: {} });

/** Webhook (the question's recipient and limit) → Send and Wait → the sink, with what the node went on with. */
function waitWorkflow(provider, credential, sinkUrl) {
	const ask = node('Ask', 'n8n-nodes-base.webhook', 2, [0, 0], { httpMethod: 'POST', path: `e2e-wait-${provider}`, responseMode: 'onReceived', options: {} }, { webhookId: crypto.randomUUID() });
	const wait = node('Send and Wait', rt.NODE_TYPES.notify, 1, [260, 0], {
		provider,
		operation: 'sendAndWait',
		recipient: '={{ $json.body.to }}',
		message: 'Refund of 40 EUR for order 1042: approve?',
		responseType: 'approval',
		approvalOptions: { values: { approvalType: 'double', approveLabel: 'Approve', disapproveLabel: 'Decline' } },
		// The suite gives the sandbox the receiving trigger's URL by hand.
		replyTriggerSetup: 'manual',
		options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: '={{ $json.body.minutes }}', resumeUnit: 'minutes' } } },
	}, { credentials: credentialRef(credential) });
	const sink = toSink('To sink', `${sinkUrl}/wait/${provider}`, [520, 0], `{ provider: ${JSON.stringify(provider)}, to: $('Ask').first().json.body.to, executionId: $execution.id, result: $json }`);
	return {
		id: rt.newId(),
		name: `e2e send and wait (${provider})`,
		nodes: [ask, wait, sink],
		connections: { Ask: { main: [[{ node: wait.name, type: 'main', index: 0 }]] }, [wait.name]: { main: [[{ node: sink.name, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** A version 2 Status Trigger (Received on) whose Received output goes to the sink. */
function receivingWorkflow(provider, credential, webhookId, sinkUrl) {
	const trigger = node('WhatsApp Status Trigger', rt.NODE_TYPES.statusTrigger, 2, [0, 0], { provider, registerCallback: false, options: {} }, { webhookId, credentials: credentialRef(credential) });
	const sink = toSink('Received to sink', `${sinkUrl}/received/${provider}`, [320, 0], `{ provider: ${JSON.stringify(provider)}, message: $json }`);
	return {
		id: rt.newId(),
		name: `e2e received (${provider})`,
		nodes: [trigger, sink],
		// Delivered, Seen, Discarded, then Received.
		connections: { [trigger.name]: { main: [[], [], [], [{ node: sink.name, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** A text with two reply buttons, and the reminder template with its quick-reply payloads (Twilio: its ids as variables). */
function buttonWorkflows(provider, credential, kit) {
	const text = sendWorkflow({ provider, credential, path: `send-reply-buttons-${provider}` });
	text.nodes[1].parameters = {
		provider,
		recipient: '={{ $json.body.to }}',
		message: 'Your appointment is tomorrow at 10:00. Can you come?',
		replyButtons: { button: [{ title: 'Confirm', id: 'appt-42-yes' }, { title: 'Reschedule', id: 'appt-42-move' }] },
		options: {},
	};
	const template = sendWorkflow({ provider, credential, path: `send-quick-replies-${provider}` });
	const twilio = provider === 'twilio';
	template.nodes[1].parameters = {
		provider,
		recipient: '={{ $json.body.to }}',
		messageType: 'template',
		template: { __rl: true, ...kit.templateRef(REMINDER), mode: 'id' },
		templateVariables: { variable: ['Thursday 10:00', ...(twilio ? ['appt-42-yes', 'appt-42-move'] : [])].map((value) => ({ value })) },
		...(twilio ? {} : { quickReplyPayloads: { payload: [{ value: 'appt-42-yes' }, { value: 'appt-42-move' }] } }),
		options: {},
	};
	return [
		{ ...text, name: `e2e buttons (${provider})` },
		{ ...template, name: `e2e quick replies (${provider})` },
	];
}

const receivingIds = {};
/** Providers whose templates need more credential fields (Smooch's namespace) get a credential of their own. */
const templateCredentials = {};

module.exports = {
	// The workflows, for test/e2e/queue.js too.
	waitWorkflow,
	receivingWorkflow,
	name: 'Reply buttons and Send and Wait for Reply through every provider',
	timing: 'send-and-wait',

	credentials({ credentials }) {
		for (const provider of providerNames().filter((name) => sandboxProviders()[name].templateSettings)) {
			const base = credentials[provider];
			templateCredentials[provider] = { ...base, id: rt.newId(), name: `${base.name}, for quick replies`, data: { ...base.data, ...sandboxProviders()[provider].templateSettings } };
		}
		return Object.values(templateCredentials);
	},

	workflows({ credentials, sink, kits }) {
		return providerNames().flatMap((provider) => {
			receivingIds[provider] = crypto.randomUUID();
			return [
				...buttonWorkflows(provider, templateCredentials[provider] ?? credentials[provider], kits[provider]),
				waitWorkflow(provider, credentials[provider], sink.url),
				receivingWorkflow(provider, credentials[provider], receivingIds[provider], sink.url),
			];
		});
	},

	async run(env) {
		const { sandbox, triggerUrls } = env;
		const receivingUrls = Object.fromEntries(providerNames().map((provider) => [provider, env.kits[provider].callbackUrl(`${env.n8nBase}/webhook/${receivingIds[provider]}/status`, env.kits[provider].sandboxCredential(''))]));
		sandbox.configure({ webhooks: receivingUrls });
		try {
			await buttonSends(env);
			const late = await askAll(env, LATE, SHORT_LIMIT_MINUTES);
			for (const provider of providerNames()) await waitAndTap(env, provider);
			await timeouts(env, late);
		} finally {
			sandbox.configure({ webhooks: triggerUrls });
		}
	},
};

/** The sandbox's record of the first message with buttons to `recipient` since record number `since`. */
function recordTo(env, provider, recipient, since) {
	const kit = env.kits[provider];
	return env.sandbox.received.slice(since).find((record) => record.provider === provider && record.buttons && kit.recipientSent(record.body) === kit.recipientAsSent(recipient));
}

async function buttonSends(env) {
	const { report, n8n, httpPost, short } = env;
	for (const provider of providerNames()) {
		for (const [kind, path] of [['a text with reply buttons', 'send-reply-buttons'], ['a template with quick replies', 'send-quick-replies']]) {
			const response = await report.attempt(`${provider}: ${kind}`, () => httpPost(n8n.webhookUrl(`${path}-${provider}`), { body: { to: FIRST } }));
			const item = response && Array.isArray(response.body) ? response.body[0] : undefined;
			const record = item && env.receivedFor(item.messageId);
			report.check(
				record && record.status < 300 && JSON.stringify(record.buttons) === JSON.stringify([{ id: 'appt-42-yes', title: 'Confirm' }, { id: 'appt-42-move', title: 'Reschedule' }]),
				`${provider}: ${kind} reached the sandbox in ${provider}'s shape, buttons Confirm / Reschedule with their ids`,
				() => short(record ? record.body : response && response.body, 400),
			);
		}
	}
}

/** Asks `recipient` through each provider's wait workflow; resolves to the question records by provider. */
async function askAll(env, recipient, minutes, providers = providerNames()) {
	const records = {};
	for (const provider of providers) {
		const since = env.sandbox.received.length;
		await env.httpPost(env.n8n.webhookUrl(`e2e-wait-${provider}`), { body: { to: recipient, minutes } });
		records[provider] = await env.waitFor(() => recordTo(env, provider, recipient, since), { timeoutMs: 20_000, describe: () => `${provider}'s question to ${recipient}` }).catch(() => undefined);
	}
	return records;
}

/** The exact callback the sandbox sends for a customer's message, so the same one can be delivered twice. */
const inboundRequest = (env, provider, input) => env.sandbox.inboundRequests({ provider, ...input })[0];

const waitResults = (env, provider, recipient) => env.sink.find((body) => body.provider === provider && body.to === recipient && body.result);

async function waitAndTap(env, provider) {
	const { report, sandbox, sink, short } = env;
	const [first, second] = [await askAll(env, FIRST, 60, [provider]), await askAll(env, SECOND, 60, [provider])].map((records) => records[provider]);
	const buttonsOk = (record) => record && record.status < 300 && record.buttons?.map((button) => button.title).join() === 'Decline,Approve';
	if (!report.check(buttonsOk(first) && buttonsOk(second), `${provider}: Send and Wait asked two recipients, each with Decline / Approve reply buttons`, () => short(first || second))) return;

	// The second recipient answers first: each execution resumes with its own answer.
	const approve = inboundRequest(env, provider, { from: SECOND, button: second.buttons[1] });
	const approved = await postWebhook(approve.url, approve.request);
	await sandbox.inbound({ provider, from: FIRST, button: first.buttons[0] });
	const answers = await sink
		.waitFor(() => waitResults(env, provider, FIRST).length && waitResults(env, provider, SECOND).length, { timeoutMs: 20_000 })
		.then(() => [waitResults(env, provider, SECOND)[0].result, waitResults(env, provider, FIRST)[0].result])
		.catch(() => []);
	report.check(
		approved.httpStatus === 200 && answers[0]?.data?.approved === true && answers[1]?.data?.approved === false && answers[0]?.answeredBy?.phone === SECOND,
		`${provider}: two waits resumed independently: ${SECOND} approved, ${FIRST} declined, each with who answered`,
		() => short({ approved: approved.httpStatus, answers }),
	);

	// The same callback again: a replay.
	const replay = await postWebhook(approve.url, approve.request);
	// A token altered by one character: a forgery (the first recipient's question is over; the late one still waits).
	const token = second.buttons[1].id;
	const forged = { id: token.slice(0, 8) + (token[8] === 'A' ? 'B' : 'A') + token.slice(9), title: 'Approve' };
	const forgery = await sandbox.inbound({ provider, from: SECOND, button: forged });
	// A new tap on the wait that ended: acknowledged, and on Received.
	const late = await sandbox.inbound({ provider, from: FIRST, button: first.buttons[1] });
	const received = await sink.waitFor((body) => body.provider === provider && body.message?.button?.id === first.buttons[1].id, { timeoutMs: 20_000 }).catch(() => undefined);
	await new Promise((resolve) => setTimeout(resolve, 1000));
	report.check(
		replay.httpStatus === 401 && forgery.delivered[0]?.status === 401 && waitResults(env, provider, SECOND).length === 1 && waitResults(env, provider, FIRST).length === 1,
		`${provider}: a replayed tap and a forged tap got 401 and resumed nothing`,
		() => short({ replay: replay.httpStatus, forgery: forgery.delivered }),
	);
	report.check(late.delivered[0]?.status === 200 && received !== undefined, `${provider}: a tap on a wait that ended got 200 and went to Received`, () => short(late.delivered));
}

/** The waits with a short Limit Wait Time go on without an answer: the node passes its input item on, as n8n's own. */
async function timeouts(env, asked) {
	const { report, sink, short } = env;
	for (const provider of providerNames()) {
		const record = asked[provider];
		const result = await sink
			.waitFor(() => waitResults(env, provider, LATE).length > 0, { timeoutMs: TIMEOUT_WAIT_MS })
			.then(() => waitResults(env, provider, LATE)[0].result)
			.catch(() => undefined);
		report.check(
			record !== undefined && result !== undefined && result.data === undefined && result.body?.to === LATE,
			`${provider}: the wait with a ${SHORT_LIMIT_MINUTES}-minute limit went on without an answer, with its input item`,
			() => short(result ?? 'no execution went on'),
		);
	}
}
