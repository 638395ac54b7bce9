'use strict';

/**
 * The credentials and workflows the e2e suite imports into n8n.
 *
 * - one send workflow per provider: Webhook (POST /webhook/send-<provider>, answers when the
 *   last node finishes with all its items) -> WhatsApp Notify (that provider's credential).
 *   The request body { to, text, override } feeds recipient, message and override.
 * - one status workflow per provider: WhatsApp Status Trigger -> its Delivered, Seen and
 *   Discarded outputs, each wired to an HTTP Request node that POSTs
 *   { output, provider, executionId, event } to the sink.
 */

const crypto = require('node:crypto');

const rt = require('../../../scripts/n8n-runtime');
const { providerNames, sandboxProviders } = require('../../../sandbox/providers');

const OUTPUTS = ['delivered', 'seen', 'discarded'];

const titleCase = (name) => name[0].toUpperCase() + name.slice(1);

/** One credential per provider, all pointing at the sandbox. */
function sandboxCredentials(sandboxUrl, { suffix = 'e2e' } = {}) {
	return Object.fromEntries(
		Object.values(sandboxProviders()).map((kit) => [
			kit.name,
			{
				id: rt.newId(),
				name: `${titleCase(kit.name)} (sandbox ${suffix})`,
				type: kit.credentialType,
				data: kit.sandboxCredential(sandboxUrl),
			},
		]),
	);
}

function credentialRef(credential) {
	return { [credential.type]: { id: credential.id, name: credential.name } };
}

/** @returns {{ id: string, name: string, nodes: any[], connections: object, settings: object }} */
function sendWorkflow({ provider, credential, path }) {
	const webhook = {
		id: crypto.randomUUID(),
		name: 'Send request',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 0],
		webhookId: crypto.randomUUID(),
		parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', responseData: 'allEntries', options: {} },
	};
	const notify = {
		id: crypto.randomUUID(),
		name: 'WhatsApp Notify',
		type: rt.NODE_TYPES.notify,
		typeVersion: 1,
		position: [260, 0],
		parameters: {
			provider,
			recipient: '={{ $json.body.to }}',
			message: '={{ $json.body.text }}',
			override: '={{ JSON.stringify($json.body.override || {}) }}',
			options: {},
		},
		credentials: credentialRef(credential),
	};
	return {
		id: rt.newId(),
		name: `e2e send (${provider})`,
		nodes: [webhook, notify],
		connections: { [webhook.name]: { main: [[{ node: notify.name, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/**
 * A batch send workflow: Webhook (POST /webhook/<path>, body { messages: [{ to, text }] }, answers
 * with all items when the last node is done) -> Split Out (one item per message) -> WhatsApp Notify.
 */
function batchSendWorkflow({ provider, credential, path }) {
	const workflow = sendWorkflow({ provider, credential, path });
	const [webhook, notify] = workflow.nodes;
	const split = {
		id: crypto.randomUUID(),
		name: 'One item per message',
		type: 'n8n-nodes-base.splitOut',
		typeVersion: 1,
		position: [130, 0],
		parameters: { fieldToSplitOut: 'body.messages', include: 'noOtherFields', options: {} },
	};
	Object.assign(notify.parameters, { recipient: '={{ $json.to }}', message: '={{ $json.text }}', override: '{}' });
	return {
		...workflow,
		name: `e2e batch send (${provider})`,
		nodes: [webhook, split, notify],
		connections: {
			[webhook.name]: { main: [[{ node: split.name, type: 'main', index: 0 }]] },
			[split.name]: { main: [[{ node: notify.name, type: 'main', index: 0 }]] },
		},
	};
}

/**
 * Six messages, three of which fail, one of each errorKind: one refused by the provider (the
 * sandbox's 400 number: 'provider'), one refused before sending (not E.164: 'input'), one the
 * provider fails with a 500 ('unreachable'). `customer` is an input field the error items must keep.
 */
function fallbackMessages() {
	const { TEST_NUMBERS } = require('../../../sandbox/server');
	return [
		{ to: TEST_NUMBERS.delivered, text: 'Order 1 shipped', customer: 'C-1' },
		{ to: TEST_NUMBERS.invalid, text: 'Order 2 shipped', customer: 'C-2' },
		{ to: '(457)-746-846', text: 'Order 3 shipped', customer: 'C-3' },
		{ to: TEST_NUMBERS.undeliverable, text: 'Order 4 shipped', customer: 'C-4' },
		{ to: TEST_NUMBERS.serverError, text: 'Order 5 shipped', customer: 'C-5' },
		{ to: '+15557654321', text: 'Order 6 shipped', customer: 'C-6' },
	];
}

/** The fallback's filter: an SMS cannot fix a number the node refused, so only the other kinds pass. */
function smsCanHelp(position) {
	return {
		id: crypto.randomUUID(),
		name: 'Not a bad input',
		type: 'n8n-nodes-base.filter',
		typeVersion: 2.2,
		position,
		parameters: {
			conditions: {
				options: { caseSensitive: true, leftValue: '', typeValidation: 'strict', version: 2 },
				conditions: [
					{
						id: crypto.randomUUID(),
						leftValue: '={{ $json.errorKind }}',
						rightValue: 'input',
						operator: { type: 'string', operation: 'notEquals' },
					},
				],
				combinator: 'and',
			},
			options: {},
		},
	};
}

/**
 * The SMS-fallback pattern: messages -> Split Out -> WhatsApp Notify with On Error "Continue (using
 * error output)"; its error output -> "Not a bad input" (a Filter: errorKind is not 'input') ->
 * "SMS fallback", an HTTP Request that posts { to: $json.recipient, customer, provider, errorKind,
 * reason, executionId } to the sink (where an SMS provider would be).
 * `trigger`: 'webhook' (POST /webhook/<path> with { messages }) or 'manual' (the messages of
 * fallbackMessages() from a Set node, for "Execute workflow" in the editor).
 */
function fallbackWorkflow({ provider, credential, sinkUrl, trigger, path = `fallback-${provider}` }) {
	const send = batchSendWorkflow({ provider, credential, path });
	/** @type {Array<Record<string, any>>} */
	const batchNodes = send.nodes;
	const [webhook, split, notify] = batchNodes;
	notify.onError = 'continueErrorOutput';
	notify.position = [480, 0];
	const start =
		trigger === 'manual'
			? { id: crypto.randomUUID(), name: 'Run', type: 'n8n-nodes-base.manualTrigger', typeVersion: 1, position: [-220, 0], parameters: {} }
			: { ...webhook, parameters: { ...webhook.parameters, responseMode: 'onReceived' } };
	const messages = {
		id: crypto.randomUUID(),
		name: 'The messages',
		type: 'n8n-nodes-base.set',
		typeVersion: 3.4,
		position: [0, 0],
		parameters: { mode: 'raw', jsonOutput: JSON.stringify({ body: { messages: fallbackMessages() } }), options: {} },
	};
	const sms = {
		id: crypto.randomUUID(),
		name: 'SMS fallback',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [1000, 120],
		parameters: {
			method: 'POST',
			url: `${sinkUrl}/sms`,
			sendBody: true,
			specifyBody: 'json',
			jsonBody:
				'={{ JSON.stringify({ to: $json.recipient, customer: $json.customer, provider: $json.provider, errorKind: $json.errorKind, reason: $json.error, executionId: $execution.id }) }}',
			options: {},
		},
	};
	/** @type {Array<Record<string, any>>} */
	const first = trigger === 'manual' ? [start, messages] : [start];
	const filter = smsCanHelp([760, 120]);
	const nodes = [...first, split, notify, filter, sms];
	const chain = [...first, split, notify];
	const connections = Object.fromEntries(
		chain.slice(0, -1).map((node, index) => [node.name, { main: [[{ node: chain[index + 1].name, type: 'main', index: 0 }]] }]),
	);
	connections[notify.name] = { main: [[], [{ node: filter.name, type: 'main', index: 0 }]] };
	connections[filter.name] = { main: [[{ node: sms.name, type: 'main', index: 0 }]] };
	return { ...send, name: `e2e SMS fallback (${provider}, ${trigger})`, nodes, connections };
}

/**
 * Without a sinkUrl, the trigger alone: every callback still starts (and saves) an execution, as in the bench.
 * `registerCallback`: whether the trigger registers its URL with the sandbox itself; off (manual
 * mode) by default, as the suites give the sandbox the URL by hand. `typeVersion` 2 adds the
 * Received output (customers' messages), wired to the sink too; `label` goes into each posted body.
 */
function statusWorkflow({ provider, credential, webhookId, sinkUrl = undefined, registerCallback = false, typeVersion = 1, label = undefined }) {
	const trigger = {
		id: crypto.randomUUID(),
		name: 'WhatsApp Status Trigger',
		type: rt.NODE_TYPES.statusTrigger,
		typeVersion,
		position: [0, 200],
		webhookId,
		parameters: { provider, registerCallback, ...(typeVersion >= 2 ? { receiveMessages: true } : {}), options: {} },
		credentials: credentialRef(credential),
	};
	const outputs = typeVersion >= 2 ? [...OUTPUTS, 'received'] : OUTPUTS;
	const labelled = label === undefined ? '' : `label: ${JSON.stringify(label)}, `;
	const sinks = (sinkUrl ? outputs : []).map((output, index) => ({
		id: crypto.randomUUID(),
		name: `To sink: ${output}`,
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [320, index * 200],
		parameters: {
			method: 'POST',
			url: `${sinkUrl}/status/${provider}/${output}`,
			sendBody: true,
			specifyBody: 'json',
			jsonBody: `={{ JSON.stringify({ ${labelled}output: ${JSON.stringify(output)}, provider: ${JSON.stringify(
				provider,
			)}, executionId: $execution.id, event: $json }) }}`,
			options: {},
		},
	}));
	return {
		id: rt.newId(),
		name: `e2e status (${provider})`,
		nodes: [trigger, ...sinks],
		connections: sinks.length ? { [trigger.name]: { main: sinks.map((sink) => [{ node: sink.name, type: 'main', index: 0 }]) } } : {},
		settings: { executionOrder: 'v1' },
	};
}

/** The URL the provider calls for a Status Trigger with this webhook id (a token in it, for those that take one). */
function triggerUrl(provider, n8nBase, webhookId) {
	const kit = sandboxProviders()[provider];
	return kit.callbackUrl(`${n8nBase}/webhook/${webhookId}/status`, kit.sandboxCredential(''));
}

module.exports = {
	providerNames,
	sandboxCredentials,
	triggerUrl,
	sendWorkflow,
	batchSendWorkflow,
	fallbackMessages,
	fallbackWorkflow,
	statusWorkflow,
};
