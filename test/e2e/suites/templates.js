'use strict';

/**
 * Templates and media in a real n8n, with no override: per provider, a workflow that sends
 * the sandbox's `order_shipped` template with two variables (picked "From List" where the
 * provider has a list, so n8n also fetches the list through the credential to check the
 * count), and one that sends a document. The sandbox checks each request's shape and the
 * suite checks what it received. Then the Template list as n8n's editor asks for it.
 */

const { sandboxProviders } = require('../../../sandbox/providers');
const { TEST_NUMBERS } = require('../../../sandbox/server');
const { TEMPLATES } = require('../../../sandbox/templates');
const rt = require('../../../scripts/n8n-runtime');
const { providerNames, sendWorkflow } = require('../lib/workflows');

const ORDER_SHIPPED = TEMPLATES.find((template) => template.name === 'order_shipped');
const RECIPIENT = TEST_NUMBERS.delivered;
/** What the workflows send, and what each provider's kit checks the sandbox received. */
const TEMPLATE_SEND = { template: ORDER_SHIPPED, variables: ['Ada', 'A-1042'] };
const DOCUMENT_SEND = { url: 'https://files.example.com/invoices/INV-1042.pdf', fileName: 'invoice-1042.pdf', caption: 'Your invoice' };

const kit = (provider) => sandboxProviders()[provider];

/** Providers whose templates need more credential fields get a credential of their own here. */
const templateCredentials = {};

function credentialFor(provider, credentials) {
	return templateCredentials[provider] || credentials[provider];
}

function templateWorkflow(provider, credentials) {
	const workflow = sendWorkflow({ provider, credential: credentialFor(provider, credentials), path: `send-template-${provider}` });
	const notify = workflow.nodes[1];
	notify.parameters = {
		provider,
		recipient: '={{ $json.body.to }}',
		messageType: 'template',
		template: { __rl: true, ...kit(provider).templateRef(ORDER_SHIPPED) },
		templateVariables: { variable: [{ value: '={{ $json.body.name }}' }, { value: '={{ $json.body.order }}' }] },
		options: {},
	};
	return { ...workflow, name: `e2e template (${provider})` };
}

function documentWorkflow(provider, credentials) {
	const workflow = sendWorkflow({ provider, credential: credentialFor(provider, credentials), path: `send-document-${provider}` });
	const notify = workflow.nodes[1];
	notify.parameters = {
		provider,
		recipient: '={{ $json.body.to }}',
		messageType: 'media',
		mediaType: 'document',
		mediaUrl: '={{ $json.body.url }}',
		fileName: DOCUMENT_SEND.fileName,
		message: DOCUMENT_SEND.caption,
		options: {},
	};
	return { ...workflow, name: `e2e document (${provider})` };
}

/** Whether the sandbox received the template or the document in the provider's shape. */
function sentAsExpected(provider, kind, body) {
	try {
		return kind === 'template' ? kit(provider).sentTemplate(body, TEMPLATE_SEND) : kit(provider).sentDocument(body, DOCUMENT_SEND);
	} catch {
		return false;
	}
}

module.exports = {
	name: 'Templates and media through every provider, no override',

	credentials({ credentials }) {
		for (const provider of providerNames().filter((name) => kit(name).templateSettings)) {
			const base = credentials[provider];
			const data = { ...base.data, ...kit(provider).templateSettings };
			templateCredentials[provider] = { ...base, id: rt.newId(), name: `${base.name}, with template settings`, data };
		}
		return Object.values(templateCredentials);
	},

	workflows({ credentials }) {
		return providerNames().flatMap((provider) => [templateWorkflow(provider, credentials), documentWorkflow(provider, credentials)]);
	},

	async run({ report, n8n, httpPost, receivedFor, credentials, short }) {
		for (const provider of providerNames()) {
			for (const [kind, body] of [
				['template', { to: RECIPIENT, name: TEMPLATE_SEND.variables[0], order: TEMPLATE_SEND.variables[1] }],
				['document', { to: RECIPIENT, url: DOCUMENT_SEND.url }],
			]) {
				const response = await report.attempt(`${provider}: ${kind}`, () => httpPost(n8n.webhookUrl(`send-${kind}-${provider}`), { body }));
				if (!response) continue;
				const item = Array.isArray(response.body) ? response.body[0] : undefined;
				const sent = report.check(
					response.status === 200 && item && item.status === 'sent' && typeof item.messageId === 'string',
					`${provider}: ${kind} sent through n8n, messageId ${item && item.messageId}`,
					() => `HTTP ${response.status}: ${short(response.body)}`,
				);
				if (!sent) continue;
				const record = receivedFor(item.messageId);
				report.check(
					record && record.status < 300 && sentAsExpected(provider, kind, record.body),
					`${provider}: the sandbox accepted the ${kind} in ${provider}'s shape (${record && record.path})`,
					() => short(record && record.body, 400),
				);
			}
		}

		// The Template list, as n8n's editor asks for it.
		for (const provider of providerNames()) {
			const credential = credentialFor(provider, credentials);
			const request = {
				nodeTypeAndVersion: { name: rt.NODE_TYPES.notify, version: 1 },
				path: 'template',
				methodName: 'searchTemplates',
				currentNodeParameters: { provider, messageType: 'template', template: { __rl: true, mode: 'list', value: '' } },
				credentials: { [credential.type]: { id: credential.id, name: credential.name } },
			};
			let answer;
			let failure;
			try {
				answer = await n8n.rest('POST', '/dynamic-node-parameters/resource-locator-results', request);
			} catch (error) {
				failure = error;
			}
			if (!kit(provider).routes.some((route) => route.kind === 'list')) {
				report.check(
					failure !== undefined && /has no API that lists WhatsApp templates/.test(failure.message),
					`${provider}: the Template list says the provider has no API that lists templates`,
					() => short(failure ? failure.message : answer),
				);
				continue;
			}
			const names = answer && Array.isArray(answer.results) ? answer.results.map((result) => result.name) : [];
			report.check(
				names.length === 4 && names[0] === 'order_shipped (en · 2 variables)' && names.some((name) => name.startsWith('appointment_reminder')) && !names.some((name) => name.startsWith('spring_sale')),
				`${provider}: the Template list in n8n shows the 4 approved templates: ${names.join('; ')}`,
				() => short(failure ? failure.message : answer, 400),
			);
		}
	},
};
