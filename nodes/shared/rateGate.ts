/** The spacing of one execution's request starts: a cap of its own over the provider's pace. */

import { sleep } from 'n8n-workflow';

import { SendPace } from './sendPace';

/**
 * Even without a cap, starts are spaced this far apart (at most 500 a second, far above any
 * provider's WhatsApp limit): answers then come back spread out instead of in one burst whose
 * processing would queue each message behind all the others (measured in bench/).
 */
export const MIN_START_GAP_MS = 2;

/**
 * One execution's start spacing: at most `perSecond` starts in any second (0 = no cap), a
 * hard ceiling over whatever the provider's pace would allow.
 */
export class RateGate {
	private lastStart = -Infinity;

	private readonly interval: number;

	/** For callers that bring no pace: one of the gate's own, which nothing throttles. */
	private readonly ownPace = new SendPace();

	constructor(perSecond: number) {
		this.interval = Math.max(MIN_START_GAP_MS, perSecond > 0 ? 1000 / perSecond : 0);
	}

	/** Resolves with the start time (epoch ms) when the caller may start a request. */
	async acquire(pace: SendPace = this.ownPace): Promise<number> {
		for (;;) {
			const now = Date.now();
			// Measured from the last actual start, so a caller that wakes late never makes a burst.
			const wait = Math.max(this.lastStart + this.interval, pace.nextStartAt()) - now;
			if (wait <= 0) {
				this.lastStart = now;
				pace.started(now);
				return now;
			}
			await sleep(Math.ceil(wait));
		}
	}
}
