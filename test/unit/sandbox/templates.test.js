/**
 * The sandbox's templates: each provider's template list read by the package's own listing
 * (dist/), and template and media sends the package builds accepted, while sends in the
 * wrong shape are refused the way the provider refuses them.
 */

'use strict';

const { SANDBOX_CREDENTIALS: CREDS, TEST_NUMBERS } = require('../../../sandbox/server');
const { TEMPLATES } = require('../../../sandbox/templates');
const { PROVIDERS } = require('../../../dist/nodes/providers');
const { AUTH: auth, api, call, sandboxForTests } = require('../../helpers/sandboxRequests');
const RECIPIENT = TEST_NUMBERS.delivered;
const INVOICE = 'https://files.example.com/invoices/INV-1042.pdf';
const byName = (name) => TEMPLATES.find((template) => template.name === name);

const running = sandboxForTests();
let sb;
let settings;
beforeEach(() => ({ sandbox: sb, settings } = running));

/** Sends what the package's provider module builds, as the transport would. */
async function send(name, content, message = '') {
	return await call(name, PROVIDERS[name].buildSendRequest({ recipient: RECIPIENT, message, content, override: {}, settings: settings[name] }));
}

describe('template lists, read by the package', () => {
	test.each(['twilio', 'gupshup', 'meta'])('%s: the approved templates, with variable counts and the document header', async (name) => {
		const listing = PROVIDERS[name].templateListing;
		const { method, url } = listing.request(settings[name]);
		const response = await api.request({ method, url, auth: auth[name].auth, headers: auth[name].headers });
		expect(response.status).toBe(200);
		const templates = listing.readTemplates(response.data);
		expect(templates.map(({ name: each, variableCount }) => [each, variableCount])).toEqual([
			['order_shipped', 2],
			['invoice_ready', 1],
			['appointment_moved', 2],
			// Twilio's quick-reply template takes its two button ids as variables too.
			['appointment_reminder', name === 'twilio' ? 3 : 1],
		]);
		const idOf = { twilio: 'twilioSid', gupshup: 'gupshupId', meta: 'name' }[name];
		expect(templates[0].id).toBe(byName('order_shipped')[idOf]);
		if (name !== 'twilio') expect(templates[1].headerMedia).toBe('document');
	});

	test('a wrong credential gets the provider’s refusal', async () => {
		const { url } = PROVIDERS.gupshup.templateListing.request(settings.gupshup);
		const response = await api.get(url, { headers: { apikey: 'wrong' } });
		expect(response.status).toBe(401);
		expect(PROVIDERS.gupshup.readError(response.data, 401).message).toBe('Authentication Failed');
	});
});

describe('template and media sends the package builds are accepted', () => {
	const twoVariables = (id) => ({ type: 'template', template: id, language: 'en', variables: ['Ada', 'A-1042'] });
	const invoice = (id) => ({ type: 'template', template: id, language: 'en', variables: ['INV-1042'], headerMediaUrl: INVOICE });
	const document = { type: 'media', mediaType: 'document', url: INVOICE, fileName: 'invoice.pdf', caption: 'Your invoice' };

	test.each([
		['twilio', 'a template with two variables', twoVariables(byName('order_shipped').twilioSid)],
		['gupshup', 'a template with two variables', twoVariables(byName('order_shipped').gupshupId)],
		['gupshup', 'a template with a document header', invoice(byName('invoice_ready').gupshupId)],
		['smooch', 'a template with two variables', twoVariables('order_shipped')],
		['smooch', 'a template with a document header', invoice('invoice_ready')],
		['meta', 'a template with two variables', twoVariables('order_shipped')],
		['meta', 'a template with a document header', invoice('invoice_ready')],
		['twilio', 'a document', document],
		['gupshup', 'a document', document],
		['smooch', 'a document', document],
		['meta', 'a document', document],
		['meta', 'an audio', { type: 'media', mediaType: 'audio', url: 'https://files.example.com/note.ogg' }],
	])('%s: %s', async (name, _label, content) => {
		const response = await send(name, content);
		expect(response.status).toBeLessThan(300);
		expect(PROVIDERS[name].readMessageId(response.data)).toBe(sb.received.at(-1).messageId);
	});
});

describe('sends in the wrong shape are refused', () => {
	test('Twilio: ContentVariables that do not match the template (21656)', async () => {
		const response = await send('twilio', { type: 'template', template: byName('order_shipped').twilioSid, language: 'en', variables: ['Ada'] });
		expect(response.status).toBe(400);
		expect(response.data.code).toBe(21656);
	});

	test('Twilio: a ContentSid that is not approved (21655)', async () => {
		const response = await send('twilio', { type: 'template', template: byName('spring_sale').twilioSid, language: 'en', variables: [] });
		expect([response.status, response.data.code]).toEqual([400, 21655]);
	});

	test('Gupshup: a document template without its header', async () => {
		const response = await send('gupshup', { type: 'template', template: byName('invoice_ready').gupshupId, language: 'en', variables: ['INV-1'] });
		expect(response.status).toBe(400);
		expect(response.data.message).toContain('needs a document header');
	});

	test('Smooch: a template outside the integration’s namespace', async () => {
		settings.smooch.templateNamespace = '00000000_0000_0000_0000_000000000000';
		try {
			const response = await send('smooch', { type: 'template', template: 'order_shipped', language: 'en', variables: ['Ada', 'A-1'] });
			expect(response.status).toBe(400);
			expect(response.data.error.description).toContain('is not this integration');
		} finally {
			settings.smooch.templateNamespace = CREDS.smooch.templateNamespace;
		}
	});

	test('Meta: a template in a language it has no translation for', async () => {
		const response = await send('meta', { type: 'template', template: 'order_shipped', language: 'de', variables: ['Ada', 'A-1'] });
		expect(response.status).toBe(400);
		expect(response.data.error.error_data.details).toContain('no translation');
	});

	test('an http media URL', async () => {
		const response = await send('gupshup', { type: 'media', mediaType: 'video', url: 'http://files.example.com/clip.mp4' });
		expect(response.status).toBe(400);
		expect(response.data.message).toBe('Invalid Message: a video needs an https url');
	});
});
