/**
 * What n8n's editor shows in the two panels, per provider: the credentials and webhook URLs that
 * apply, and nothing else (WhatsApp Notify's parameters: notifyFields.test.js walks every case). Evaluated with n8n-workflow's own display rules
 * (NodeHelpers.displayParameter) and expression engine, as the editor evaluates them.
 */
const path = require('path');
const { NodeHelpers, Workflow } = require('n8n-workflow');

const dist = path.resolve(__dirname, '../../../dist');
const { WhatsAppNotify } = require(`${dist}/nodes/WhatsAppNotify/WhatsAppNotify.node`);
const { WhatsAppStatusTrigger } = require(`${dist}/nodes/WhatsAppStatusTrigger/WhatsAppStatusTrigger.node`);

const notify = new WhatsAppNotify().description;
const trigger = new WhatsAppStatusTrigger().description;
const PROVIDERS = ['smooch', 'gupshup', 'twilio', 'meta'];

/** The top-level parameters n8n shows for these values (defaults filled in as the editor does). */
function shownParameters(description, values) {
	const parameters = NodeHelpers.getNodeParameters(description.properties, values, true, false, null, description);
	return description.properties
		.filter((property) => NodeHelpers.displayParameter(parameters, property, null, description))
		.map((property) => property.name);
}

function shownCredentials(description, provider) {
	const parameters = NodeHelpers.getNodeParameters(description.properties, { provider }, true, false, null, description);
	return description.credentials
		.filter((credential) => NodeHelpers.displayParameter(parameters, credential, null, description))
		.map((credential) => credential.name);
}

const CREDENTIAL_TYPES = { smooch: 'smoochApi', gupshup: 'gupshupApi', twilio: 'twilioWhatsAppApi', meta: 'metaWhatsAppCloudApi' };

describe.each([
	['WhatsApp Notify', notify],
	['WhatsApp Status Trigger', trigger],
])('%s', (_name, description) => {
	test.each(PROVIDERS)('%s: only that provider’s credential type is offered, so a new credential is of it', (provider) => {
		expect(shownCredentials(description, provider)).toEqual([CREDENTIAL_TYPES[provider]]);
	});

	test('no parameter looks like the node’s auth field to n8n’s editor, so Provider stays a visible choice', () => {
		// The editor's rule (getMainAuthField, findAlternativeAuthField in n8n 1.123 to 2.39): a
		// parameter is the auth field when the credentials' plain `show` values cover all its
		// options; then it is hidden and every new credential opens on the first credential type.
		const plainShown = new Set(
			description.credentials.flatMap((credential) => Object.values(credential.displayOptions.show).flat().filter((value) => typeof value === 'string')),
		);
		const authLike = description.properties.filter(
			(property) =>
				property.options &&
				description.credentials.some((credential) => property.name in credential.displayOptions.show) &&
				property.options.every((option) => plainShown.has(option.value)),
		);
		expect(authLike).toEqual([]);
		// And each credential is one that not every provider needs (a credential without `show` would be).
		expect(description.credentials.every((credential) => credential.displayOptions.show.provider)).toBe(true);
		expect(shownParameters(description, { provider: 'twilio' })).toContain('provider');
	});
});

describe('WhatsApp Status Trigger: the GET URL', () => {
	/** Whether the panel lists the GET webhook's URL (its ndvHideUrl expression, evaluated by n8n). */
	function getUrlShown(provider) {
		/** @type {import('n8n-workflow').INode} */
		const node = { id: 't', name: 'T', type: 'trigger', typeVersion: 1, position: [0, 0], parameters: { provider } };
		const nodeTypes = /** @type {any} */ ({ getByNameAndVersion: () => ({ description: trigger }) });
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
		const get = trigger.webhooks.find((webhook) => webhook.httpMethod === 'GET');
		return !workflow.expression.getSimpleParameterValue(node, get.ndvHideUrl, 'internal', {});
	}

	test.each([
		['meta', true],
		['twilio', false],
		['smooch', false],
		['gupshup', false],
	])('%s: shown: %s (only Meta verifies the URL with a GET)', (provider, shown) => {
		expect(getUrlShown(provider)).toBe(shown);
	});

	test('the POST URL is always shown', () => {
		expect(trigger.webhooks.find((webhook) => webhook.httpMethod === 'POST').ndvHideUrl).toBeUndefined();
	});
});

describe('Smooch credential: Custom Host', () => {
	const { SmoochApi } = require(`${dist}/credentials/SmoochApi.credentials`);
	const baseUrl = new SmoochApi().properties.find((property) => property.name === 'baseUrl');

	test('Base URL is empty and required, shown only for Custom Host (never pre-filled with the US host)', () => {
		expect(baseUrl).toMatchObject({ default: '', required: true, displayOptions: { show: { region: ['custom'] } } });
	});
});
