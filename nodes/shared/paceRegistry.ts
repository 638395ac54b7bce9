/**
 * The learnt paces of this process, one per provider account: executions that send with the
 * same credential to the same host share one, so together they stay under the one limit.
 */

import { SendPace } from './sendPace';

/**
 * The key of one provider account's pace: the credential (the account, whose limit it is) and
 * the host the requests go to.
 */
export function paceKey(credentialType: string, credentialId: string, url: string): string {
	let host = url;
	try {
		host = new URL(url).host;
	} catch {
		// Not a URL: the request fails on its own; the key only needs to be stable.
	}
	return [credentialType, credentialId, host].join('\n');
}

const sharedPaces = new Map<string, SendPace>();

/**
 * The pace of one provider account as seen from this process: every execution that sends with
 * the same credential to the same host gets the same one, so together they stay under the one
 * limit instead of each learning it against the others.
 */
export function sharedPace(key: string, now = Date.now()): SendPace {
	let pace = sharedPaces.get(key);
	if (!pace || pace.isStale(now)) {
		for (const [other, each] of sharedPaces) if (each.isStale(now)) sharedPaces.delete(other);
		pace = new SendPace();
		sharedPaces.set(key, pace);
	}
	return pace;
}

/** Forgets every learnt pace, as a freshly started n8n process knows none (for tests and the benchmark). */
export function forgetSendPaces(): void {
	sharedPaces.clear();
}
