/**
 * What WhatsApp Notify asks n8n for per batch: a parameter without an expression is the same
 * for every item and is read once; one with an expression is read (evaluated) for each item.
 */
const nock = require('nock');
// n8n-core's ExecuteContext binds getNodeParameter per instance; every call goes through this method.
const { ExecuteContext } = require('n8n-core');
const { providersOffline } = require('../helpers/offline');
const { runNotify } = require('../helpers/engine');
const { TWILIO } = require('../helpers/credentials');

providersOffline();

const TWILIO_PATH = `/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`;
const items = [0, 1, 2, 3].map((index) => ({ json: { to: `+4477000000${index}`, text: `Order ${index} shipped` } }));

describe('parameter reads per batch', () => {
	// A protected method of n8n-core's: spied on through an untyped view of the prototype.
	const prototype = /** @type {any} */ (ExecuteContext.prototype);
	let original;
	let reads;
	beforeEach(() => {
		original = prototype._getNodeParameter;
		reads = {};
		prototype._getNodeParameter = function (name, ...rest) {
			reads[name] = (reads[name] ?? 0) + 1;
			return original.call(this, name, ...rest);
		};
	});
	afterEach(() => {
		prototype._getNodeParameter = original;
	});

	test('constant parameters are read once for four items; expressions once per item; each item gets its own values', async () => {
		const sent = [];
		nock('https://api.twilio.com')
			.post(TWILIO_PATH, (body) => Boolean(sent.push(Object.fromEntries(new URLSearchParams(body)))))
			.times(4)
			.reply(201, () => ({ sid: `SM${String(sent.length).padStart(32, '0')}`, status: 'queued' }));

		const { items: outputs, error } = await runNotify({
			parameters: { provider: 'twilio', recipient: '={{ $json.to }}', message: '={{ $json.text }}', override: '{}' },
			items,
			credentials: { twilioWhatsAppApi: TWILIO },
		});

		expect(error).toBeNull();
		expect(outputs.map((item) => item.json.recipient)).toEqual(items.map((item) => item.json.to));
		expect(sent.map((body) => body.Body).sort()).toEqual(items.map((item) => item.json.text).sort());
		expect(reads).toMatchObject({ provider: 1, messageType: 1, override: 1, recipient: 4, message: 4 });
		// A text message reads nothing that only templates or media use.
		expect(Object.keys(reads).filter((name) => /template|media|fileName|headerMedia/i.test(name))).toEqual([]);
	});

	test('a parameter that is an expression is evaluated for every item, even when its value does not change', async () => {
		nock('https://api.twilio.com').post(TWILIO_PATH).times(4).reply(201, { sid: 'SM00000000000000000000000000000001', status: 'queued' });

		const { error } = await runNotify({
			parameters: { provider: '={{ "twilio" }}', recipient: '={{ $json.to }}', message: 'Hello', override: '={{ {} }}' },
			items,
			credentials: { twilioWhatsAppApi: TWILIO },
		});

		expect(error).toBeNull();
		expect(reads).toMatchObject({ provider: 4, override: 4, recipient: 4, message: 1 });
	});
});
