/**
 * SendPace, the send rate learnt from the provider's answers, driven by fake answers on a
 * virtual clock: every figure here is deterministic (no timers, no real time).
 */
const { SendPace } = require('../../../dist/nodes/shared/sendPace');
const { sharedPace } = require('../../../dist/nodes/shared/paceRegistry');
const { fixedWindow, simulate, slidingWindow } = require('../../helpers/paceSimulation');

const total = (senders, key) => senders.reduce((sum, sender) => sum + sender[key], 0);

describe('SendPace, learning the provider’s limit from its answers', () => {
	test('unlimited until the provider first throttles', () => {
		const pace = new SendPace();
		for (let i = 0; i < 100; i++) pace.answered(i * 5, i * 5 + 100);
		expect(pace.rate()).toBe(Infinity);
	});

	test('the first throttle sets the rate just under what the provider let through, and everyone waits its Retry-After', () => {
		const pace = new SendPace();
		// 50 accepted in the first 250 ms, then a 429 for a request started at 260 ms, answered at 360 ms.
		for (let i = 0; i < 50; i++) pace.answered(i * 5, i * 5 + 100);
		pace.throttled(260, 1000, 360);
		expect(pace.rate()).toBeCloseTo(50 * 0.97, 5);
		expect(pace.nextStartAt()).toBe(1360);
	});

	/** A pace that has learnt 97/s: 100 answers in the second before a throttle at 1,100 ms (then its pause is over). */
	function learntPace() {
		const pace = new SendPace();
		for (let i = 0; i < 100; i++) pace.answered(i * 10, i * 10 + 100);
		pace.throttled(995, 0, 1100);
		return pace;
	}

	test('throttles of requests already under way do not lower the rate again; more than 12 make everyone wait', () => {
		const pace = learntPace();
		// 97 let through in the second before the next throttle: the rate goes just under them.
		for (let i = 0; i < 97; i++) pace.answered(1510 + i * 10, 1610 + i * 10);
		const before = pace.rate();
		pace.throttled(2500, 1000, 2600);
		const rate = pace.rate();
		expect(rate).toBeCloseTo(Math.min(before, 97) * 0.97, 5);
		pace.started(2600);
		const spaced = pace.nextStartAt();
		// Twelve started before the rate went down: no new decrease, no pause.
		for (let i = 0; i < 12; i++) pace.throttled(2510 + i, 1000, 2610 + i);
		expect(pace.rate()).toBe(rate);
		expect(pace.nextStartAt()).toBeCloseTo(spaced, 5);
		// A thirteenth: the lower rate is not enough yet, everyone waits its Retry-After.
		pace.throttled(2520, 1000, 2620);
		expect(pace.nextStartAt()).toBe(3620);
	});

	test('a throttle after a second of waiting lowers the rate by 30% at most, and never under 1 a second', () => {
		const pace = learntPace();
		// Nothing let through in the second before (the sender was waiting): 0.7 × 97.
		pace.throttled(5000, 0, 5100);
		expect(pace.rate()).toBeCloseTo(67.9, 5);
		for (let t = 10_000; t < 50_000; t += 2000) pace.throttled(t, 0, t + 100);
		expect(pace.rate()).toBe(1);
	});

	test('without throttles the rate rises: within 3% for 3 seconds of sending, then doubling every 1.5 s', () => {
		const pace = learntPace();
		const base = pace.rate();
		expect(base).toBe(97);
		let seconds = 0;
		const sendFor = (until) => {
			// Each answer stands for 1/rate seconds of sending at the rate it was sent at.
			while (seconds < until - 1e-9) {
				seconds += 1 / pace.rate();
				pace.answered(2000, 2000);
			}
		};
		sendFor(2.99);
		expect(pace.rate() / base).toBeGreaterThan(1.029);
		expect(pace.rate() / base).toBeLessThanOrEqual(1.03);
		sendFor(4.5);
		expect(pace.rate() / base).toBeCloseTo(2.06, 1);
	});

	test('the shared pace of a credential and host is one object per process, forgotten after 10 idle minutes', () => {
		const first = sharedPace('twilioWhatsAppApi\nA\napi.twilio.com', 0);
		expect(sharedPace('twilioWhatsAppApi\nA\napi.twilio.com', 1000)).toBe(first);
		expect(sharedPace('twilioWhatsAppApi\nB\napi.twilio.com', 1000)).not.toBe(first);
		first.started(1000);
		expect(sharedPace('twilioWhatsAppApi\nA\napi.twilio.com', 1000 + 10 * 60_000 + 1)).not.toBe(first);
	});
});

describe('SendPace against simulated providers (virtual clock)', () => {
	test('one sender, 1,000 messages, a 50/s sliding window: each sent once, ≤ 5% throttled, within 1.15 × the rate bound', () => {
		const { senders } = simulate({ senders: [{ items: 1000, concurrency: 20 }], admit: slidingWindow(50) });
		const [sender] = senders;
		expect(sender.accepted.every((count) => count === 1)).toBe(true);
		expect(sender.throttles).toBeLessThanOrEqual(50);
		expect(sender.finishedAt).toBeLessThanOrEqual(1.15 * 20_000);
	});

	test('two senders with a pace each, 500 messages each, one 50/s limit: together ≥ 0.85 × the limit, ≤ 10% throttled', () => {
		const { senders } = simulate({
			senders: [
				{ items: 500, concurrency: 20 },
				{ items: 500, concurrency: 20, startAt: 7 },
			],
			admit: slidingWindow(50),
		});
		const finished = Math.max(...senders.map((sender) => sender.finishedAt));
		expect(senders.every((sender) => sender.accepted.every((count) => count === 1))).toBe(true);
		expect(1000 / (finished / 1000)).toBeGreaterThanOrEqual(0.85 * 50);
		expect(total(senders, 'throttles')).toBeLessThanOrEqual(100);
	});

	test('two senders, one starting 3 s late with 300 messages: the first leaves room, then takes it back (≥ 0.8 × the limit together)', () => {
		const { senders } = simulate({
			senders: [
				{ items: 1000, concurrency: 20 },
				{ items: 300, concurrency: 20, startAt: 3000 },
			],
			admit: slidingWindow(50),
		});
		const finished = Math.max(...senders.map((sender) => sender.finishedAt));
		expect(senders.every((sender) => sender.accepted.every((count) => count === 1))).toBe(true);
		expect(1300 / (finished / 1000)).toBeGreaterThanOrEqual(0.8 * 50);
		expect(total(senders, 'throttles')).toBeLessThanOrEqual(130);
	});

	test('two executions sharing one pace (the same n8n process) behave as one sender', () => {
		const { senders } = simulate({
			senders: [
				{ items: 500, concurrency: 20 },
				{ items: 500, concurrency: 20, startAt: 7 },
			],
			admit: slidingWindow(50),
			sharedPaceForAll: true,
		});
		const finished = Math.max(...senders.map((sender) => sender.finishedAt));
		expect(1000 / (finished / 1000)).toBeGreaterThanOrEqual(0.87 * 50);
		expect(total(senders, 'throttles')).toBeLessThanOrEqual(50);
	});

	test('a provider counting per calendar second: throttles stay few', () => {
		const { senders } = simulate({ senders: [{ items: 1000, concurrency: 20 }], admit: fixedWindow(50) });
		const [sender] = senders;
		expect(sender.accepted.every((count) => count === 1)).toBe(true);
		expect(sender.throttles).toBeLessThanOrEqual(100);
		expect(sender.finishedAt).toBeLessThanOrEqual(1.25 * 20_000);
	});

	test('no limit: nothing throttles and the pool runs at concurrency ÷ latency', () => {
		const { senders } = simulate({ senders: [{ items: 1000, concurrency: 20 }], admit: () => true });
		expect(senders[0].throttles).toBe(0);
		expect(senders[0].finishedAt).toBeLessThanOrEqual(1.05 * ((1000 * 100) / 20));
	});
});
