const { backoffMs, retryAfterMs } = require('../../../dist/nodes/shared/backoff');
const { RateGate } = require('../../../dist/nodes/shared/rateGate');
const { SendPace } = require('../../../dist/nodes/shared/sendPace');
const { runPool } = require('../../../dist/nodes/shared/sendPool');

test('Retry-After in seconds or as an HTTP date', () => {
	expect(retryAfterMs('2')).toBe(2000);
	expect(retryAfterMs(['0'])).toBe(0);
	expect(retryAfterMs('Wed, 21 Oct 2015 07:28:05 GMT', Date.parse('Wed, 21 Oct 2015 07:28:00 GMT'))).toBe(5000);
	expect(retryAfterMs(undefined)).toBeUndefined();
	expect(retryAfterMs('soon')).toBeUndefined();
});

test('backoff grows, stays within half and all of its ceiling, and is capped', () => {
	for (let attempt = 0; attempt < 8; attempt++) {
		const ceiling = Math.min(30000, 1000 * 2 ** attempt);
		const wait = backoffMs(attempt);
		expect(wait).toBeGreaterThanOrEqual(ceiling / 2);
		expect(wait).toBeLessThanOrEqual(ceiling);
	}
});

test('runPool keeps input order and stops starting new tasks after a failure when asked', async () => {
	const started = [];
	const results = await runPool(
		6,
		2,
		async (index) => {
			started.push(index);
			if (index === 1) throw new Error('no');
			return index * 10;
		},
		true,
	);
	expect(results[0]).toEqual({ ok: true, value: 0 });
	expect(results[1].ok).toBe(false);
	expect(started.length).toBeLessThan(6);
	expect(results.filter((result) => result === undefined)).toHaveLength(6 - started.length);
});

// The start times asserted on are the ones the gate reports (what it let through when), never a
// clock read after the await: a busy machine may resume a caller late, never a gate early.

test('RateGate spaces starts: 10 acquisitions at 50/s span at least 180 ms', async () => {
	const gate = new RateGate(50);
	const times = await Promise.all(Array.from({ length: 10 }, () => gate.acquire()));
	expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(180);
});

test('RateGate holds starts while the provider’s pace is paused, and reports when it let the caller through', async () => {
	const gate = new RateGate(0);
	const pace = new SendPace();
	const pausedAt = Date.now();
	pace.pause(pausedAt + 200);
	const startedAt = await gate.acquire(pace);
	expect(startedAt).toBeGreaterThanOrEqual(pausedAt + 200);
	expect(pace.nextStartAt()).toBe(pausedAt + 200);
});

test('RateGate: a cap stays a hard ceiling over a faster pace', async () => {
	const gate = new RateGate(50);
	const pace = new SendPace();
	const starts = [];
	for (let i = 0; i < 4; i++) starts.push(await gate.acquire(pace));
	const gaps = starts.slice(1).map((at, index) => at - starts[index]);
	expect(Math.min(...gaps)).toBeGreaterThanOrEqual(20);
});

test('RateGate: a stalled event loop does not turn into a burst of starts', async () => {
	const gate = new RateGate(50);
	const callers = Array.from({ length: 6 }, () => gate.acquire());
	// Block the event loop for 120 ms while the callers wait for their slots.
	const stallUntil = Date.now() + 120;
	while (Date.now() < stallUntil) {
		/* busy */
	}
	const times = (await Promise.all(callers)).sort((a, b) => a - b);
	// The first caller was let through before the stall; every later one waited on the gate.
	const waited = times.slice(1);
	const gaps = waited.slice(1).map((time, index) => time - waited[index]);
	// 50 per second: starts at least 20 ms apart, even right after the stall.
	expect(Math.min(...gaps)).toBeGreaterThanOrEqual(20);
});

test('RateGate without a cap still spaces starts by MIN_START_GAP_MS', async () => {
	const { MIN_START_GAP_MS } = require('../../../dist/nodes/shared/rateGate');
	const gate = new RateGate(0);
	const times = await Promise.all(Array.from({ length: 5 }, () => gate.acquire()));
	expect(Math.max(...times) - Math.min(...times)).toBeGreaterThanOrEqual(4 * MIN_START_GAP_MS);
});
