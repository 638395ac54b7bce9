/**
 * Reply buttons in WhatsApp Notify, through n8n's real workflow engine with each provider's API
 * intercepted by nock: the body each provider receives for a text with buttons (Meta's
 * interactive message, Smooch's reply actions, Gupshup's quick_reply, Twilio's quick-reply
 * Content, found or made through the credential) and for a template's quick-reply payloads;
 * and the buttons WhatsApp would refuse, stopped before anything is sent.
 */
const nock = require('nock');
const { providersOffline } = require('../helpers/offline');
const { CREDENTIALS, SMOOCH } = require('../helpers/credentials');
const { RECIPIENT, sendThrough } = require('../helpers/notifySends');

const TEXT = 'Your appointment is tomorrow at 10:00. Can you come?';
const BUTTONS = [{ title: 'Confirm', id: 'appt-42-yes' }, { title: 'Reschedule' }];
const form = (body) => Object.fromEntries(new URLSearchParams(body));
const send = sendThrough;

const withButtons = (buttons = BUTTONS) => ({ messageType: 'text', message: TEXT, replyButtons: { button: buttons } });
const templateWithPayloads = (value, payloads) => ({
	messageType: 'template',
	template: { __rl: true, mode: 'id', value },
	templateVariables: { variable: [{ value: 'Thursday 10:00' }] },
	quickReplyPayloads: { payload: payloads.map((each) => ({ value: each })) },
});

providersOffline();
afterEach(() => nock.cleanAll());

describe('a text with two reply buttons, the second without an ID (its title is its ID)', () => {
	test('Meta: an interactive button message, each button a reply', async () => {
		const { received, items } = await send('meta', withButtons());
		expect(received).toEqual({
			messaging_product: 'whatsapp',
			recipient_type: 'individual',
			to: RECIPIENT,
			type: 'interactive',
			interactive: {
				type: 'button',
				body: { text: TEXT },
				action: {
					buttons: [
						{ type: 'reply', reply: { id: 'appt-42-yes', title: 'Confirm' } },
						{ type: 'reply', reply: { id: 'Reschedule', title: 'Reschedule' } },
					],
				},
			},
		});
		expect(items[0].json).toMatchObject({ status: 'sent', messageId: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3' });
	});

	test('Smooch: a text message with reply actions (text = title, payload = ID)', async () => {
		const { received } = await send('smooch', withButtons());
		expect(received.message).toEqual({
			type: 'text',
			text: TEXT,
			actions: [
				{ type: 'reply', text: 'Confirm', payload: 'appt-42-yes' },
				{ type: 'reply', text: 'Reschedule', payload: 'Reschedule' },
			],
		});
	});

	test('Gupshup: a quick_reply message, each option with its postbackText', async () => {
		const { received } = await send('gupshup', withButtons());
		expect(JSON.parse(form(received).message)).toEqual({
			type: 'quick_reply',
			content: { type: 'text', text: TEXT },
			options: [
				{ title: 'Confirm', postbackText: 'appt-42-yes' },
				{ title: 'Reschedule', postbackText: 'Reschedule' },
			],
		});
	});

	test('Twilio: the quick-reply Content is made once, then each message sends its ContentSid and the values', async () => {
		const made = 'HX' + 'a'.repeat(32);
		/** @type {any} */
		let created;
		const content = nock('https://content.twilio.com')
			.get('/v1/Content')
			.query({ PageSize: '1000' })
			.reply(200, { contents: [], meta: { page: 0 } })
			.post('/v1/Content', (body) => {
				created = body;
				return true;
			})
			.reply(201, { sid: made, friendly_name: 'n8n_whatsapp_notify_quick_reply_2' });
		const { received } = await send('twilio', withButtons());
		expect(content.isDone()).toBe(true);
		expect(created.types['twilio/quick-reply']).toEqual({
			body: '{{1}}',
			actions: [
				{ title: '{{2}}', id: '{{3}}' },
				{ title: '{{4}}', id: '{{5}}' },
			],
		});
		expect(Object.keys(created.variables)).toEqual(['1', '2', '3', '4', '5']);
		expect(received).toEqual({
			To: `whatsapp:${RECIPIENT}`,
			From: 'whatsapp:+14155238886',
			ContentSid: made,
			ContentVariables: JSON.stringify({ 1: TEXT, 2: 'Confirm', 3: 'appt-42-yes', 4: 'Reschedule', 5: 'Reschedule' }),
		});
		// The same process reuses the content it made: no second lookup or creation.
		const again = await send('twilio', withButtons([{ title: 'Yes' }, { title: 'No' }]));
		expect(JSON.parse(again.received.ContentVariables)).toEqual({ 1: TEXT, 2: 'Yes', 3: 'Yes', 4: 'No', 5: 'No' });
		expect(again.received.ContentSid).toBe(made);
	});

	test('Twilio: content this package made before is found by its name, not made again', async () => {
		const existing = 'HX' + 'b'.repeat(32);
		const content = nock('https://content.twilio.com')
			.get('/v1/Content')
			.query(true)
			.reply(200, { contents: [{ sid: existing, friendly_name: 'n8n_whatsapp_notify_quick_reply_3', types: { 'twilio/quick-reply': { body: '{{1}}' } } }] });
		const { received } = await send('twilio', withButtons([{ title: 'A' }, { title: 'B' }, { title: 'C' }]));
		expect(content.isDone()).toBe(true);
		expect(received.ContentSid).toBe(existing);
	});
});

describe("a template's quick-reply payloads", () => {
	const components = [
		{ type: 'body', parameters: [{ type: 'text', text: 'Thursday 10:00' }] },
		{ type: 'button', sub_type: 'quick_reply', index: '0', parameters: [{ type: 'payload', payload: 'appt-42-yes' }] },
		{ type: 'button', sub_type: 'quick_reply', index: '1', parameters: [{ type: 'payload', payload: 'appt-42-move' }] },
	];

	test('Meta: one button component per payload, by index', async () => {
		const { received } = await send('meta', templateWithPayloads('appointment_reminder', ['appt-42-yes', 'appt-42-move']));
		expect(received.template.components).toEqual(components);
	});

	test("Smooch: the same components in the WhatsApp passthrough", async () => {
		const { received } = await send('smooch', templateWithPayloads('appointment_reminder', ['appt-42-yes', 'appt-42-move']));
		expect(received.message.template).toMatchObject({ namespace: SMOOCH.templateNamespace, components });
	});

	test('Gupshup: postbackTexts as a JSON list of {index, text}', async () => {
		const id = '2b1c3d4e-5f60-4a1b-8c2d-3e4f5a6b7c8d';
		const { received } = await send('gupshup', templateWithPayloads(id, ['appt-42-yes', 'appt-42-move']), { path: '/wa/api/v1/template/msg' });
		expect(JSON.parse(form(received).postbackTexts)).toEqual([
			{ index: 0, text: 'appt-42-yes' },
			{ index: 1, text: 'appt-42-move' },
		]);
	});

	test('Twilio: the parameter does not apply (hidden): a Content template holds its own button ids', () => {
		const { WhatsAppNotify } = require('../../dist/nodes/WhatsAppNotify/WhatsAppNotify.node');
		const parameter = new WhatsAppNotify().description.properties.find((each) => each.name === 'quickReplyPayloads');
		expect(parameter.displayOptions).toEqual({ show: { messageType: ['template'], operation: ['send'] }, hide: { provider: ['twilio'] } });
		const { twilio } = require('../../dist/nodes/providers/twilio');
		const build = () =>
			twilio.buildSendRequest({
				recipient: RECIPIENT,
				message: '',
				content: { type: 'template', template: 'HXb5b62575e6e4ff6129ad7c8efe1f983e', language: 'en', variables: [], quickReplyPayloads: ['yes'] },
				override: {},
				settings: CREDENTIALS.twilioWhatsAppApi,
			});
		expect(build).toThrow('quick-reply ids from the Content template');
	});
});

describe('buttons WhatsApp would refuse stop the item before anything is sent', () => {
	test.each([
		['four buttons', [{ title: 'A' }, { title: 'B' }, { title: 'C' }, { title: 'D' }], '4 reply buttons: WhatsApp shows at most 3'],
		['a title over 20 characters', [{ title: 'Confirm my appointment now' }], 'longer than WhatsApp\'s 20 characters'],
		['an empty title', [{ title: ' ', id: 'x' }], 'Reply button 1 has no title'],
		['two buttons with one ID', [{ title: 'Yes', id: 'same' }, { title: 'Sure', id: 'same' }], 'Two reply buttons have the id "same"'],
		['an ID over 256 characters', [{ title: 'Yes', id: 'x'.repeat(257) }], 'ID is longer than 256 characters'],
	])('%s', async (_, buttons, expected) => {
		const { error, sent } = await send('meta', withButtons(buttons));
		expect(sent).toBe(false);
		expect(error.message).toContain('Item 0');
		expect(error.message).toContain(expected);
	});

	test.each(['meta', 'smooch', 'gupshup'])('%s: buttons with no Message', async (provider) => {
		const { error, sent } = await send(provider, { ...withButtons(), message: '' });
		expect(sent).toBe(false);
		expect(error.message).toContain('a message with reply buttons needs a Message');
	});
});
