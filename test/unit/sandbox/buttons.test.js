/**
 * Reply buttons in the sandbox: what the package builds for a text with buttons and for a
 * template's quick replies is accepted by each provider's sandbox and recorded with its
 * buttons as `{ id, title }` (Twilio's through the quick-reply Content the package makes);
 * buttons in a shape the provider refuses are refused.
 */

'use strict';

const { SANDBOX_CREDENTIALS: CREDS, TEST_NUMBERS } = require('../../../sandbox/server');
const { TEMPLATES } = require('../../../sandbox/templates');
const { PROVIDERS } = require('../../../dist/nodes/providers');
const { api, call, sandboxForTests } = require('../../helpers/sandboxRequests');

const RECIPIENT = TEST_NUMBERS.delivered;
const REMINDER = TEMPLATES.find((template) => template.name === 'appointment_reminder');
const BUTTONS = [
	{ id: 'appt-42-yes', title: 'Confirm' },
	{ id: 'appt-42-move', title: 'Reschedule' },
];

const running = sandboxForTests();
let sb;
let settings;
beforeEach(() => ({ sandbox: sb, settings } = running));

/** Twilio's quick-reply Content, found or made as the node does. */
async function twilioContentSid(count) {
	const content = PROVIDERS.twilio.buttonContent;
	const found = content.readLookup((await call('twilio', content.lookup(settings.twilio))).data, count);
	return found ?? content.readCreated((await call('twilio', content.create(settings.twilio, count))).data);
}

async function send(name, toSend) {
	const buttonContentSid = name === 'twilio' && toSend.buttons ? await twilioContentSid(toSend.buttons.length) : undefined;
	const request = PROVIDERS[name].buildSendRequest({ recipient: RECIPIENT, message: '', override: {}, settings: settings[name], buttonContentSid, ...toSend });
	return await call(name, request);
}

const lastRecord = async () => (await api.get(`${sb.url}/_sandbox/received`)).data.filter((record) => record.messageId).at(-1);

describe('a text with two reply buttons', () => {
	test.each(['meta', 'smooch', 'gupshup', 'twilio'])('%s: accepted and recorded with its buttons', async (name) => {
		const answer = await send(name, { message: 'Your appointment is tomorrow at 10:00.', buttons: BUTTONS });
		expect(answer.status).toBeLessThan(300);
		expect((await lastRecord()).buttons).toEqual(BUTTONS);
	});

	test('twilio: the quick-reply Content is made once and found again by its name', async () => {
		const first = await twilioContentSid(2);
		const again = await twilioContentSid(2);
		expect(again).toBe(first);
		expect(first).toMatch(/^HX[0-9a-f]{32}$/);
	});
});

describe("a template's quick-reply payloads", () => {
	const content = (template) => ({ type: 'template', template, language: 'en', variables: ['Thursday 10:00'], quickReplyPayloads: ['appt-42-yes', 'appt-42-move'] });

	test.each([
		['meta', REMINDER.name],
		['smooch', REMINDER.name],
		['gupshup', REMINDER.gupshupId],
	])('%s: accepted and recorded with the template’s titles and the payloads', async (name, template) => {
		const answer = await send(name, { content: content(template) });
		expect(answer.status).toBeLessThan(300);
		expect((await lastRecord()).buttons).toEqual(BUTTONS);
	});

	test('twilio: an approved quick-reply template takes its ids as variables after the body’s', async () => {
		const variables = ['Thursday 10:00', 'appt-42-yes', 'appt-42-move'];
		const answer = await send('twilio', { content: { type: 'template', template: REMINDER.twilioSid, language: 'en', variables } });
		expect(answer.status).toBe(201);
		expect((await lastRecord()).buttons).toEqual(BUTTONS);
	});
});

describe('buttons in a shape the provider refuses', () => {
	const meta = (interactive) => ({ method: 'POST', url: `${sb.url}/v24.0/${CREDS.meta.phoneNumberId}/messages`, encoding: 'json', body: { messaging_product: 'whatsapp', to: RECIPIENT, type: 'interactive', interactive } });
	const buttons = (list) => ({ type: 'button', body: { text: 'Come?' }, action: { buttons: list.map(([id, title]) => ({ type: 'reply', reply: { id, title } })) } });

	test.each([
		['four buttons', buttons([['a', 'A'], ['b', 'B'], ['c', 'C'], ['d', 'D']]), '1 to 3 buttons'],
		['a title over 20 characters', buttons([['a', 'Confirm my appointment']]), 'title must be 1 to 20'],
		['two buttons with one id', buttons([['a', 'A'], ['a', 'B']]), 'ids must be unique'],
		['no body', { type: 'button', action: { buttons: [] } }, "interactive['body']['text']"],
	])('meta: %s', async (_, interactive, says) => {
		const answer = await call('meta', meta(interactive));
		expect(answer.status).toBe(400);
		expect(answer.data.error.error_data.details).toContain(says);
	});

	test('meta: a payload for a button the template does not have', async () => {
		const answer = await send('meta', { content: { type: 'template', template: REMINDER.name, language: 'en', variables: ['Thu'], quickReplyPayloads: ['a', 'b', 'c'] } });
		expect(answer.status).toBe(400);
		expect(answer.data.error.error_data.details).toContain('no quick-reply button at index "2"');
	});

	test('twilio: ContentVariables that leave a button without its id', async () => {
		const sid = await twilioContentSid(2);
		const answer = await call('twilio', {
			method: 'POST',
			url: `${sb.url}/2010-04-01/Accounts/${CREDS.twilio.accountSid}/Messages.json`,
			encoding: 'form',
			body: { To: `whatsapp:${RECIPIENT}`, From: `whatsapp:${CREDS.twilio.fromNumber}`, ContentSid: sid, ContentVariables: JSON.stringify({ 1: 'Come?', 2: 'Yes', 3: 'yes', 4: 'No' }) },
		});
		expect(answer.status).toBe(400);
		expect(answer.data.message).toContain('ContentVariables must give every variable');
	});

	test('gupshup: a quick_reply option without a title', async () => {
		const answer = await call('gupshup', {
			method: 'POST',
			url: `${sb.url}/wa/api/v1/msg`,
			encoding: 'form',
			body: { channel: 'whatsapp', source: '917834811114', destination: RECIPIENT.slice(1), 'src.name': CREDS.gupshup.appName, message: { type: 'quick_reply', content: { type: 'text', text: 'Come?' }, options: [{ postbackText: 'x' }] } },
		});
		expect(answer.status).toBe(400);
		expect(answer.data.message).toContain('title must be 1 to 20');
	});
});

describe('tapping a button by its title, as the customer', () => {
	test('the button of that title on the latest message with buttons to them, its id included', async () => {
		await send('meta', { message: 'Come?', buttons: BUTTONS });
		sb.configure({ webhooks: { meta: 'http://127.0.0.1:9/webhook/status' } });
		try {
			const [{ request }] = sb.inboundRequests({ provider: 'meta', from: RECIPIENT, button: { title: 'Reschedule' } });
			const [message] = request.payload.entry[0].changes[0].value.messages;
			expect(message.interactive.button_reply).toEqual({ id: 'appt-42-move', title: 'Reschedule' });
			expect(() => sb.inboundRequests({ provider: 'meta', from: RECIPIENT, button: { title: 'Maybe' } })).toThrow('no message with a "Maybe" button');
		} finally {
			sb.configure({ webhooks: { meta: null } });
		}
	});
});
