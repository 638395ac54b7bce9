'use strict';

/**
 * Templates and media in a real n8n, with no override: per provider, a workflow that sends
 * the sandbox's `order_shipped` template with two variables (picked "From List" where the
 * provider has a list, so n8n also fetches the list through the credential to check the
 * count), and one that sends a document. The sandbox checks each request's shape and the
 * suite checks what it received. Then the Template list as n8n's editor asks for it.
 */

const { SANDBOX_CREDENTIALS, TEST_NUMBERS } = require('../../sandbox/server');
const { TEMPLATES } = require('../../sandbox/templates');
const rt = require('../../scripts/n8n-runtime');
const { PROVIDERS, sendWorkflow } = require('../lib/workflows');

const ORDER_SHIPPED = TEMPLATES.find((template) => template.name === 'order_shipped');
const INVOICE_URL = 'https://files.example.com/invoices/INV-1042.pdf';
const RECIPIENT = TEST_NUMBERS.delivered;

/** How each provider names the template, and whether its list can pick it. */
const TEMPLATE_REF = {
	twilio: { value: ORDER_SHIPPED.twilioSid, mode: 'list' },
	gupshup: { value: ORDER_SHIPPED.gupshupId, mode: 'list' },
	smooch: { value: ORDER_SHIPPED.name, mode: 'id' },
	meta: { value: ORDER_SHIPPED.name, mode: 'list' },
};

const form = (body) => (typeof body === 'string' ? Object.fromEntries(new URLSearchParams(body)) : body);
const json = (value) => (typeof value === 'string' ? JSON.parse(value) : value);

/** What each provider must have received: [what, check(body)] pairs. */
const EXPECTED = {
	twilio: {
		template: (body) => form(body).ContentSid === ORDER_SHIPPED.twilioSid && form(body).ContentVariables === '{"1":"Ada","2":"A-1042"}' && form(body).Body === undefined,
		document: (body) => form(body).MediaUrl === INVOICE_URL && form(body).Body === 'Your invoice',
	},
	gupshup: {
		template: (body) =>
			JSON.stringify(json(form(body).template)) === JSON.stringify({ id: ORDER_SHIPPED.gupshupId, params: ['Ada', 'A-1042'] }) &&
			form(body).message === undefined,
		document: (body) =>
			JSON.stringify(json(form(body).message)) ===
			JSON.stringify({ type: 'file', url: INVOICE_URL, filename: 'invoice-1042.pdf', caption: 'Your invoice' }),
	},
	smooch: {
		template: (body) =>
			body.messageSchema === 'whatsapp' &&
			JSON.stringify(body.message) ===
				JSON.stringify({
					type: 'template',
					template: {
						namespace: SANDBOX_CREDENTIALS.smooch.templateNamespace,
						name: 'order_shipped',
						language: { policy: 'deterministic', code: 'en' },
						components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }, { type: 'text', text: 'A-1042' }] }],
					},
				}),
		document: (body) =>
			JSON.stringify(body.message) === JSON.stringify({ type: 'file', mediaUrl: INVOICE_URL, mediaType: 'application/pdf', text: 'Your invoice' }),
	},
	meta: {
		template: (body) =>
			body.type === 'template' &&
			JSON.stringify(body.template) ===
				JSON.stringify({
					name: 'order_shipped',
					language: { code: 'en' },
					components: [{ type: 'body', parameters: [{ type: 'text', text: 'Ada' }, { type: 'text', text: 'A-1042' }] }],
				}),
		document: (body) =>
			body.type === 'document' &&
			JSON.stringify(body.document) === JSON.stringify({ link: INVOICE_URL, caption: 'Your invoice', filename: 'invoice-1042.pdf' }),
	},
};

/** Smooch templates need the namespace, which the suite's own Smooch credential carries. */
let smoochWithNamespace;

function credentialFor(provider, credentials) {
	return provider === 'smooch' ? smoochWithNamespace : credentials[provider];
}

function templateWorkflow(provider, credentials) {
	const workflow = sendWorkflow({ provider, credential: credentialFor(provider, credentials), path: `send-template-${provider}` });
	const notify = workflow.nodes[1];
	notify.parameters = {
		provider,
		recipient: '={{ $json.body.to }}',
		messageType: 'template',
		template: { __rl: true, ...TEMPLATE_REF[provider] },
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
		fileName: 'invoice-1042.pdf',
		message: 'Your invoice',
		options: {},
	};
	return { ...workflow, name: `e2e document (${provider})` };
}

module.exports = {
	name: 'Templates and media through every provider, no override',

	credentials({ credentials }) {
		smoochWithNamespace = {
			...credentials.smooch,
			id: rt.newId(),
			name: 'Smooch (sandbox, with template namespace)',
			data: { ...credentials.smooch.data, templateNamespace: SANDBOX_CREDENTIALS.smooch.templateNamespace },
		};
		return [smoochWithNamespace];
	},

	workflows({ credentials }) {
		return PROVIDERS.flatMap((provider) => [templateWorkflow(provider, credentials), documentWorkflow(provider, credentials)]);
	},

	async run({ report, n8n, httpPost, receivedFor, credentials, short }) {
		for (const provider of PROVIDERS) {
			/** @type {Array<[string, object]>} */
			const kinds = [
				['template', { to: RECIPIENT, name: 'Ada', order: 'A-1042' }],
				['document', { to: RECIPIENT, url: INVOICE_URL }],
			];
			for (const [kind, body] of kinds) {
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
					record && record.status < 300 && EXPECTED[provider][kind](record.body),
					`${provider}: the sandbox accepted the ${kind} in ${provider}'s shape (${record && record.path})`,
					() => short(record && record.body, 400),
				);
			}
		}

		// The Template list, as n8n's editor asks for it.
		for (const provider of PROVIDERS) {
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
			if (provider === 'smooch') {
				report.check(
					failure !== undefined && /has no API that lists WhatsApp templates/.test(failure.message),
					'smooch: the Template list says Smooch has no API that lists templates',
					() => short(failure ? failure.message : answer),
				);
				continue;
			}
			const names = answer && Array.isArray(answer.results) ? answer.results.map((result) => result.name) : [];
			report.check(
				names.length === 3 && names[0] === 'order_shipped (en · 2 variables)' && !names.some((name) => name.startsWith('spring_sale')),
				`${provider}: the Template list in n8n shows the 3 approved templates: ${names.join('; ')}`,
				() => short(failure ? failure.message : answer, 400),
			);
		}
	},
};
