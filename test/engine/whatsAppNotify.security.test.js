/**
 * WhatsApp Notify against hostile input and hostile hosts (issue 7): redirects, overrides that
 * try to change the recipient or the request path, overrides too deep to send, recipients that
 * are not phone numbers. Every case checks what was (not) sent and what the user sees.
 */
const nock = require('nock');
const { providersOffline } = require('../helpers/offline');
const { runNotify } = require('../helpers/engine');
const { onVirtualClock } = require('../helpers/virtualClock');
const { recordingServer } = require('../helpers/recordingServer');
const { CREDENTIALS, TWILIO, expectNoSecrets } = require('../helpers/credentials');

providersOffline({ localServers: true });

describe('a provider host that redirects never gets the credential re-sent elsewhere', () => {
	const baseUrlOf = { twilio: 'twilioWhatsAppApi', smooch: 'smoochApi', gupshup: 'gupshupApi' };
	test.each(Object.keys(baseUrlOf))('%s: a 307 to another host is a refusal naming it; that host gets nothing', async (provider) => {
		const elsewhere = await recordingServer((_request, response) => response.writeHead(201, { 'content-type': 'application/json' }).end('{"sid":"SMevil","messageId":"evil","notification":{"_id":"evil"}}'));
		const redirecting = await recordingServer((request, response) => response.writeHead(307, { location: `${elsewhere.url}${request.url}` }).end());
		const type = baseUrlOf[provider];
		const credentials = { [type]: { ...CREDENTIALS[type], baseUrl: redirecting.url, region: 'custom' } };
		try {
			const { error, items } = await runNotify({ parameters: { provider, recipient: '+15145555333', message: 'x' }, credentials });
			expect(items).toEqual([]);
			expect(error.message).toMatch(new RegExp(`refused item 0 \\(\\+15145555333\\): HTTP 307, a redirect to 127\\.0\\.0\\.1:${new URL(elsewhere.url).port}`));
			expect(error.description).toMatch(/Redirects are not followed/);
			expect(redirecting.requests).toHaveLength(1);
			expect(elsewhere.requests).toHaveLength(0);
			expectNoSecrets(error);
		} finally {
			await Promise.all([elsewhere.close(), redirecting.close()]);
		}
	});
});

describe('hostile overrides are refused before anything is sent', () => {
	const cases = [
		['twilio', '{"To": "whatsapp:+15550009999"}', /may not set "To"/],
		['gupshup', '{"destination": "15550009999"}', /may not set "destination"/],
		['smooch', '{"destination": {"destinationId": "+15550009999"}}', /may not set "destination.destinationId"/],
		['smooch', '{"destination": null}', /may not set "destination"/],
		['smooch', '{"destination": "x"}', /may not set "destination"/],
		['smooch', '{"_config": {"appId": ".."}}', /"_config.appId" is "\.\.", which is not a valid appId/],
		['smooch', '{"_config": {"integrationId": "a/b?c"}}', /"_config.integrationId" is "a\/b\?c"/],
		['twilio', '{"_config": {"fromNumber": "+1555/../x"}}', /"_config.fromNumber" is/],
		['gupshup', '{"_config": {"appName": "app#frag"}}', /"_config.appName" is/],
		['smooch', '{"message": null}', /Smooch needs a message object/],
		['twilio', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`, /nests deeper than 32 levels/],
	];
	test.each(cases.map(([provider, override, expected]) => [provider, String(override).slice(0, 60), override, expected]))('%s with %s', async (provider, _label, override, expected) => {
		const { error, items } = await runNotify({
			parameters: { provider, recipient: '+15145555333', message: 'x', override },
			credentials: CREDENTIALS,
		});
		expect(items).toEqual([]);
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toMatch(/item 0/);
		expect(error.message).toMatch(expected);
		expect(`${error.message} ${error.description}`).not.toMatch(/may have accepted/);
		// nock refuses any request, so reaching this point without a network error means none was made.
		expect(nock.pendingMocks()).toEqual([]);
	});

	test('an override that sets the sender or adds fields still goes out, recipient unchanged', async () => {
		let sent;
		nock('https://api.twilio.com')
			.post(`/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`, (body) => {
				sent = Object.fromEntries(new URLSearchParams(body));
				return true;
			})
			.reply(201, { sid: 'SM1' });
		const { items } = await runNotify({
			parameters: { provider: 'twilio', recipient: '+15145555333', message: 'x', override: '{"_config": {"fromNumber": "+15550001111"}, "StatusCallback": "https://n8n.example.com/cb"}' },
			credentials: CREDENTIALS,
		});
		expect(items[0].json.recipient).toBe('+15145555333');
		expect(sent).toEqual({ To: 'whatsapp:+15145555333', From: 'whatsapp:+15550001111', Body: 'x', StatusCallback: 'https://n8n.example.com/cb' });
	});
});

describe('a recipient must be a phone number, not whatever an expression returned', () => {
	test.each([
		['an array', '={{ ["+919988776655"] }}'],
		['an object', '={{ { "to": "+919988776655" } }}'],
		['a boolean', '={{ true }}'],
	])('%s is refused naming the item', async (_what, recipient) => {
		const { error } = await runNotify({ parameters: { provider: 'twilio', recipient, message: 'x' }, credentials: CREDENTIALS });
		expect(error.message).toMatch(/^Invalid recipient .* in item 0/);
	});

	test('a number (a spreadsheet column) is read as E.164 digits', async () => {
		nock('https://api.twilio.com').post(`/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`).reply(201, { sid: 'SM2' });
		const { items } = await runNotify({ parameters: { provider: 'twilio', recipient: '={{ 919988776655 }}', message: 'x' }, credentials: CREDENTIALS });
		expect(items[0].json).toMatchObject({ recipient: '+919988776655', messageId: 'SM2' });
	});
});

describe('stop on error: the error tells what became of every item', () => {
	test('sent items with their ids, every failed item, the ones not tried', async () => {
		nock('https://api.twilio.com')
			.post(`/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`)
			.times(10)
			.reply(async (_uri, body) => {
				const to = new URLSearchParams(body).get('To');
				if (to.endsWith('400')) return [400, { code: 21211, message: 'Invalid To' }];
				// The sends answer after the refusals, so the four first starts are all that happen.
				await new Promise((resolve) => setTimeout(resolve, 300));
				return [201, { sid: `SM-${to.slice(-4)}` }];
			});
		const phones = ['+15551110001', '+15550000400', '+15551110003', '+15551110400', '+15551110005', '+15551110006', '+15551110007'];
		// On a virtual clock, so that "after" holds however slowly the machine starts the four.
		const { error } = await onVirtualClock(() =>
			runNotify({
				parameters: { provider: 'twilio', recipient: '={{ $json.phone }}', message: 'x', options: { concurrency: 4 } },
				items: phones.map((phone) => ({ json: { phone } })),
				credentials: CREDENTIALS,
			}),
		);
		// Four start at once; items 1 and 3 are refused at once, 0 and 2 sent later; nothing new starts after a refusal.
		expect(error.message).toBe('Twilio refused item 1 (+15550000400): Invalid To [21211]');
		expect(error.description).toContain('Sent: items 0 (SM-0001), 2 (SM-0003). Failed: items 1, 3. Not tried: items 4-6.');
		expect(error.description).toContain('Continue (using error output)');
	});
});

test('a Base URL that is not http(s) fails before sending, never as "may have accepted"', async () => {
	const { error } = await runNotify({
		parameters: { provider: 'twilio', recipient: '+15145555333', message: 'x' },
		credentials: { twilioWhatsAppApi: { ...TWILIO, baseUrl: 'ftp://files.example.org' } },
	});
	expect(error.name).toBe('NodeOperationError');
	expect(error.message).toMatch(/Cannot send item 0 through Twilio: the request URL "ftp:\/\/files\.example\.org\/2010-04-01\/.*" is not an http\(s\) URL/);
});

describe('failed items carry what a fallback needs: the input\'s fields, error, errorKind, errorCode, provider, recipient', () => {
	const phones = ['+15551110001', '+15550000400', '(457)-746-846'];
	const input = phones.map((phone, index) => ({ json: { phone, customer: `C-${index}` } }));
	const refusedTwilio = () =>
		nock('https://api.twilio.com')
			.post(`/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`)
			.times(2)
			.reply((_uri, body) => {
				const to = new URLSearchParams(body).get('To');
				return to.endsWith('400') ? [400, { code: 21211, message: 'Invalid To' }] : [201, { sid: 'SM-ok' }];
			});
	const expectedFailures = [
		{
			phone: '+15550000400',
			customer: 'C-1',
			error: 'Twilio refused item 1 (+15550000400): Invalid To [21211]',
			errorKind: 'provider',
			errorCode: 21211,
			provider: 'twilio',
			recipient: '+15550000400',
		},
		{
			phone: '(457)-746-846',
			customer: 'C-2',
			error: expect.stringMatching(/^Invalid recipient "\(457\)-746-846" in item 2/),
			errorKind: 'input',
			errorCode: null,
			provider: 'twilio',
			recipient: '(457)-746-846',
		},
	];

	test('On Error "Continue (using error output)": refused and invalid items on the error output, sent ones on the success output, each paired', async () => {
		refusedTwilio();
		const { items, errorItems } = await runNotify({
			parameters: { provider: 'twilio', recipient: '={{ $json.phone }}', message: 'x' },
			items: input,
			credentials: CREDENTIALS,
			onError: 'continueErrorOutput',
		});
		expect(items.map((item) => [item.pairedItem.item, item.json.messageId])).toEqual([[0, 'SM-ok']]);
		expect(errorItems.map((item) => item.pairedItem.item)).toEqual([1, 2]);
		expect(errorItems.map((item) => item.json)).toEqual(expectedFailures);
		expectNoSecrets(errorItems);
	});

	test('Continue On Fail (regular output): the same items, in input order among the sent ones', async () => {
		refusedTwilio();
		const { items, errorItems } = await runNotify({
			parameters: { provider: 'twilio', recipient: '={{ $json.phone }}', message: 'x' },
			items: input,
			credentials: CREDENTIALS,
			continueOnFail: true,
		});
		expect(errorItems).toEqual([]);
		expect(items.map((item) => item.pairedItem.item)).toEqual([0, 1, 2]);
		expect(items[0].json).toMatchObject({ status: 'sent', messageId: 'SM-ok', recipient: '+15551110001' });
		expect(items.slice(1).map((item) => item.json)).toEqual(expectedFailures);
		expectNoSecrets(items);
	});
});
