'use strict';

const { EventEmitter } = require('events');

/**
 * Runs each message's callbacks in order, spaced by a delay, while other
 * messages' callbacks run alongside, optionally no more than a given number
 * starting per second in all (a provider sends its status events as they
 * happen, not all at once). Counts what is pending so idle() can tell a test
 * when everything has gone out, and can drop it all on reset.
 */
class CallbackQueue extends EventEmitter {
	constructor() {
		super();
		this.pending = 0;
		// Bumped by cancelAll(): chains started before it stop at their next step.
		this.generation = 0;
		this.sleepers = new Set();
		// When the next callback may start, under a rate (performance.now() ms).
		this.nextStart = 0;
	}

	/**
	 * Starts one message's chain and returns at once. Each step is
	 * `async (isCurrent) => …`; isCurrent() turns false once the chain was
	 * cancelled, so a step that was already under way can skip recording.
	 */
	enqueue(steps, delayMs, ratePerSecond = 0) {
		const generation = this.generation;
		const isCurrent = () => generation === this.generation;
		this.pending++;
		const run = async () => {
			for (const step of steps) {
				await this.sleep(delayMs);
				if (ratePerSecond > 0) await this.sleep(this.startSlot(ratePerSecond));
				if (!isCurrent()) return;
				await step(isCurrent);
			}
		};
		run()
			.catch((error) => this.emit('error-in-step', error))
			.finally(() => {
				this.pending--;
				if (this.pending === 0) this.emit('idle');
			});
	}

	/** How long the next callback waits for its turn so that at most `ratePerSecond` start per second; takes the turn. */
	startSlot(ratePerSecond) {
		const now = performance.now();
		const start = Math.max(now, this.nextStart);
		this.nextStart = start + 1000 / ratePerSecond;
		return start - now;
	}

	/** Resolves when no chain is pending. */
	idle() {
		if (this.pending === 0) return Promise.resolve();
		return new Promise((resolve) => this.once('idle', resolve));
	}

	/** Drops every pending callback; chains end at their next step. */
	cancelAll() {
		this.generation++;
		for (const sleeper of this.sleepers) {
			clearTimeout(sleeper.timer);
			sleeper.resolve();
		}
		this.sleepers.clear();
	}

	/** A timer that cancelAll() can cut short. */
	sleep(ms) {
		return new Promise((resolve) => {
			const sleeper = { resolve };
			sleeper.timer = setTimeout(() => {
				this.sleepers.delete(sleeper);
				resolve();
			}, Math.max(0, ms));
			this.sleepers.add(sleeper);
		});
	}
}

module.exports = { CallbackQueue };
