/**
 * Adaptive sending in n8n's real workflow engine, providers intercepted by nock: the node
 * learns the provider's limit from its throttles (429, or the provider's own code for one),
 * spaces later sends under it, shares it between executions of one process, and still sends
 * every message exactly once, in input order. On a virtual clock (test/helpers/virtualClock.js):
 * the node's own processing takes no time there, so the spacing asserted is the pacing's, however
 * busy the machine.
 */
const nock = require('nock');
const { providersOffline } = require('../helpers/offline');
const { GUPSHUP, TWILIO } = require('../helpers/credentials');
const { runNotify } = require('../helpers/engine');
const { onVirtualClock } = require('../helpers/virtualClock');

const TWILIO_PATH = `/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`;

const form = (body) => Object.fromEntries(new URLSearchParams(body));
const recipientOf = (index) => `+4477${String(index).padStart(8, '0')}`;

providersOffline();

/**
 * Twilio's API behind a limit of `perSecond` sends in any sliding second (as the sandbox counts):
 * past it, Twilio's 429 (code 20429) with Retry-After 1. Records every arrival.
 */
function twilioWithLimit(perSecond, times) {
	const admitted = [];
	const arrivals = [];
	let sid = 0;
	nock('https://api.twilio.com')
		.post(TWILIO_PATH)
		.times(times)
		.reply((uri, body) => {
			const now = Date.now();
			while (admitted.length && now - admitted[0] >= 1000) admitted.shift();
			const to = form(body).To.replace('whatsapp:', '');
			if (admitted.length >= perSecond) {
				arrivals.push({ at: now, to, status: 429 });
				return [429, { code: 20429, message: 'Too Many Requests', more_info: 'https://www.twilio.com/docs/errors/20429', status: 429 }, { 'Retry-After': '1' }];
			}
			admitted.push(now);
			const messageSid = `SM${String(++sid).padStart(32, '0')}`;
			arrivals.push({ at: now, to, status: 201, sid: messageSid });
			return [201, { sid: messageSid, status: 'queued', to: `whatsapp:${to}` }];
		});
	return arrivals;
}

const batch = (count, offset = 0) => Array.from({ length: count }, (_, index) => ({ json: { to: recipientOf(offset + index) } }));
const twilioParameters = (options) => ({ provider: 'twilio', recipient: '={{ $json.to }}', message: 'Your order shipped', options });

/** Every item sent exactly once, with the id the provider issued for that recipient, in input order. */
function expectEachSentOnce(items, inputs, arrivals) {
	expect(items).toHaveLength(inputs.length);
	items.forEach((item, index) => {
		const to = inputs[index].json.to;
		const accepted = arrivals.filter((arrival) => arrival.to === to && arrival.status === 201);
		expect(accepted).toHaveLength(1);
		expect(item.pairedItem).toEqual({ item: index });
		expect(item.json).toMatchObject({ status: 'sent', recipient: to, messageId: accepted[0].sid });
	});
}

/**
 * How long any 5 sends in a row took, once the first 429's Retry-After (1 s) was over: at 4 a
 * second they span 4 intervals, less one for a start that came late on its schedule.
 */
function spansOfFiveAfterFirstThrottle(arrivals) {
	const firstThrottle = arrivals.find((arrival) => arrival.status === 429);
	const later = arrivals.filter((arrival) => arrival.at > firstThrottle.at + 1000).map((arrival) => arrival.at);
	return later.slice(4).map((at, index) => at - later[index]);
}

describe('adaptive sending: the provider’s limit learnt from its answers', () => {
	test('after the first 429, sends are spaced under the limit the provider let through, and each goes once', async () => {
		const inputs = batch(12);
		const arrivals = twilioWithLimit(4, 40);
		const { items, error } = await onVirtualClock(() => runNotify({ parameters: twilioParameters({ concurrency: 4 }), items: inputs, credentials: { twilioWhatsAppApi: TWILIO } }));

		expect(error).toBeNull();
		expectEachSentOnce(items, inputs, arrivals);
		// 4 let through in the first second: from then on 4 × 0.97 a second, starts due 257 ms apart,
		// so 5 in a row span ≥ 3 × 257 ms. Without the pace, they came in bursts of Concurrency.
		expect(Math.min(...spansOfFiveAfterFirstThrottle(arrivals))).toBeGreaterThanOrEqual(750);
	});

	test('two executions at once in one n8n process share one pace for the same credential and host', async () => {
		const first = batch(8);
		const second = batch(8, 100);
		const arrivals = twilioWithLimit(4, 60);
		const run = (items) =>
			runNotify({ parameters: twilioParameters({ concurrency: 4 }), items, credentials: { twilioWhatsAppApi: TWILIO }, keepSendPaces: true });
		const [one, two] = await onVirtualClock(() => Promise.all([run(first), run(second)]));

		expect(one.error).toBeNull();
		expect(two.error).toBeNull();
		expectEachSentOnce(one.items, first, arrivals);
		expectEachSentOnce(two.items, second, arrivals);
		// Together under the one limit: with a pace each they would interleave twice as fast.
		expect(Math.min(...spansOfFiveAfterFirstThrottle(arrivals))).toBeGreaterThanOrEqual(750);
	});

	test('a Messages Per Second cap stays a hard ceiling: no start comes sooner than the cap allows', async () => {
		const inputs = batch(5);
		const arrivals = twilioWithLimit(100, 5);
		const { items } = await onVirtualClock(() =>
			runNotify({ parameters: twilioParameters({ concurrency: 5, maxPerSecond: 10 }), items: inputs, credentials: { twilioWhatsAppApi: TWILIO } }),
		);

		expectEachSentOnce(items, inputs, arrivals);
		const gaps = arrivals.slice(1).map((arrival, index) => arrival.at - arrivals[index].at);
		// 10 a second: starts 100 ms apart (uncapped, with Concurrency 5, they come 2 ms apart); a
		// request may reach nock a virtual millisecond or two after its start.
		expect(Math.min(...gaps)).toBeGreaterThanOrEqual(95);
	});
});

describe('Gupshup 4001 "API Rate Limited" is a throttle like a 429', () => {
	test('a send answered 4001 is tried again and reported once, with the id of the try that was accepted', async () => {
		const sent = [];
		nock('https://api.gupshup.io')
			.post('/wa/api/v1/msg', (body) => Boolean(sent.push(form(body))))
			.reply(400, { status: 'error', message: 'API Rate Limited', code: 4001 })
			.post('/wa/api/v1/msg', (body) => Boolean(sent.push(form(body))))
			.reply(202, { status: 'submitted', messageId: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35' });

		const { items, error } = await runNotify({
			parameters: { provider: 'gupshup', recipient: '+919163125987', message: 'Your order shipped' },
			credentials: { gupshupApi: GUPSHUP },
		});

		expect(error).toBeNull();
		expect(sent).toHaveLength(2);
		expect(items[0].json).toMatchObject({ status: 'sent', messageId: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35', recipient: '+919163125987' });
		expect(nock.isDone()).toBe(true);
	});

	test('4001 beyond Max Retries ends in an error that names the throttling, after 1 + Max Retries tries', async () => {
		let tries = 0;
		nock('https://api.gupshup.io')
			.post('/wa/api/v1/msg')
			.times(5)
			.reply(() => {
				tries++;
				return [200, { status: 'error', message: 'API Rate Limited', code: '4001' }, { 'Retry-After': '0' }];
			});

		const { error } = await runNotify({
			parameters: { provider: 'gupshup', recipient: '+919163125987', message: 'x', options: { maxRetries: 2 } },
			credentials: { gupshupApi: GUPSHUP },
		});

		expect(tries).toBe(3);
		expect(error.message).toBe('Gupshup refused item 0 (+919163125987): API Rate Limited [4001]');
		expect(error.description).toMatch(/kept answering "too many requests" after 2 retries/);
	});

	test('another Gupshup refusal (1002, not on WhatsApp) is not tried again', async () => {
		let tries = 0;
		nock('https://api.gupshup.io')
			.post('/wa/api/v1/msg')
			.times(2)
			.reply(() => {
				tries++;
				return [400, { status: 'error', message: 'Number Not Exist On WhatsApp', code: 1002 }];
			});

		const { error } = await runNotify({ parameters: { provider: 'gupshup', recipient: '+919163125987', message: 'x' }, credentials: { gupshupApi: GUPSHUP } });

		expect(tries).toBe(1);
		expect(error.message).toBe('Gupshup refused item 0 (+919163125987): Number Not Exist On WhatsApp [1002]');
	});
});
