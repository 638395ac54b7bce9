/**
 * Runs the package's nodes inside n8n's real workflow engine (n8n-core's
 * WorkflowExecute and WebhookContext), the way an n8n instance would, with
 * credentials held in memory. Used by the tests and by the benchmark.
 * It loads the built package (dist/): what ships is what is tested.
 */
const path = require('path');
const { ExecutionLifecycleHooks, HookContext, LoadOptionsContext, WebhookContext, WorkflowExecute } = require('n8n-core');
const { createDeferredPromise, ICredentialsHelper, NodeHelpers, Workflow } = require('n8n-workflow');
const { Container } = require('@n8n/di');
const { SSHClientsManager } = require('n8n-core/dist/execution-engine/ssh-clients-manager');

const dist = path.resolve(__dirname, '../../dist');
const { WhatsAppNotify } = require(`${dist}/nodes/WhatsAppNotify/WhatsAppNotify.node`);
const { WhatsAppStatusTrigger } = require(`${dist}/nodes/WhatsAppStatusTrigger/WhatsAppStatusTrigger.node`);
const { forgetSendPaces } = require(`${dist}/nodes/shared/paceRegistry`);
const { forgetKeptCredentials } = require(`${dist}/nodes/WhatsAppStatusTrigger/keptCredentials`);
const { n8n: packageEntries } = require('../../package.json');

const PACKAGE = 'n8n-nodes-whatsapp-notify';
const NOTIFY_TYPE = `${PACKAGE}.whatsAppNotify`;
const TRIGGER_TYPE = `${PACKAGE}.whatsAppStatusTrigger`;

const INPUT_TYPE = 'test.input';

/** Stands for whatever feeds WhatsApp Notify in a workflow (a trigger, a Split Out): it passes its items on. */
class InputNode {
	description = { displayName: 'Input', name: INPUT_TYPE, group: ['input'], version: 1, defaults: {}, inputs: ['main'], outputs: ['main'], properties: [] };

	/** @this {import('n8n-workflow').IExecuteFunctions} */
	async execute() {
		return [this.getInputData().map((item, index) => ({ ...item, pairedItem: { item: index } }))];
	}
}

const nodeTypeInstances = { [NOTIFY_TYPE]: new WhatsAppNotify(), [TRIGGER_TYPE]: new WhatsAppStatusTrigger(), [INPUT_TYPE]: new InputNode() };
// Every credential the package declares, as n8n loads them: a new provider's comes along by itself.
const credentialTypes = Object.fromEntries(
	packageEntries.credentials.map((file) => {
		const exported = require(path.resolve(__dirname, '../..', file));
		const type = new (Object.values(exported)[0])();
		return [type.name, type];
	}),
);

const nodeTypes = {
	getByName: (type) => nodeTypeInstances[type],
	getByNameAndVersion: (type) => nodeTypeInstances[type],
	getKnownTypes: () => ({}),
};

/**
 * Credentials as n8n's server holds them: decrypted values per type, and the
 * credential type's declarative `authenticate` applied with n8n's own
 * expression engine (as n8n's CredentialsHelper does).
 */
class MemoryCredentialsHelper extends ICredentialsHelper {
	constructor(credentials) {
		super();
		this.credentials = credentials;
	}

	getParentTypes() {
		return [];
	}

	async getDecrypted(_additionalData, _nodeCredentials, type) {
		const values = this.credentials[type];
		if (!values) throw new Error(`no credential of type ${type} in this test`);
		// Defaults as the editor would have saved them.
		const defaults = Object.fromEntries(credentialTypes[type].properties.map((p) => [p.name, p.default]));
		return { ...defaults, ...values };
	}

	async authenticate(credentials, typeName, requestOptions, workflow, node) {
		const { authenticate } = credentialTypes[typeName];
		if (typeof authenticate === 'function') return await authenticate(credentials, requestOptions);
		const resolved = { ...requestOptions };
		for (const [part, entries] of Object.entries(authenticate.properties)) {
			resolved[part] = { ...(resolved[part] ?? {}) };
			for (const [key, value] of Object.entries(entries)) {
				resolved[part][key] = workflow.expression.getParameterValue(
					value, null, 0, 0, node.name, [], 'internal', { $credentials: credentials },
				);
			}
		}
		return resolved;
	}

	async preAuthentication() {
		return undefined;
	}

	async runPreAuthentication() {
		return undefined;
	}

	getCredentialsProperties(type) {
		return credentialTypes[type].properties;
	}

	/** @returns {Promise<never>} */
	async getCredentials() {
		throw new Error('not used');
	}

	async updateCredentials() {}

	async updateCredentialsOauthTokenData() {}
}

/**
 * What n8n's server hands an execution; only what these nodes reach for is filled in.
 * @returns {import('n8n-workflow').IWorkflowExecuteAdditionalData}
 */
function additionalDataFor(credentials, extra = {}) {
	return /** @type {any} */ ({
		credentialsHelper: new MemoryCredentialsHelper(credentials),
		restApiUrl: 'http://localhost:5678/rest',
		instanceBaseUrl: 'http://localhost:5678/',
		formWaitingBaseUrl: 'http://localhost:5678/form-waiting',
		webhookBaseUrl: 'https://n8n.example.com/webhook',
		webhookWaitingBaseUrl: 'https://n8n.example.com/webhook-waiting',
		webhookTestBaseUrl: 'https://n8n.example.com/webhook-test',
		// What getSignedResumeUrl builds a waiting execution's URL from.
		executionId: 'exec-1',
		currentNodeParameters: undefined,
		executionTimeoutTimestamp: undefined,
		userId: 'test-user',
		variables: {},
		logAiEvent: () => {},
		setExecutionStatus: () => {},
		...extra,
	});
}

function credentialRefs(credentials) {
	return Object.fromEntries(Object.keys(credentials).map((type) => [type, { id: type, name: type }]));
}

/**
 * A WhatsApp Notify node as a workflow holds it.
 * @returns {import('n8n-workflow').INode}
 */
function notifyNode(parameters, credentials, settings = {}) {
	return {
		id: 'notify',
		name: 'WhatsApp Notify',
		type: NOTIFY_TYPE,
		typeVersion: 1,
		position: [0, 0],
		parameters,
		credentials: credentialRefs(credentials),
		...settings,
	};
}

/**
 * Runs WhatsApp Notify over `items` in a real WorkflowExecute.
 * Returns { items: the node's output items, error: the node's error or null }.
 * Each run starts as in a fresh n8n process, knowing no provider's send rate, unless
 * `keepSendPaces` (executions of one process share what the provider's answers taught).
 */
/**
 * @param {object} options
 * @param {object} options.parameters the node's parameters, as the editor saves them
 * @param {Array<{ json: object }>} [options.items]
 * @param {Record<string, object>} options.credentials values per credential type
 * @param {boolean} [options.continueOnFail]
 * @param {string} [options.onError]
 * @param {boolean} [options.keepSendPaces]
 * @param {string} [options.webhookWaitingBaseUrl] n8n's resume URLs' base (from WEBHOOK_URL)
 * @returns {Promise<{ items: any[], errorItems: any[], error: any, run: import('n8n-workflow').IRun }>}
 */
async function runNotify({ parameters, items = [{ json: {} }], credentials, continueOnFail = false, onError = undefined, keepSendPaces = false, webhookWaitingBaseUrl = undefined }) {
	if (!keepSendPaces) forgetSendPaces();
	// continueOnFail: Settings → On Error → Continue; onError names any of n8n's choices ('continueErrorOutput').
	const node = notifyNode(parameters, credentials, onError ? { onError } : continueOnFail ? { onError: 'continueRegularOutput' } : {});
	// The items come from a node before it, as in a workflow (n8n's error output reads that node's items).
	/** @type {import('n8n-workflow').INode} */
	const input = { id: 'input', name: 'Input', type: INPUT_TYPE, typeVersion: 1, position: [-200, 0], parameters: {} };
	const nodes = [input, node];
	/** @type {import('n8n-workflow').IConnections} */
	const connections = { [input.name]: { main: [[{ node: node.name, type: 'main', index: 0 }]] } };
	const workflow = new Workflow({ id: 'wf', nodes, connections, nodeTypes, active: false });
	const hooks = new ExecutionLifecycleHooks('manual', 'exec-1', /** @type {any} */ ({ id: 'wf', nodes, connections }));
	/** @type {import('n8n-workflow').IDeferredPromise<import('n8n-workflow').IRun>} */
	const finished = createDeferredPromise();
	hooks.addHandler('workflowExecuteAfter', (run) => finished.resolve(run));
	const additionalData = additionalDataFor(credentials, { hooks, ...(webhookWaitingBaseUrl ? { webhookWaitingBaseUrl } : {}) });
	/** @type {any} */
	const runExecutionData = {
		startData: {},
		resultData: { runData: {} },
		executionData: {
			contextData: {},
			metadata: {},
			nodeExecutionStack: [{ node: input, data: { main: [items] }, source: null }],
			waitingExecution: {},
			waitingExecutionSource: {},
		},
	};
	await new WorkflowExecute(additionalData, 'manual', runExecutionData).processRunExecutionData(workflow);
	const run = await finished.promise;
	// n8n-core's SSH client manager keeps a cleanup interval that would hold the process open.
	/** @type {any} */ (Container.get(SSHClientsManager)).cleanupTimer?.unref();
	const taskData = run.data.resultData.runData[node.name]?.[0];
	return {
		items: taskData?.data?.main?.[0] ?? [],
		/** The error output's items, with On Error "Continue (using error output)". */
		errorItems: taskData?.data?.main?.[1] ?? [],
		error: taskData?.error ?? run.data.resultData.error ?? null,
		run,
	};
}

/**
 * Calls one of WhatsApp Notify's list searches (a resource locator's "From List") through
 * n8n-core's LoadOptionsContext, as the editor does when the list opens.
 * Returns { results } or { error }.
 */
async function runListSearch({ parameters, credentials, method, filter = undefined }) {
	const node = notifyNode(parameters, credentials);
	const workflow = new Workflow({ id: 'wf', nodes: [node], connections: {}, nodeTypes, active: false });
	const additionalData = additionalDataFor(credentials, { currentNodeParameters: parameters });
	const context = new LoadOptionsContext(workflow, workflow.getNode(node.name), additionalData, 'parameters.template');
	try {
		const { results } = await nodeTypeInstances[NOTIFY_TYPE].methods.listSearch[method].call(context, filter);
		return { results, error: null };
	} catch (error) {
		return { results: null, error };
	}
}

/** A request as n8n's webhook server hands it to a node (express-like). */
function webhookRequest({ body, headers = {}, query = {}, url = '/webhook/trigger-id/status', rawBody }) {
	const host = 'n8n.example.com';
	return {
		body,
		headers: { host, 'x-forwarded-proto': 'https', ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) },
		query,
		originalUrl: url,
		url,
		protocol: 'http',
		rawBody: rawBody ?? Buffer.from(typeof body === 'string' ? body : JSON.stringify(body ?? {})),
	};
}

/** Collects what the node answers directly (401/400/empty 200). */
function webhookResponse() {
	const response = {
		statusCode: undefined,
		body: undefined,
		contentType: undefined,
		ended: false,
		type(contentType) {
			response.contentType = contentType;
			return response;
		},
		status(code) {
			response.statusCode = code;
			return response;
		},
		send(body) {
			response.body = body;
			return response;
		},
		json(body) {
			response.body = body;
			return response;
		},
		end() {
			response.ended = true;
			return response;
		},
	};
	return response;
}

/**
 * Calls WhatsApp Status Trigger's webhook through n8n-core's WebhookContext.
 * Returns { result: what webhook() returned, response: what it answered itself,
 * outputs: { delivered, seen, discarded, other } as JSON arrays }.
 */
/** @returns {import('n8n-workflow').INode} */
function triggerNode(parameters, credentials, typeVersion = 1) {
	return {
		id: 'trigger',
		name: 'WhatsApp Status Trigger',
		type: TRIGGER_TYPE,
		typeVersion,
		position: [0, 0],
		webhookId: 'trigger-id',
		parameters,
		credentials: credentialRefs(credentials),
	};
}

/**
 * `staticData`: the workflow's static data, as n8n saved it after activation (what
 * runWebhookMethod returned), for callbacks checked against what the trigger registered;
 * `webhookBaseUrl` stands for WEBHOOK_URL; `keepCredentials`: the credential the trigger kept from
 * an earlier call stays (by default each call starts as a fresh trigger).
 */
async function runStatusWebhook({ parameters, credentials, request, method = 'POST', staticData = undefined, webhookBaseUrl = undefined, keepCredentials = false, typeVersion = 1 }) {
	// Each call stands for a fresh trigger unless a test is about what the trigger keeps between callbacks.
	if (!keepCredentials) forgetKeptCredentials();
	const node = triggerNode(parameters, credentials, typeVersion);
	const workflow = new Workflow({ id: 'wf', nodes: [node], connections: {}, nodeTypes, active: true, staticData });
	const response = webhookResponse();
	const additionalData = additionalDataFor(credentials, {
		httpRequest: webhookRequest(request),
		httpResponse: response,
		...(webhookBaseUrl ? { webhookBaseUrl, webhookTestBaseUrl: `${webhookBaseUrl}-test` } : {}),
	});
	// POST is the callbacks' webhook, GET the handshake's (the same path), as n8n picks them.
	const description = nodeTypeInstances[TRIGGER_TYPE].description.webhooks.find((webhook) => webhook.httpMethod === method);
	const webhookData = triggerWebhookData(node, description, additionalData);
	const context = new WebhookContext(workflow, workflow.getNode(node.name), additionalData, 'webhook', webhookData, [], null);
	const result = await nodeTypeInstances[TRIGGER_TYPE].webhook.call(context);
	const items = (result.workflowData ?? []).map((output) => output.map((item) => item.json));
	// By the names the editor shows (Received sits after Other, or in its place when Other is off).
	const named = Object.fromEntries(triggerOutputNames(workflow.getNode(node.name).parameters, typeVersion).map((name, index) => [name.toLowerCase(), items[index] ?? []]));
	return { result, response, outputs: { delivered: [], seen: [], discarded: [], other: [], received: [], ...named } };
}

/**
 * Calls WhatsApp Notify's webhook (the waiting Send and Wait node's resume URL) through n8n-core's
 * WebhookContext, as n8n's waiting webhooks do once they checked the URL's signature.
 * `request`: { body, headers, query, url }. Returns { result, response }.
 */
async function runNotifyWebhook({ parameters, credentials, request }) {
	const node = notifyNode(parameters, credentials);
	const workflow = new Workflow({ id: 'wf', nodes: [node], connections: {}, nodeTypes, active: false });
	const response = webhookResponse();
	const additionalData = additionalDataFor(credentials, { httpRequest: webhookRequest(request), httpResponse: response });
	const [description] = nodeTypeInstances[NOTIFY_TYPE].description.webhooks;
	/** @type {any} */
	const webhookData = { httpMethod: 'POST', node: node.name, path: node.id, webhookDescription: description, workflowId: 'wf', workflowExecuteAdditionalData: additionalData };
	const context = new WebhookContext(workflow, workflow.getNode(node.name), additionalData, 'webhook', webhookData, [], null);
	const result = await nodeTypeInstances[NOTIFY_TYPE].webhook.call(context);
	return { result, response };
}

/**
 * The webhook data n8n hands the trigger for one of its webhooks (`description`).
 * @returns {any}
 */
function triggerWebhookData(node, description, additionalData) {
	return {
		httpMethod: description.httpMethod,
		node: node.name,
		path: `${node.webhookId}/${description.path}`,
		webhookDescription: description,
		workflowId: 'wf',
		workflowExecuteAdditionalData: additionalData,
		webhookId: node.webhookId,
	};
}

/**
 * Calls one of the trigger's webhookMethods (checkExists, create, delete) through n8n-core's
 * HookContext, as n8n does when a workflow is activated or deactivated (`test`: when the editor
 * listens for a test event, with the test URL). Pass the `staticData` a previous call returned,
 * as n8n keeps it between activation and deactivation; `webhookBaseUrl` stands for WEBHOOK_URL;
 * `activation` is n8n's activation mode ('init' at n8n's start; 'activate' by default).
 * Returns { result, error, staticData }.
 */
async function runWebhookMethod({ method, parameters, credentials, staticData = {}, test = false, webhookBaseUrl = undefined, typeVersion = 1, activation = undefined }) {
	const node = triggerNode(parameters, credentials, typeVersion);
	const workflow = new Workflow({ id: 'wf', nodes: [node], connections: {}, nodeTypes, active: !test, staticData });
	const additionalData = additionalDataFor(credentials, webhookBaseUrl ? { webhookBaseUrl, webhookTestBaseUrl: `${webhookBaseUrl}-test` } : {});
	const description = nodeTypeInstances[TRIGGER_TYPE].description.webhooks.find((webhook) => webhook.name === 'default');
	const webhookData = { ...triggerWebhookData(node, description, additionalData), isTest: test };
	const context = new HookContext(workflow, workflow.getNode(node.name), additionalData, test ? 'manual' : 'trigger', activation ?? (test ? 'manual' : 'activate'), webhookData);
	const saved = () => JSON.parse(JSON.stringify(workflow.staticData));
	try {
		const result = await nodeTypeInstances[TRIGGER_TYPE].webhookMethods.default[method].call(context);
		return { result, error: null, staticData: saved() };
	} catch (error) {
		return { result: null, error, staticData: saved() };
	}
}

/** The outputs n8n's editor draws for the trigger with these parameters (its `outputs` expression, evaluated by n8n). */
function triggerOutputNames(parameters, typeVersion = 1) {
	/** @type {import('n8n-workflow').INode} */
	const node = { id: 't', name: 'T', type: TRIGGER_TYPE, typeVersion, position: [0, 0], parameters };
	const workflow = new Workflow({ id: 'wf', nodes: [node], connections: {}, nodeTypes, active: false });
	const outputs = NodeHelpers.getNodeOutputs(workflow, workflow.getNode('T'), nodeTypeInstances[TRIGGER_TYPE].description);
	return outputs.map((output) => (typeof output === 'string' ? output : output.displayName));
}

module.exports = { runNotify, runNotifyWebhook, runListSearch, runStatusWebhook, runWebhookMethod, triggerOutputNames };
