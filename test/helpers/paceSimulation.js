/**
 * WhatsApp Notify's sending, simulated on a virtual clock against a provider's rate limit:
 * SendPace (dist/) decides, fake answers come back after a fixed latency. Deterministic.
 */
const { MIN_START_GAP_MS } = require('../../dist/nodes/shared/rateGate');
const { SendPace } = require('../../dist/nodes/shared/sendPace');

/** A provider that lets `limit` requests through in any sliding second, as the sandbox does. */
function slidingWindow(limit) {
	const admitted = [];
	return (now) => {
		while (admitted.length && now - admitted[0] >= 1000) admitted.shift();
		if (admitted.length >= limit) return false;
		admitted.push(now);
		return true;
	};
}

/** A provider that lets `limit` requests through per calendar second. */
function fixedWindow(limit) {
	let second = -1;
	let count = 0;
	return (now) => {
		if (Math.floor(now / 1000) !== second) {
			second = Math.floor(now / 1000);
			count = 0;
		}
		return ++count <= limit;
	};
}

/**
 * Senders as WhatsApp Notify runs them (a pool of `concurrency`, starts spaced by MIN_START_GAP_MS
 * and the pace, a throttled message waiting Retry-After before its next try), against `admit`,
 * answering after `latencyMs`, with Retry-After `retryAfterMs`. Each sender has its own pace
 * unless `sharedPaceForAll`. Returns per sender: when it finished, messages accepted (per
 * message: how often), throttles; and the starts of the whole run.
 */
function simulate({ senders, admit, latencyMs = 100, retryAfterMs = 1000, sharedPaceForAll = false }) {
	const events = [];
	let now = 0;
	const at = (time, run) => {
		let index = events.length;
		while (index > 0 && events[index - 1].time > time) index--;
		events.splice(index, 0, { time, run });
	};
	const common = new SendPace();
	const states = senders.map(({ items, concurrency, startAt = 0 }) => ({
		pace: sharedPaceForAll ? common : new SendPace(),
		lastStart: -Infinity,
		next: 0,
		items,
		accepted: new Array(items).fill(0),
		throttles: 0,
		done: 0,
		finishedAt: null,
		concurrency,
		startAt,
	}));
	const starts = [];

	function tryStart(sender, message) {
		const earliest = Math.max(sender.lastStart + MIN_START_GAP_MS, sender.pace.nextStartAt());
		if (earliest > now) return at(earliest, () => tryStart(sender, message));
		sender.lastStart = now;
		sender.pace.started(now);
		starts.push(now);
		const startedAt = now;
		const ok = admit(now);
		at(now + latencyMs, () => {
			if (ok) {
				sender.pace.answered(startedAt, now);
				sender.accepted[message]++;
				if (++sender.done === sender.items) sender.finishedAt = now;
				return takeNext(sender);
			}
			sender.throttles++;
			sender.pace.throttled(startedAt, retryAfterMs, now);
			at(now + retryAfterMs, () => tryStart(sender, message));
		});
	}
	function takeNext(sender) {
		if (sender.next < sender.items) tryStart(sender, sender.next++);
	}
	for (const sender of states) {
		at(sender.startAt, () => {
			for (let slot = 0; slot < sender.concurrency; slot++) takeNext(sender);
		});
	}
	while (events.length) {
		const event = events.shift();
		now = event.time;
		event.run();
	}
	return { senders: states, starts };
}

module.exports = { fixedWindow, simulate, slidingWindow };
