'use strict';

class WaitTimeout extends Error {
	constructor(what, timeoutMs, last) {
		super(`timed out after ${timeoutMs} ms waiting for ${what}${last !== undefined ? ` (last seen: ${last})` : ''}`);
		this.name = 'WaitTimeout';
	}
}

/**
 * Polls fn until it returns something truthy, at most timeoutMs; resolves to that value.
 * `describe` (optional) turns fn's last falsy result or error into text for the timeout message.
 * @template T
 * @param {() => T | Promise<T>} fn
 * @param {{ timeoutMs?: number, intervalMs?: number, what?: string, describe?: (last: unknown) => string }} [options]
 * @returns {Promise<T>}
 */
async function waitFor(fn, { timeoutMs = 20000, intervalMs = 100, what = 'a condition', describe } = {}) {
	const started = Date.now();
	let last;
	for (;;) {
		try {
			const value = await fn();
			if (value) return value;
			last = describe ? describe(value) : undefined;
		} catch (error) {
			last = error.message;
		}
		if (Date.now() - started >= timeoutMs) throw new WaitTimeout(what, timeoutMs, last);
		await new Promise((resolve) => setTimeout(resolve, intervalMs));
	}
}

module.exports = { waitFor };
