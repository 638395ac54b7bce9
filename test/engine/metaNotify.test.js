/**
 * WhatsApp Notify through Meta's Cloud API in n8n's real workflow engine, the Graph API
 * intercepted by nock: the exact request, the output, and Meta's refusals.
 */
const nock = require('nock');
const { providersOffline } = require('../helpers/offline');
const { runNotify } = require('../helpers/engine');
const meta = require('../fixtures/meta-callbacks.json');

const { META } = require('../helpers/credentials');

const MESSAGES_PATH = '/v24.0/106540352242922/messages';

const notify = (parameters, options = {}) =>
	runNotify({ parameters: { provider: 'meta', recipient: '+16505551234', message: 'Your order shipped', ...parameters }, credentials: { metaWhatsAppCloudApi: META }, ...options });

providersOffline();

test('Meta: JSON to /{version}/{phone-number-id}/messages with Bearer auth; messages[0].id is the messageId', async () => {
	let sent;
	nock('https://graph.facebook.com', { reqheaders: { authorization: `Bearer ${META.accessToken}` } })
		.post(MESSAGES_PATH, (body) => {
			sent = body;
			return true;
		})
		.reply(200, meta.sendAnswer);

	const { items, error } = await notify({});

	expect(error).toBeNull();
	expect(sent).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '+16505551234', type: 'text', text: { body: 'Your order shipped' } });
	expect(items).toEqual([
		{
			json: expect.objectContaining({ provider: 'meta', status: 'sent', messageId: meta.sendAnswer.messages[0].id, recipient: '+16505551234' }),
			pairedItem: { item: 0 },
		},
	]);
	expect(JSON.stringify(items)).not.toContain(META.accessToken);
});

test('_config.phoneNumberId sends from another number; the override may not change the recipient', async () => {
	const scope = nock('https://graph.facebook.com').post('/v24.0/1234567890/messages').reply(200, meta.sendAnswer);
	const switched = await notify({ override: JSON.stringify({ _config: { phoneNumberId: '1234567890' } }) });
	expect(switched.error).toBeNull();
	expect(scope.isDone()).toBe(true);

	const redirected = await notify({ override: JSON.stringify({ to: '+15550000000' }) });
	expect(redirected.error.message).toMatch(/"to"/);
	const pathEscape = await notify({ override: JSON.stringify({ _config: { phoneNumberId: '../me' } }) });
	expect(pathEscape.error.message).toMatch(/phoneNumberId/);
});

test("a refusal names the item and carries Meta's code, message and details, never the token", async () => {
	nock('https://graph.facebook.com').post(MESSAGES_PATH).reply(400, meta.notAllowedError);
	const { error } = await notify({});
	expect(error.message).toBe(
		'Meta WhatsApp Cloud API refused item 0 (+16505551234): Recipient phone number not in allowed list: Add recipient phone number to recipient list and try again. [131030]',
	);
	expect(JSON.stringify(error)).not.toContain(META.accessToken);
});

test('throughput error 130429 is waited out and sent once, like a 429', async () => {
	let attempts = 0;
	nock('https://graph.facebook.com')
		.post(MESSAGES_PATH)
		.times(2)
		.reply(() => {
			attempts++;
			return attempts === 1 ? [400, meta.throughputError] : [200, meta.sendAnswer];
		});
	const { items, error } = await notify({});
	expect(error).toBeNull();
	expect(attempts).toBe(2);
	expect(items[0].json.messageId).toBe(meta.sendAnswer.messages[0].id);
});
