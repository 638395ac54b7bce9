/**
 * The send rate one provider account allows, learnt from the provider's answers, so that a
 * batch runs just under the provider's limit without anyone having to know it, and one 429
 * does not become a storm.
 */

/** Providers state and count their limits per second. */
const WINDOW_MS = 1000;
/** After a throttle, the rate is set this far under what the provider let through in the second before it, */
const DECREASE = 0.97;
/** but never under this share of the rate before: the second before may have been one of waiting, not of sending. */
const DECREASE_FLOOR = 0.7;
/** The slowest learnt rate, in starts per second; a provider that throttles even that gets pauses instead. */
const MIN_RATE = 1;
/**
 * Throttles of requests already under way when the rate went down are the old rate's fallout,
 * not news about the new one. Beyond this many, the lowered rate is not enough yet (the provider
 * counts in fixed windows, or its bucket is empty): everyone waits for the Retry-After.
 */
const FALLOUT_TOLERANCE = 12;
/**
 * Without throttles the rate rises: for PLATEAU_SECONDS' worth of answers it stays within
 * PLATEAU_RISE of the rate the last throttle left (few probes past the provider's limit, each
 * costing a 429), then it doubles every DOUBLING_SECONDS, to claim what another sender sharing
 * the limit has left, or a limit that was raised.
 */
const PLATEAU_SECONDS = 3;
const PLATEAU_RISE = 0.03;
const DOUBLING_SECONDS = 1.5;
/** A pace unused this long forgets its rate: the limit, or who else sends on it, may have changed. */
const FORGET_AFTER_MS = 10 * 60_000;

/**
 * The send rate one provider account allows, learnt from its answers (AIMD-like, per second):
 * unlimited until the first throttle (429, or the provider's own code for it); then just under
 * what the provider let through in the second before the throttle; rising again while answers
 * come without throttles. Times are epoch ms, passed in, so the control can be tested without a clock.
 */
export class SendPace {
	/** Starts per second the last throttle left; Infinity while the provider has not throttled. */
	private base = Infinity;

	/** Seconds of sending since `base` was set, counted in answers (each one 1/rate): how long it held. */
	private heldFor = 0;

	/** Requests started before this were under way when the rate last went down. */
	private episodeEndsAt = -Infinity;

	private fallout = 0;

	/** Start times of requests answered without a throttle, roughly in order, the last two windows. */
	private readonly letThrough: number[] = [];

	private pausedUntil = 0;

	/**
	 * The time the last start was due. Spacing is counted from it rather than from the actual
	 * start, so timers that wake a little late do not slow the sending below the rate.
	 */
	private lastSlot = -Infinity;

	/** Starts per second allowed now; Infinity until the provider first throttles. */
	rate(): number {
		if (!Number.isFinite(this.base)) return Infinity;
		const { heldFor } = this;
		if (heldFor <= PLATEAU_SECONDS) return this.base * (1 + PLATEAU_RISE * (heldFor / PLATEAU_SECONDS) ** 3);
		return this.base * (1 + PLATEAU_RISE) * 2 ** ((heldFor - PLATEAU_SECONDS) / DOUBLING_SECONDS);
	}

	/** The earliest time the next request may start. */
	nextStartAt(): number {
		const rate = this.rate();
		const spaced = Number.isFinite(rate) ? this.lastSlot + 1000 / rate : -Infinity;
		return Math.max(this.pausedUntil, spaced);
	}

	started(at: number): void {
		const rate = this.rate();
		// Late by up to one interval: still on schedule. Later (a stall, a pause): one start early at most, no burst.
		const slot = Number.isFinite(rate) ? Math.max(this.nextStartAt(), at - 1000 / rate) : at;
		this.lastSlot = Math.max(this.lastSlot, Math.min(slot, at));
	}

	/** The provider answered a request started at `startedAt` without throttling it (sent or refused). */
	answered(startedAt: number, now: number): void {
		// Counted in answers, not in time, so idle time between batches is not taken for a rate that held.
		const rate = this.rate();
		if (Number.isFinite(rate)) this.heldFor += 1 / rate;
		this.letThrough.push(startedAt);
		while (this.letThrough.length > 0 && this.letThrough[0] < now - 2 * WINDOW_MS) this.letThrough.shift();
	}

	/**
	 * The provider throttled a request started at `startedAt` and asked for `waitMs` before the
	 * next try (the caller waits that long before trying this message again).
	 */
	throttled(startedAt: number, waitMs: number, now: number): void {
		if (startedAt < this.episodeEndsAt) {
			if (++this.fallout > FALLOUT_TOLERANCE) this.pause(now + waitMs);
			return;
		}
		const unknown = !Number.isFinite(this.base);
		// What the provider let through from us in the second before: its limit, or our share of it.
		const admitted = this.letThrough.filter((at) => at > startedAt - WINDOW_MS && at <= startedAt).length;
		if (unknown) {
			if (admitted > 0) this.base = Math.max(MIN_RATE, admitted * DECREASE);
		} else {
			const rate = this.rate();
			this.base = Math.max(MIN_RATE, rate * DECREASE_FLOOR, Math.min(rate, admitted) * DECREASE);
		}
		this.heldFor = 0;
		this.episodeEndsAt = now + WINDOW_MS;
		this.fallout = 0;
		// The first throttle: a burst at unknown speed filled the provider's window, so everyone waits as asked.
		if (unknown) this.pause(now + waitMs);
	}

	/** Holds every new start until `until`. */
	pause(until: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, until);
	}

	/** Whether nothing started for longer than it remembers a rate. */
	isStale(now: number): boolean {
		return now - Math.max(this.lastSlot, this.pausedUntil) > FORGET_AFTER_MS;
	}
}
