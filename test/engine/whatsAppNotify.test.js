/**
 * WhatsApp Notify in n8n's real workflow engine, with each provider's HTTP
 * API intercepted by nock: the exact request, the output, and what happens
 * when the provider says no.
 */
const nock = require('nock');
const { providersOffline } = require('../helpers/offline');
const { runNotify } = require('../helpers/engine');
const { onVirtualClock } = require('../helpers/virtualClock');
const { expectNoSecrets, GUPSHUP, SMOOCH, TWILIO } = require('../helpers/credentials');
const { recordingServer } = require('../helpers/recordingServer');

const TWILIO_PATH = `/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`;

const form = (body) => Object.fromEntries(new URLSearchParams(body));
const basic = (user, pass) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;

providersOffline();

describe('sending through each provider', () => {
	test('Twilio: form post with Basic auth, whatsapp: addresses, SM id reported as sent', async () => {
		let sent;
		nock('https://api.twilio.com', { reqheaders: { authorization: basic(TWILIO.accountSid, TWILIO.authToken) } })
			.post(TWILIO_PATH, (body) => {
				sent = body;
				return true;
			})
			.matchHeader('content-type', /application\/x-www-form-urlencoded/)
			.reply(201, { sid: 'SM5ef8732a3c49700934481addd5ce1659', status: 'queued', to: 'whatsapp:+919988776655' });

		const { items, error } = await runNotify({
			parameters: { provider: 'twilio', recipient: '+919988776655', message: 'Your order shipped' },
			credentials: { twilioWhatsAppApi: TWILIO },
		});

		expect(error).toBeNull();
		expect(sent).toEqual({ To: 'whatsapp:+919988776655', From: 'whatsapp:+14155238886', Body: 'Your order shipped' });
		expect(items).toHaveLength(1);
		expect(items[0].pairedItem).toEqual({ item: 0 });
		expect(items[0].json).toMatchObject({
			provider: 'twilio',
			status: 'sent',
			messageId: 'SM5ef8732a3c49700934481addd5ce1659',
			recipient: '+919988776655',
			response: { status: 'queued' },
		});
		expect(new Date(/** @type {string} */ (items[0].json.sentAt)).toISOString()).toBe(items[0].json.sentAt);
		expectNoSecrets(items);
	});

	test('Smooch: JSON notification with Basic key auth; notification._id is the messageId', async () => {
		let sent;
		nock('https://api.smooch.io', { reqheaders: { authorization: basic(SMOOCH.keyId, SMOOCH.secret) } })
			.post('/v1.1/apps/app123/notifications', (body) => {
				sent = body;
				return true;
			})
			.reply(201, { notification: { _id: 'e7e5d9d7-4aef-4f1f-b4e5-7d2c3a4e5f60' } });

		const { items, error } = await runNotify({
			parameters: { provider: 'smooch', recipient: '+15145555333', message: 'Appointment moved to 3pm' },
			credentials: { smoochApi: SMOOCH },
		});

		expect(error).toBeNull();
		expect(sent).toEqual({
			destination: { integrationId: 'int-whatsapp', destinationId: '+15145555333' },
			author: { role: 'appMaker' },
			message: { type: 'text', text: 'Appointment moved to 3pm' },
		});
		expect(items[0].json).toMatchObject({ provider: 'smooch', status: 'sent', messageId: 'e7e5d9d7-4aef-4f1f-b4e5-7d2c3a4e5f60' });
	});

	test('Smooch: the EU region and a custom host pick their API hosts', async () => {
		const eu = nock('https://api.eu-1.smooch.io').post('/v1.1/apps/app123/notifications').reply(201, { notification: { _id: 'eu-1' } });
		const custom = nock('https://acme.zendesk.com').post('/sc/v1.1/apps/app123/notifications').reply(201, { notification: { _id: 'zd-1' } });

		const inEu = await runNotify({
			parameters: { provider: 'smooch', recipient: '+15145555333', message: 'x' },
			credentials: { smoochApi: { ...SMOOCH, region: 'eu' } },
		});
		const onZendesk = await runNotify({
			parameters: { provider: 'smooch', recipient: '+15145555333', message: 'x' },
			credentials: { smoochApi: { ...SMOOCH, region: 'custom', baseUrl: 'https://acme.zendesk.com/sc/' } },
		});

		expect(inEu.items[0].json.messageId).toBe('eu-1');
		expect(onZendesk.items[0].json.messageId).toBe('zd-1');
		expect(eu.isDone() && custom.isDone()).toBe(true);
	});

	test('Smooch: Custom Host without a Base URL fails before sending, naming the setting', async () => {
		const { error } = await runNotify({
			parameters: { provider: 'smooch', recipient: '+15145555333', message: 'x' },
			credentials: { smoochApi: { ...SMOOCH, region: 'custom', baseUrl: '' } },
		});
		expect(error.message).toBe(
			'Cannot send item 0 through Smooch (Sunshine Conversations): the credential’s Region is Custom Host but its Base URL is empty: fill it in, or choose a region',
		);
	});

	test('Gupshup: form post with apikey header, digits-only numbers, message as a JSON string', async () => {
		let sent;
		nock('https://api.gupshup.io', { reqheaders: { apikey: GUPSHUP.apiKey } })
			.post('/wa/api/v1/msg', (body) => {
				sent = body;
				return true;
			})
			.reply(202, { status: 'submitted', messageId: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35' });

		const { items, error } = await runNotify({
			parameters: { provider: 'gupshup', recipient: '+919163125987', message: 'Payment failed' },
			credentials: { gupshupApi: GUPSHUP },
		});

		expect(error).toBeNull();
		expect(sent).toEqual({
			channel: 'whatsapp',
			source: '917834811114',
			destination: '919163125987',
			'src.name': 'DemoApp',
			message: JSON.stringify({ type: 'text', text: 'Payment failed' }),
		});
		expect(items[0].json).toMatchObject({ provider: 'gupshup', status: 'sent', messageId: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35' });
	});
});

describe('override and _config', () => {
	test('Twilio template: ContentVariables serialized, Body removed by null, _config sender applied and dropped', async () => {
		let sent;
		nock('https://api.twilio.com')
			.post(TWILIO_PATH, (body) => {
				sent = body;
				return true;
			})
			.reply(201, { sid: 'SM1', status: 'queued' });

		await runNotify({
			parameters: {
				provider: 'twilio',
				recipient: '+919988776655',
				message: 'text that the template replaces',
				override: JSON.stringify({
					ContentSid: 'HXb5b62575e6e4ff6129ad7c8efe1f983e',
					ContentVariables: { 1: '12/1', 2: '3pm' },
					Body: null,
					_config: { fromNumber: '+15550001111' },
				}),
			},
			credentials: { twilioWhatsAppApi: TWILIO },
		});

		expect(sent).toEqual({
			To: 'whatsapp:+919988776655',
			From: 'whatsapp:+15550001111',
			ContentSid: 'HXb5b62575e6e4ff6129ad7c8efe1f983e',
			ContentVariables: '{"1":"12/1","2":"3pm"}',
		});
	});

	test('Twilio: several MediaUrl values become repeated form fields; a Messaging Service replaces From', async () => {
		/** @type {any} */
		let raw;
		nock('https://api.twilio.com')
			.post(TWILIO_PATH, (body) => {
				raw = body;
				return true;
			})
			.reply(201, { sid: 'SM2', status: 'accepted' });

		await runNotify({
			parameters: {
				provider: 'twilio',
				recipient: '+919988776655',
				message: 'Invoice attached',
				override: { MediaUrl: ['https://example.com/a.pdf', 'https://example.com/b.png'] },
			},
			credentials: { twilioWhatsAppApi: { ...TWILIO, messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' } },
		});

		expect(raw.MediaUrl).toEqual(['https://example.com/a.pdf', 'https://example.com/b.png']);
		expect(raw.MessagingServiceSid).toBe('MG0123456789abcdef0123456789abcdef');
		expect(raw.From).toBeUndefined();
	});

	test('Twilio: _config.fromNumber wins over the credential\'s Messaging Service', async () => {
		let sent;
		nock('https://api.twilio.com')
			.post(TWILIO_PATH, (body) => {
				sent = body;
				return true;
			})
			.reply(201, { sid: 'SM3' });
		await runNotify({
			parameters: { provider: 'twilio', recipient: '+919988776655', message: 'x', override: { _config: { fromNumber: '+15550001111' } } },
			credentials: { twilioWhatsAppApi: { ...TWILIO, messagingServiceSid: 'MG0123456789abcdef0123456789abcdef' } },
		});
		expect(sent).toEqual({ To: 'whatsapp:+919988776655', From: 'whatsapp:+15550001111', Body: 'x' });
	});

	test('Smooch template: deep-merged into the message, integration id from _config', async () => {
		let sent;
		nock('https://api.smooch.io')
			.post('/v1.1/apps/app123/notifications', (body) => {
				sent = body;
				return true;
			})
			.reply(201, { notification: { _id: 'n-1' } });

		const template = { namespace: 'c8ae5f90_307a_ca4c_b8f6_d1e2a2573574', name: 'order_shipped', language: { policy: 'deterministic', code: 'en' } };
		await runNotify({
			parameters: {
				provider: 'smooch',
				recipient: '+15145555333',
				message: 'fallback text',
				override: { messageSchema: 'whatsapp', message: { type: 'template', template }, _config: { integrationId: 'int-other' } },
			},
			credentials: { smoochApi: SMOOCH },
		});

		expect(sent).toEqual({
			destination: { integrationId: 'int-other', destinationId: '+15145555333' },
			author: { role: 'appMaker' },
			messageSchema: 'whatsapp',
			message: { type: 'template', template },
		});
	});

	test('Gupshup template goes to template/msg with template as a JSON string and no text message', async () => {
		let sent;
		nock('https://api.gupshup.io')
			.post('/wa/api/v1/template/msg', (body) => {
				sent = body;
				return true;
			})
			.reply(202, { status: 'submitted', messageId: 'g-template-1' });

		const { items } = await runNotify({
			parameters: {
				provider: 'gupshup',
				recipient: '+919163125987',
				message: '',
				override: { template: { id: '2b1c3d4e-uuid', params: ['Asha', '12/1'] }, _config: { appName: 'OtherApp', sourceNumber: '+15550002222' } },
			},
			credentials: { gupshupApi: GUPSHUP },
		});

		expect(sent).toEqual({
			channel: 'whatsapp',
			source: '15550002222',
			destination: '919163125987',
			'src.name': 'OtherApp',
			template: JSON.stringify({ id: '2b1c3d4e-uuid', params: ['Asha', '12/1'] }),
		});
		expect(items[0].json.messageId).toBe('g-template-1');
	});

	test('_config cannot replace a secret or the host the credential is sent to', async () => {
		const { error } = await runNotify({
			parameters: { provider: 'twilio', recipient: '+919988776655', message: 'x', override: { _config: { baseUrl: 'https://evil.example' } } },
			credentials: { twilioWhatsAppApi: TWILIO },
		});
		expect(error.message).toMatch(/"_config.baseUrl" cannot be overridden/);
		expect(error.message).toMatch(/item 0/);
	});

	test('an override that is not a JSON object fails the item with a clear message', async () => {
		const { error } = await runNotify({
			parameters: { provider: 'twilio', recipient: '+919988776655', message: 'x', override: '{"Body": "oops"' },
			credentials: { twilioWhatsAppApi: TWILIO },
		});
		expect(error.message).toMatch(/Invalid override in item 0/);
	});
});

describe('recipients', () => {
	test('a number that is not E.164 fails naming the item and the value, before anything is sent', async () => {
		const scope = nock('https://api.twilio.com').post(TWILIO_PATH).reply(201, { sid: 'SM1' });
		const { error, items } = await runNotify({
			parameters: { provider: 'twilio', recipient: '={{ $json.phone }}', message: 'x' },
			items: [{ json: { phone: '+919988776655' } }, { json: { phone: '(457)-746-846' } }],
			credentials: { twilioWhatsAppApi: TWILIO },
		});
		expect(error.message).toBe(
			'Invalid recipient "(457)-746-846" in item 1: use E.164, a plus sign, the country code and the number, with no spaces or signs (for example +919988776655)',
		);
		expect(items).toEqual([]);
		expect(scope.isDone()).toBe(false);
	});

	test('with Continue On Fail the bad row gets { error } and the others are sent', async () => {
		nock('https://api.twilio.com').post(TWILIO_PATH).times(2).reply(201, (_uri, body) => ({ sid: `SM-${form(body).To}` }));
		const { error, items } = await runNotify({
			parameters: { provider: 'twilio', recipient: '={{ $json.phone }}', message: 'x' },
			items: [{ json: { phone: '+919988776655' } }, { json: { phone: '919988776655' } }, { json: { phone: '+14155551234' } }],
			credentials: { twilioWhatsAppApi: TWILIO },
			continueOnFail: true,
		});
		expect(error).toBeNull();
		expect(items.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(items[0].json.messageId).toBe('SM-whatsapp:+919988776655');
		expect(items[1].json.error).toMatch(/Invalid recipient "919988776655" in item 1/);
		expect(items[2].json.messageId).toBe('SM-whatsapp:+14155551234');
	});
});

describe('provider errors', () => {
	test('Twilio 21211 becomes a NodeApiError with the provider code and message, without secrets', async () => {
		nock('https://api.twilio.com')
			.post(TWILIO_PATH)
			.reply(400, { code: 21211, message: "Invalid 'To' Phone Number: +1555000XXXX", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 });
		const { error } = await runNotify({
			parameters: { provider: 'twilio', recipient: '+15550000400', message: 'x' },
			credentials: { twilioWhatsAppApi: TWILIO },
		});
		expect(error.name).toBe('NodeApiError');
		expect(error.message).toBe("Twilio refused item 0 (+15550000400): Invalid 'To' Phone Number: +1555000XXXX [21211]");
		expect(error.httpCode).toBe('400');
		expectNoSecrets(error);
	});

	test('Smooch 401 says to check the credential; Gupshup 400 carries its message', async () => {
		nock('https://api.smooch.io').post('/v1.1/apps/app123/notifications').reply(401, { error: { code: 'unauthorized', description: 'Authorization header is missing or invalid' } });
		nock('https://api.gupshup.io').post('/wa/api/v1/msg').reply(400, { status: 'error', message: 'Invalid Destination' });
		const smooch = await runNotify({ parameters: { provider: 'smooch', recipient: '+15145555333', message: 'x' }, credentials: { smoochApi: SMOOCH } });
		const gupshup = await runNotify({ parameters: { provider: 'gupshup', recipient: '+919163125987', message: 'x' }, credentials: { gupshupApi: GUPSHUP } });
		expect(smooch.error.message).toBe('Smooch (Sunshine Conversations) refused item 0 (+15145555333): Authorization header is missing or invalid [unauthorized]');
		expect(smooch.error.description).toMatch(/credential/);
		expect(gupshup.error.message).toBe('Gupshup refused item 0 (+919163125987): Invalid Destination [400]');
		expectNoSecrets(smooch.error);
		expectNoSecrets(gupshup.error);
	});

	test('a 2xx without a message id is an error, not a silent success', async () => {
		nock('https://api.gupshup.io').post('/wa/api/v1/msg').reply(200, { status: 'error', message: 'Insufficient balance' });
		const { error } = await runNotify({ parameters: { provider: 'gupshup', recipient: '+919163125987', message: 'x' }, credentials: { gupshupApi: GUPSHUP } });
		expect(error.message).toMatch(/Gupshup refused item 0 .*Insufficient balance/);
	});

	test('Continue On Fail: the refused item gets { error }, the others are sent, in input order', async () => {
		nock('https://api.twilio.com')
			.post(TWILIO_PATH)
			.times(3)
			.reply((_uri, body) => {
				const to = form(body).To;
				return to.endsWith('0400') ? [400, { code: 21211, message: 'Invalid To' }] : [201, { sid: `SM-${to.slice(-4)}` }];
			});
		const { items, error } = await runNotify({
			parameters: { provider: 'twilio', recipient: '={{ $json.phone }}', message: 'x' },
			items: [{ json: { phone: '+15551110001' } }, { json: { phone: '+15550000400' } }, { json: { phone: '+15551110003' } }],
			credentials: { twilioWhatsAppApi: TWILIO },
			continueOnFail: true,
		});
		expect(error).toBeNull();
		expect(items.map((item) => item.json.messageId ?? item.json.error)).toEqual([
			'SM-0001',
			'Twilio refused item 1 (+15550000400): Invalid To [21211]',
			'SM-0003',
		]);
		expect(items.map((item) => item.pairedItem.item)).toEqual([0, 1, 2]);
		expectNoSecrets(items);
	});

	test('without Continue On Fail, a refusal stops the batch and says what was and was not sent', async () => {
		let calls = 0;
		nock('https://api.twilio.com')
			.post(TWILIO_PATH)
			.times(10)
			.reply((_uri, body) => {
				calls++;
				return form(body).To.endsWith('0400') ? [400, { code: 21211, message: 'Invalid To' }] : [201, { sid: 'SM-ok' }];
			});
		const phones = ['+15551110001', '+15550000400', '+15551110003', '+15551110004', '+15551110005'];
		const { error } = await runNotify({
			parameters: { provider: 'twilio', recipient: '={{ $json.phone }}', message: 'x', options: { concurrency: 1 } },
			items: phones.map((phone) => ({ json: { phone } })),
			credentials: { twilioWhatsAppApi: TWILIO },
		});
		expect(error.message).toMatch(/refused item 1/);
		expect(error.description).toMatch(/Sent: items 0 \(SM-ok\)\. Failed: items 1\. Not tried: items 2-4\./);
		expect(calls).toBe(2);
	});
});

describe('retries: 429 only, never a request the provider may have processed', () => {
	test('a 429 is retried after Retry-After, then succeeds once', async () => {
		let calls = 0;
		nock('https://api.twilio.com')
			.post(TWILIO_PATH)
			.reply(() => {
				calls++;
				return [429, { code: 20429, message: 'Too Many Requests', status: 429 }, { 'Retry-After': '1' }];
			})
			.post(TWILIO_PATH)
			.reply(() => {
				calls++;
				return [201, { sid: 'SM-after-429', status: 'queued' }];
			});
		const started = Date.now();
		const { items, error } = await runNotify({
			parameters: { provider: 'twilio', recipient: '+919988776655', message: 'x' },
			credentials: { twilioWhatsAppApi: TWILIO },
		});
		expect(error).toBeNull();
		expect(items[0].json.messageId).toBe('SM-after-429');
		expect(calls).toBe(2);
		// Retry-After: 1 was honoured (a lower bound, not a timing assertion).
		expect(Date.now() - started).toBeGreaterThanOrEqual(950);
	});

	test('429s beyond Max Retries end in an error naming the limit', async () => {
		let calls = 0;
		nock('https://api.gupshup.io')
			.post('/wa/api/v1/msg')
			.times(5)
			.reply(() => {
				calls++;
				return [429, { status: 'error', message: 'Too Many Requests' }, { 'Retry-After': '0' }];
			});
		const { error } = await runNotify({
			parameters: { provider: 'gupshup', recipient: '+919163125987', message: 'x', options: { maxRetries: 2 } },
			credentials: { gupshupApi: GUPSHUP },
		});
		expect(calls).toBe(3);
		expect(error.message).toMatch(/Too Many Requests/);
		expect(error.description).toMatch(/after 2 retries/);
	});

	test('a 429 without Retry-After is retried after a backoff', async () => {
		let calls = 0;
		nock('https://api.smooch.io')
			.post('/v1.1/apps/app123/notifications')
			.reply(() => {
				calls++;
				return [429, { error: { code: 'too_many_requests', description: 'Slow down' } }];
			})
			.post('/v1.1/apps/app123/notifications')
			.reply(() => {
				calls++;
				return [201, { notification: { _id: 'after-backoff' } }];
			});
		const started = Date.now();
		const { items } = await runNotify({ parameters: { provider: 'smooch', recipient: '+15145555333', message: 'x' }, credentials: { smoochApi: SMOOCH } });
		expect(items[0].json.messageId).toBe('after-backoff');
		expect(calls).toBe(2);
		// The first backoff is between half and all of one second.
		expect(Date.now() - started).toBeGreaterThanOrEqual(480);
	});

	test('a Retry-After of minutes is reported at once instead of holding the batch', async () => {
		nock('https://api.twilio.com')
			.post(TWILIO_PATH)
			.reply(429, { code: 20429, message: 'Too Many Requests' }, { 'Retry-After': '600' });
		// On a virtual clock, where waiting it out would take 600 s, however slow the machine.
		const { error, waitedMs } = await onVirtualClock(async () => {
			const started = Date.now();
			const run = await runNotify({ parameters: { provider: 'twilio', recipient: '+919988776655', message: 'x' }, credentials: { twilioWhatsAppApi: TWILIO } });
			return { ...run, waitedMs: Date.now() - started };
		});
		expect(error.message).toMatch(/Too Many Requests \[20429\]/);
		expect(waitedMs).toBeLessThan(1000);
	});

	test('a 500 is not retried: the provider may have accepted it', async () => {
		let calls = 0;
		nock('https://api.twilio.com')
			.post(TWILIO_PATH)
			.times(3)
			.reply(() => {
				calls++;
				return [500, { code: 20500, message: 'Internal Server Error' }];
			});
		const { error } = await runNotify({ parameters: { provider: 'twilio', recipient: '+919988776655', message: 'x' }, credentials: { twilioWhatsAppApi: TWILIO } });
		expect(calls).toBe(1);
		expect(error.message).toMatch(/Internal Server Error/);
		expect(error.description).toMatch(/not sent again/);
	});

	test('a timeout is not retried and the error says why', async () => {
		// A real slow server: nock's delay does not trip the socket timeout of a request that follows no redirects.
		nock.enableNetConnect('127.0.0.1');
		const server = await recordingServer((_request, response) =>
			setTimeout(() => response.writeHead(201, { 'content-type': 'application/json' }).end('{"notification":{"_id":"late"}}'), 1500),
		);
		const { error } = await runNotify({
			parameters: { provider: 'smooch', recipient: '+15145555333', message: 'x', options: { timeout: 1000 } },
			credentials: { smoochApi: { ...SMOOCH, region: 'custom', baseUrl: server.url } },
		}).finally(() => server.close());
		const calls = server.requests.length;
		expect(calls).toBe(1);
		expect(error.message).toBe('Smooch (Sunshine Conversations) did not answer for item 0 (+15145555333): no answer within 1000 ms');
		expect(error.description).toMatch(/^Network error ECONNABORTED\./);
		expect(error.description).toMatch(/may have accepted the message/);
		expect(error.description).toMatch(/do not turn on Retry on Fail/);
		expectNoSecrets(error);
	});
});

describe('many items', () => {
	test('outputs keep input order and pairing even when answers arrive out of order', async () => {
		const phones = Array.from({ length: 12 }, (_, i) => `+1555123${String(i).padStart(4, '0')}`);
		nock('https://api.twilio.com')
			.post(TWILIO_PATH)
			.times(phones.length)
			// Later items answer sooner, so completion order is the reverse of input order.
			.delay({ head: 0 })
			.reply(async (_uri, body) => {
				const index = Number(form(body).To.slice(-4));
				await new Promise((resolve) => setTimeout(resolve, (phones.length - index) * 15));
				return [201, { sid: `SM-${index}` }];
			});
		const { items, error } = await runNotify({
			parameters: { provider: 'twilio', recipient: '={{ $json.phone }}', message: 'x', options: { concurrency: 6 } },
			items: phones.map((phone) => ({ json: { phone } })),
			credentials: { twilioWhatsAppApi: TWILIO },
		});
		expect(error).toBeNull();
		expect(items.map((item) => item.json.messageId)).toEqual(phones.map((_, i) => `SM-${i}`));
		expect(items.map((item) => item.pairedItem.item)).toEqual(phones.map((_, i) => i));
	});

	test('no more than Concurrency requests are in flight at once', async () => {
		let inFlight = 0;
		let peak = 0;
		nock('https://api.twilio.com')
			.post(TWILIO_PATH)
			.times(20)
			.reply(async () => {
				inFlight++;
				peak = Math.max(peak, inFlight);
				await new Promise((resolve) => setTimeout(resolve, 20));
				inFlight--;
				return [201, { sid: 'SM' }];
			});
		await runNotify({
			parameters: { provider: 'twilio', recipient: '+919988776655', message: 'x', options: { concurrency: 4 } },
			items: Array.from({ length: 20 }, () => ({ json: {} })),
			credentials: { twilioWhatsAppApi: TWILIO },
		});
		expect(peak).toBe(4);
	});
});
