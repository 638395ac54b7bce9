/**
 * Runs `work` on a virtual clock (jest's fake Date and timers), so that what a test asserts about
 * time holds however slow or busy the machine is: the clock moves only when everything runnable
 * has run, one millisecond at a time, and the work's own processing takes no virtual time.
 * Promise jobs, process.nextTick and setImmediate stay real: they are how nock, n8n-core and the
 * node hand work on, and none of them waits for time.
 */
const REAL_TURNS_PER_MS = 20;

async function onVirtualClock(work) {
	jest.useFakeTimers({ doNotFake: ['nextTick', 'setImmediate', 'clearImmediate', 'queueMicrotask'], now: Date.parse('2026-01-05T09:00:00Z') });
	let done = false;
	const finished = work().finally(() => {
		done = true;
	});
	try {
		while (!done) {
			for (let turn = 0; turn < REAL_TURNS_PER_MS && !done; turn++) await new Promise((resolve) => setImmediate(resolve));
			if (!done) jest.advanceTimersByTime(1);
		}
		return await finished;
	} finally {
		jest.useRealTimers();
	}
}

module.exports = { onVirtualClock };
