/**
 * Sending many messages at provider speed: a bounded number in flight, an
 * optional messages-per-second cap, and a pause for everyone when the
 * provider says "too many" (429), so one 429 does not become a storm.
 */

import { sleep } from 'n8n-workflow';

/**
 * Even without a cap, starts are spaced this far apart (at most 500 a second, far above any
 * provider's WhatsApp limit): answers then come back spread out instead of in one burst whose
 * processing would queue each message behind all the others (measured in bench/).
 */
export const MIN_START_GAP_MS = 2;

/** Spaces request starts so that at most `perSecond` begin in any second (0 = no cap). */
export class RateGate {
	private lastStart = -Infinity;

	private pausedUntil = 0;

	private readonly interval: number;

	constructor(perSecond: number) {
		this.interval = Math.max(MIN_START_GAP_MS, perSecond > 0 ? 1000 / perSecond : 0);
	}

	/** Resolves when the caller may start a request. */
	async acquire(): Promise<void> {
		for (;;) {
			// Measured from the last actual start, so a caller that wakes late never makes a burst.
			const wait = Math.max(this.pausedUntil, this.lastStart + this.interval) - Date.now();
			if (wait <= 0) {
				this.lastStart = Date.now();
				return;
			}
			await sleep(Math.ceil(wait));
		}
	}

	/** Holds every new start until `until` (epoch ms). */
	pause(until: number): void {
		this.pausedUntil = Math.max(this.pausedUntil, until);
	}
}

export type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/**
 * Runs `task` for 0..count-1 with at most `concurrency` at once. Results come
 * back in input order. Once `stopOnError` sees a failure no new task starts
 * (those in flight finish), and the tasks never started are left undefined.
 */
export async function runPool<T>(
	count: number,
	concurrency: number,
	task: (index: number) => Promise<T>,
	stopOnError: boolean,
): Promise<Array<Settled<T> | undefined>> {
	const results: Array<Settled<T> | undefined> = Array.from({ length: count }, () => undefined);
	let next = 0;
	let failed = false;
	const worker = async () => {
		while (next < count && !(stopOnError && failed)) {
			const index = next++;
			try {
				results[index] = { ok: true, value: await task(index) };
			} catch (error) {
				results[index] = { ok: false, error };
				failed = true;
			}
		}
	};
	const workers = Array.from({ length: Math.max(1, Math.min(concurrency, count)) }, worker);
	await Promise.all(workers);
	return results;
}

export interface BackoffPolicy {
	/** First wait when the provider gives no Retry-After. */
	baseMs: number;
	maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 1000, maxMs: 30_000 };

/** Retry-After in seconds or as an HTTP date, in milliseconds from now; undefined when absent or unreadable. */
export function retryAfterMs(value: unknown, now = Date.now()): number | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	if (typeof text !== 'string' && typeof text !== 'number') return undefined;
	const seconds = Number(text);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(text));
	return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Exponential backoff with jitter: between half and all of base × 2^attempt, capped. */
export function backoffMs(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF): number {
	const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** attempt);
	return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
}
