'use strict';

/**
 * A sliding one-second window per provider: at most `limit` requests in any
 * 1000 ms. Only admitted requests count, so a client that waits out
 * Retry-After gets through again (as with the real providers).
 */
class SlidingWindowLimiter {
	constructor() {
		this.admitted = new Map();
	}

	/** True when the request may go through; it is then counted. `limit` 0 means no limit. */
	admit(key, limit, now = Date.now()) {
		if (!(limit > 0)) return true;
		const recent = (this.admitted.get(key) || []).filter((at) => now - at < 1000);
		const allowed = recent.length < limit;
		if (allowed) recent.push(now);
		this.admitted.set(key, recent);
		return allowed;
	}

	reset() {
		this.admitted.clear();
	}
}

module.exports = { SlidingWindowLimiter };
