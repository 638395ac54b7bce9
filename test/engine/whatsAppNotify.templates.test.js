/**
 * Templates and media in WhatsApp Notify, through n8n's real workflow engine with each
 * provider's API intercepted by nock: the exact body each provider receives for a template,
 * a template with header media and every media type; the template list through the
 * credential; and the errors that stop an item before anything is sent.
 */
const nock = require('nock');
const { providersOffline } = require('../helpers/offline');
const { runListSearch, runNotify } = require('../helpers/engine');
const { CREDENTIAL_TYPE, ENDPOINTS, RECIPIENT, sendThrough } = require('../helpers/notifySends');

const { CREDENTIALS, expectNoSecrets, GUPSHUP, META, SMOOCH, TWILIO } = require('../helpers/credentials');

const TWILIO_SID = 'HXb5b62575e6e4ff6129ad7c8efe1f983e';
const GUPSHUP_TEMPLATE = '2b1c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d';
const INVOICE = 'https://files.example.com/invoices/INV-1042.pdf';
const form = (body) => Object.fromEntries(new URLSearchParams(body));
const send = sendThrough;

const template = (value, variables = [], extra = {}) => ({
	messageType: 'template',
	template: { __rl: true, mode: 'id', value },
	templateVariables: { variable: variables.map((each) => ({ value: each })) },
	...extra,
});
const media = (mediaType, mediaUrl, extra = {}) => ({ messageType: 'media', mediaType, mediaUrl, ...extra });

providersOffline();

describe('a template with two variables, no override', () => {
	test('Twilio: ContentSid and ContentVariables as a JSON string, no Body', async () => {
		const { received, items } = await send('twilio', template(TWILIO_SID, ['Asha', '12/1']));
		expect(received).toEqual({
			To: `whatsapp:${RECIPIENT}`,
			From: 'whatsapp:+14155238886',
			ContentSid: TWILIO_SID,
			ContentVariables: '{"1":"Asha","2":"12/1"}',
		});
		expect(items[0].json).toMatchObject({ status: 'sent', messageId: 'SM5ef8732a3c49700934481addd5ce1659' });
	});

	test('Gupshup: /wa/api/v1/template/msg with template={"id","params"} and no text message', async () => {
		const { received } = await send('gupshup', template(GUPSHUP_TEMPLATE, ['Asha', '12/1']), { path: '/wa/api/v1/template/msg' });
		expect(form(received)).toEqual({
			channel: 'whatsapp',
			source: '917834811114',
			destination: '16505551234',
			'src.name': 'DemoApp',
			template: JSON.stringify({ id: GUPSHUP_TEMPLATE, params: ['Asha', '12/1'] }),
		});
	});

	test('Smooch: messageSchema whatsapp, namespace from the credential, deterministic language, body parameters', async () => {
		const { received } = await send('smooch', template('order_shipped', ['Asha', '12/1'], { templateLanguage: 'en_US' }));
		expect(received).toEqual({
			destination: { integrationId: 'int-whatsapp', destinationId: RECIPIENT },
			author: { role: 'appMaker' },
			messageSchema: 'whatsapp',
			message: {
				type: 'template',
				template: {
					namespace: SMOOCH.templateNamespace,
					name: 'order_shipped',
					language: { policy: 'deterministic', code: 'en_US' },
					components: [{ type: 'body', parameters: [{ type: 'text', text: 'Asha' }, { type: 'text', text: '12/1' }] }],
				},
			},
		});
	});

	test('Meta: type template with name, language code and body parameters', async () => {
		const { received } = await send('meta', template('order_shipped', ['Asha', '12/1']));
		expect(received).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: RECIPIENT,
			type: 'template',
			template: {
				name: 'order_shipped',
				language: { code: 'en' },
				components: [{ type: 'body', parameters: [{ type: 'text', text: 'Asha' }, { type: 'text', text: '12/1' }] }],
			},
		});
	});
});

describe('a template with a document header', () => {
	const withHeader = (id) => template(id, ['Asha'], { headerMediaUrl: INVOICE });
	const documentParameter = { type: 'document', document: { link: INVOICE, filename: 'INV-1042.pdf' } };

	test('Gupshup: the header goes in `message`, as {"type":"document","document":{"link","filename"}}', async () => {
		const { received } = await send('gupshup', withHeader(GUPSHUP_TEMPLATE), { path: '/wa/api/v1/template/msg' });
		expect(JSON.parse(form(received).template)).toEqual({ id: GUPSHUP_TEMPLATE, params: ['Asha'] });
		expect(JSON.parse(form(received).message)).toEqual(documentParameter);
	});

	test('Smooch: a header component before the body', async () => {
		const { received } = await send('smooch', withHeader('invoice_ready'));
		expect(received.message.template.components).toEqual([
			{ type: 'header', parameters: [documentParameter] },
			{ type: 'body', parameters: [{ type: 'text', text: 'Asha' }] },
		]);
	});

	test('Meta: a header component before the body; a .jpg header is an image', async () => {
		const { received } = await send('meta', withHeader('invoice_ready'));
		expect(received.template.components).toEqual([
			{ type: 'header', parameters: [documentParameter] },
			{ type: 'body', parameters: [{ type: 'text', text: 'Asha' }] },
		]);
		const { received: withImage } = await send('meta', template('sale', [], { headerMediaUrl: 'https://cdn.example.com/sale.jpg' }));
		expect(withImage.template.components).toEqual([
			{ type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/sale.jpg' } }] },
		]);
	});

	test('Twilio: Header Media URL does not apply (a Content template carries its own media): n8n drops a value a workflow kept', async () => {
		const { received, error } = await send('twilio', withHeader(TWILIO_SID));
		expect(error).toBeNull();
		expect(received).toEqual({ To: `whatsapp:${RECIPIENT}`, From: 'whatsapp:+14155238886', ContentSid: TWILIO_SID, ContentVariables: '{"1":"Asha"}' });
	});
});

describe('each media type, for every provider', () => {
	const IMAGE = 'https://cdn.example.com/receipt.png';
	const VIDEO = 'https://cdn.example.com/unboxing.mp4';
	const AUDIO = 'https://cdn.example.com/voice-note.ogg';
	const CASES = [
		['image', IMAGE, { message: 'Your receipt' }],
		['document', INVOICE, { message: 'Your invoice', fileName: 'invoice-1042.pdf' }],
		['video', VIDEO, { message: 'How to set it up' }],
		['audio', AUDIO, {}],
	];
	const EXPECTED = {
		twilio: {
			image: { MediaUrl: IMAGE, Body: 'Your receipt' },
			document: { MediaUrl: INVOICE, Body: 'Your invoice' },
			video: { MediaUrl: VIDEO, Body: 'How to set it up' },
			audio: { MediaUrl: AUDIO },
		},
		gupshup: {
			image: { type: 'image', originalUrl: IMAGE, previewUrl: IMAGE, caption: 'Your receipt' },
			document: { type: 'file', url: INVOICE, filename: 'invoice-1042.pdf', caption: 'Your invoice' },
			video: { type: 'video', url: VIDEO, caption: 'How to set it up' },
			audio: { type: 'audio', url: AUDIO },
		},
		smooch: {
			image: { type: 'image', mediaUrl: IMAGE, text: 'Your receipt' },
			document: { type: 'file', mediaUrl: INVOICE, mediaType: 'application/pdf', text: 'Your invoice' },
			video: { type: 'file', mediaUrl: VIDEO, mediaType: 'video/mp4', text: 'How to set it up' },
			audio: { type: 'file', mediaUrl: AUDIO, mediaType: 'audio/ogg' },
		},
		meta: {
			image: { type: 'image', image: { link: IMAGE, caption: 'Your receipt' } },
			document: { type: 'document', document: { link: INVOICE, caption: 'Your invoice', filename: 'invoice-1042.pdf' } },
			video: { type: 'video', video: { link: VIDEO, caption: 'How to set it up' } },
			audio: { type: 'audio', audio: { link: AUDIO } },
		},
	};

	test.each(CASES)('Twilio %s: MediaUrl, the caption as Body', async (mediaType, url, extra) => {
		const { received } = await send('twilio', media(mediaType, url, extra));
		expect(received).toEqual({ To: `whatsapp:${RECIPIENT}`, From: 'whatsapp:+14155238886', ...EXPECTED.twilio[mediaType] });
	});

	test.each(CASES)('Gupshup %s: the media message as `message`', async (mediaType, url, extra) => {
		const { received } = await send('gupshup', media(mediaType, url, extra));
		const fields = form(received);
		expect(JSON.parse(fields.message)).toEqual(EXPECTED.gupshup[mediaType]);
		expect(fields.template).toBeUndefined();
	});

	test.each(CASES)('Smooch %s: an image or file message with mediaUrl', async (mediaType, url, extra) => {
		const { received } = await send('smooch', media(mediaType, url, extra));
		expect(received.message).toEqual(EXPECTED.smooch[mediaType]);
		expect(received.messageSchema).toBeUndefined();
	});

	test.each(CASES)('Meta %s: {type, [type]: {link, caption, filename}}', async (mediaType, url, extra) => {
		const { received } = await send('meta', media(mediaType, url, extra));
		expect(received).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: RECIPIENT, ...EXPECTED.meta[mediaType] });
	});

	test('a document without File Name is named after the URL’s last part', async () => {
		const { received } = await send('gupshup', media('document', INVOICE));
		expect(JSON.parse(form(received).message)).toEqual({ type: 'file', url: INVOICE, filename: 'INV-1042.pdf' });
	});

	test('audio: Message does not apply, so n8n drops a Message a workflow kept, and the audio goes without a caption', async () => {
		const { received, error } = await send('meta', media('audio', AUDIO, { message: 'Listen to this' }));
		expect(error).toBeNull();
		expect(received).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: RECIPIENT, ...EXPECTED.meta.audio });
	});
});

describe('the override still has the last word', () => {
	test('Twilio: an override variable replaces the one the fields built, _config picks another sender', async () => {
		const { received } = await send(
			'twilio',
			template(TWILIO_SID, ['Asha', '12/1'], {
				override: JSON.stringify({ ContentVariables: { 2: '12/2' }, _config: { fromNumber: '+15550001111' } }),
			}),
		);
		expect(received.ContentVariables).toBe('{"1":"Asha","2":"12/2"}');
		expect(received.From).toBe('whatsapp:+15550001111');
	});

	test('Smooch: _config.templateNamespace replaces the credential’s namespace for this message', async () => {
		const other = '0a1b2c3d_4e5f_6a7b_8c9d_0e1f2a3b4c5d';
		const { received } = await send('smooch', template('order_shipped', [], { override: JSON.stringify({ _config: { templateNamespace: other } }) }));
		expect(received.message.template.namespace).toBe(other);
	});
});

describe('what stops an item before anything is sent', () => {
	async function refused(provider, parameters, credentials, items) {
		const { items: output, error } = await runNotify({
			items,
			parameters: { provider, recipient: RECIPIENT, ...parameters },
			credentials: { [CREDENTIAL_TYPE[provider]]: credentials ?? CREDENTIALS[CREDENTIAL_TYPE[provider]] },
		});
		expect(output).toEqual([]);
		expectNoSecrets(error);
		return error;
	}

	// Empty through an expression: n8n itself flags a required field left empty in the editor.
	test('a template with no id', async () => {
		const error = await refused('twilio', template('={{ $json.template }}'), undefined, [{ json: { template: '' } }]);
		expect(error.message).toBe('No template in item 0: pick one from the list or type its ID');
	});

	test('an empty template variable', async () => {
		const error = await refused('gupshup', template(GUPSHUP_TEMPLATE, ['Asha', ' ']));
		expect(error.message).toContain('Template variable 2 in item 0 is empty');
	});

	test('media without a URL', async () => {
		const error = await refused('meta', media('image', '={{ $json.url }}'), undefined, [{ json: { url: '' } }]);
		expect(error.message).toBe('Media URL in item 0 is empty: give the public https URL of the file');
	});

	test('an http media URL, named in the error', async () => {
		const error = await refused('smooch', media('document', 'http://files.example.com/a.pdf'));
		expect(error.message).toContain('Media URL in item 0 must start with https:// (got "http://files.example.com/a.pdf")');
	});

	test('an http header media URL', async () => {
		const error = await refused('gupshup', template(GUPSHUP_TEMPLATE, [], { headerMediaUrl: 'http://files.example.com/a.pdf' }));
		expect(error.message).toContain('Header Media URL in item 0 must start with https://');
	});

	test('audio with a Message, the Media Type from an expression: WhatsApp shows no caption on audio, so it is refused, not dropped', async () => {
		const error = await refused('twilio', media('={{ "audio" }}', 'https://cdn.example.com/a.ogg', { message: 'Listen to this' }));
		expect(error.message).toBe('Item 0 is an audio message with a Message, but WhatsApp shows no caption on audio');
	});

	test('a Smooch template without a namespace in the credential or _config', async () => {
		const error = await refused('smooch', template('order_shipped'), { ...SMOOCH, templateNamespace: '' });
		expect(error.message).toContain('the Smooch credential has no Template Namespace');
	});

	test('a _config.templateNamespace that is not a namespace', async () => {
		const error = await refused('smooch', template('order_shipped', [], { override: '{"_config": {"templateNamespace": "../../x"}}' }));
		expect(error.message).toContain('"_config.templateNamespace"');
	});

	test('a template from the list given more variables than it has: refused, nothing sent', async () => {
		const list = nock('https://content.twilio.com').get('/v1/ContentAndApprovals').query({ PageSize: '1000' }).reply(200, TWILIO_LIST);
		const sendScope = nock('https://api.twilio.com').post(ENDPOINTS.twilio.path).reply(201, { sid: 'SMx' });
		const error = await refused('twilio', {
			...template(TWILIO_SID, ['Asha', '12/1', 'extra']),
			template: { __rl: true, mode: 'list', value: TWILIO_SID, cachedResultName: 'order_shipped' },
		});
		expect(error.message).toBe('Item 0 gives 3 template variables, but the template "order_shipped" has 2');
		expect(list.isDone()).toBe(true);
		expect(sendScope.isDone()).toBe(false);
	});
});

const TWILIO_LIST = {
	contents: [
		{
			sid: TWILIO_SID,
			friendly_name: 'order_shipped',
			language: 'en',
			variables: { 1: 'Asha', 2: '12/1' },
			types: { 'twilio/text': { body: 'Hi {{1}}, your order ships on {{2}}.' } },
			approval_requests: { name: 'order_shipped', category: 'UTILITY', content_type: 'twilio/text', status: 'approved', rejection_reason: '' },
		},
		{
			sid: 'HX00000000000000000000000000000001',
			friendly_name: 'invoice_ready',
			language: 'en',
			variables: { 1: 'invoices/INV-1.pdf' },
			types: { 'twilio/media': { body: 'Your invoice', media: ['https://files.example.com/{{1}}'] } },
			approval_requests: { whatsapp: { type: 'whatsapp', name: 'invoice_ready', status: 'approved' } },
		},
		{
			sid: 'HX00000000000000000000000000000002',
			friendly_name: 'spring_sale',
			language: 'en',
			variables: {},
			types: { 'twilio/text': { body: 'Sale!' } },
			approval_requests: { name: 'spring_sale', status: 'rejected', rejection_reason: 'promotional' },
		},
	],
	meta: { page: 0, page_size: 1000, next_page_url: null, key: 'contents' },
};

const GUPSHUP_LIST = {
	status: 'success',
	templates: [
		{ id: GUPSHUP_TEMPLATE, elementName: 'order_shipped', languageCode: 'en', status: 'APPROVED', templateType: 'TEXT', data: 'Hi {{1}}, your order ships on {{2}}.' },
		{ id: '9f8e7d6c-0000-4000-8000-000000000001', elementName: 'invoice_ready', languageCode: 'en', status: 'APPROVED', templateType: 'DOCUMENT', data: 'Your invoice {{1}} is attached.' },
		{ id: '9f8e7d6c-0000-4000-8000-000000000002', elementName: 'draft_offer', languageCode: 'en', status: 'PENDING', templateType: 'TEXT', data: 'Offer' },
	],
};

const META_LIST = {
	data: [
		{ id: '1', name: 'order_shipped', language: 'en_US', status: 'APPROVED', category: 'UTILITY', components: [{ type: 'BODY', text: 'Hi {{1}}, your order ships on {{2}}.' }] },
		{
			id: '2',
			name: 'invoice_ready',
			language: 'en_US',
			status: 'APPROVED',
			components: [{ type: 'HEADER', format: 'DOCUMENT' }, { type: 'BODY', text: 'Your invoice {{1}} is attached.' }],
		},
		{ id: '3', name: 'old_promo', language: 'en_US', status: 'REJECTED', components: [{ type: 'BODY', text: 'x' }] },
	],
	paging: { cursors: { before: 'a', after: 'b' } },
};

describe('the Template list, through the credential', () => {
	const search = (provider, filter) =>
		runListSearch({ parameters: { provider, messageType: 'template' }, credentials: CREDENTIALS, method: 'searchTemplates', filter });
	const twilioList = () =>
		nock('https://content.twilio.com', { reqheaders: { authorization: `Basic ${Buffer.from(`${TWILIO.accountSid}:${TWILIO.authToken}`).toString('base64')}` } })
			.get('/v1/ContentAndApprovals')
			.query({ PageSize: '1000' });

	test('Twilio: approved Content templates from content.twilio.com, with Basic auth; rejected ones left out', async () => {
		const scope = twilioList().reply(200, TWILIO_LIST);
		const { results, error } = await search('twilio');
		expect(error).toBeNull();
		expect(results).toEqual([
			{ name: 'order_shipped (en · 2 variables)', value: TWILIO_SID },
			{ name: 'invoice_ready (en · 1 variable)', value: 'HX00000000000000000000000000000001' },
		]);
		expect(scope.isDone()).toBe(true);
	});

	test('Twilio: a sandbox or proxy Base URL serves the Content API too', async () => {
		nock('http://localhost:8787').get('/v1/ContentAndApprovals').query({ PageSize: '1000' }).reply(200, TWILIO_LIST);
		const { results } = await runListSearch({
			parameters: { provider: 'twilio' },
			credentials: { twilioWhatsAppApi: { ...TWILIO, baseUrl: 'http://localhost:8787' } },
			method: 'searchTemplates',
		});
		expect(results.map((each) => each.value)).toEqual([TWILIO_SID, 'HX00000000000000000000000000000001']);
	});

	test('Gupshup: the app’s approved templates with the apikey header; the header kind from templateType', async () => {
		const scope = nock('https://api.gupshup.io', { reqheaders: { apikey: GUPSHUP.apiKey } })
			.get('/sm/api/v1/template/list/DemoApp')
			.reply(200, GUPSHUP_LIST);
		const { results } = await search('gupshup');
		expect(results).toEqual([
			{ name: 'order_shipped (en · 2 variables)', value: GUPSHUP_TEMPLATE },
			{ name: 'invoice_ready (en · 1 variable · document header)', value: '9f8e7d6c-0000-4000-8000-000000000001' },
		]);
		expect(scope.isDone()).toBe(true);
	});

	test('Meta: the WABA’s message_templates with status APPROVED, by name', async () => {
		const scope = nock('https://graph.facebook.com', { reqheaders: { authorization: `Bearer ${META.accessToken}` } })
			.get('/v24.0/102290129340398/message_templates')
			.query({ status: 'APPROVED', fields: 'name,language,status,components,parameter_format', limit: '1000' })
			.reply(200, META_LIST);
		const { results } = await search('meta');
		expect(results).toEqual([
			{ name: 'order_shipped (en_US · 2 variables)', value: 'order_shipped' },
			{ name: 'invoice_ready (en_US · 1 variable · document header)', value: 'invoice_ready' },
		]);
		expect(scope.isDone()).toBe(true);
	});

	test('what the user types filters the list', async () => {
		twilioList().reply(200, TWILIO_LIST);
		const { results } = await search('twilio', 'INVOICE');
		expect(results.map((each) => each.value)).toEqual(['HX00000000000000000000000000000001']);
	});

	test('an empty list is an empty list, not an error', async () => {
		nock('https://api.gupshup.io').get('/sm/api/v1/template/list/DemoApp').reply(200, { status: 'success', templates: [] });
		const { results, error } = await search('gupshup');
		expect(error).toBeNull();
		expect(results).toEqual([]);
	});

	test('a provider error says who refused and why, without the secret', async () => {
		twilioList().reply(401, { code: 20003, message: 'Authenticate', more_info: 'https://www.twilio.com/docs/errors/20003', status: 401 });
		const { error } = await search('twilio');
		expect(error.message).toBe('Twilio refused the template list: Authenticate [20003]');
		expectNoSecrets(error);
	});

	test('Gupshup’s error shape too', async () => {
		nock('https://api.gupshup.io').get('/sm/api/v1/template/list/DemoApp').reply(401, { status: 'error', message: 'Authentication Failed' });
		const { error } = await search('gupshup');
		expect(error.message).toBe('Gupshup refused the template list: Authentication Failed [401]');
	});

	test('Meta without a WhatsApp Business Account ID: says which field is missing, asks nothing', async () => {
		const { error } = await runListSearch({
			parameters: { provider: 'meta' },
			credentials: { metaWhatsAppCloudApi: { ...META, businessAccountId: '' } },
			method: 'searchTemplates',
		});
		expect(error.message).toBe(
			'Cannot list Meta WhatsApp Cloud API’s templates: the Meta credential has no WhatsApp Business Account ID, which lists the templates',
		);
	});

	test('Smooch has no template list API: the list says so in plain words', async () => {
		const { error } = await search('smooch');
		expect(error.message).toBe(
			'Smooch (Sunshine Conversations) has no API that lists WhatsApp templates: choose "By ID" and type the template’s name',
		);
	});
});
