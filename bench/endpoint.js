'use strict';

/**
 * The benchmark's provider endpoint: the project's sandbox (sandbox/server.js),
 * with no webhooks (no callbacks), driven over IPC by bench/run.js so it can
 * live in its own process, off the event loop of the node under test.
 *
 * Messages (parent → child): { id, cmd, args }; answers: { id, ok, value | error }.
 *   configure {latencyMs, rateLimitPerSecond, retryAfterSeconds}
 *   reset
 *   summary   → what the endpoint saw, per recipient (see summarize())
 *
 * Can also be required in-process: createEndpoint() gives the same commands as async functions.
 */

const { sandboxProviders } = require('../sandbox/providers');
const { startSandbox } = require('../sandbox/server');

/** The recipient of a send, in E.164, from its body (as sent, or as the sandbox parsed it). */
function recipientOf(provider, body) {
	if (!body || typeof body !== 'object') return null;
	const raw = sandboxProviders()[provider].recipientSent(body);
	if (typeof raw !== 'string') return null;
	const digits = raw.replace(/^whatsapp:/, '').replace(/[^\d]/g, '');
	return digits ? `+${digits}` : null;
}

/**
 * Everything the benchmark checks, computed here so the raw records (headers,
 * bodies) never cross the process boundary:
 *   requests, status429, otherStatus (count by status), perRecipient: {e164: {attempts, accepted: [messageId…], firstAt}}.
 */
function summarize(received) {
	const perRecipient = {};
	const byStatus = {};
	let status429 = 0;
	const arrivals = [];
	const arrivals429 = [];
	for (const record of received) {
		const at = Date.parse(record.at);
		arrivals.push(at);
		if (record.status === 429) arrivals429.push(at);
		byStatus[record.status] = (byStatus[record.status] || 0) + 1;
		if (record.status === 429) status429++;
		const to = recipientOf(record.provider, record.body) || '(none)';
		let entry = perRecipient[to];
		if (!entry) entry = perRecipient[to] = { attempts: 0, accepted: [], firstAt: record.at };
		entry.attempts++;
		if (record.status >= 200 && record.status < 300 && record.messageId) entry.accepted.push(record.messageId);
	}
	arrivals.sort((a, b) => a - b);
	return {
		requests: received.length,
		status429,
		byStatus,
		perRecipient,
		peakRequestsIn1s: peakInWindow(arrivals, 1000),
		firstArrival: arrivals[0] ?? null,
		lastArrival: arrivals[arrivals.length - 1] ?? null,
		arrivals429,
	};
}

/** The most arrivals in any window of `windowMs` (the sandbox's limiter counts arrivals in (t − 1000, t]). */
function peakInWindow(sortedTimes, windowMs) {
	let peak = 0;
	let from = 0;
	for (let to = 0; to < sortedTimes.length; to++) {
		while (sortedTimes[to] - sortedTimes[from] >= windowMs) from++;
		peak = Math.max(peak, to - from + 1);
	}
	return peak;
}

async function createEndpoint(options = {}) {
	const sandbox = await startSandbox({
		port: 0,
		latencyMs: options.latencyMs ?? 0,
		rateLimitPerSecond: options.rateLimitPerSecond ?? 0,
		retryAfterSeconds: options.retryAfterSeconds ?? 1,
		// No webhooks: no callbacks are scheduled, only the sends are answered and recorded.
		webhooks: {},
		log: false,
	});
	return {
		url: sandbox.url,
		async configure(settings) {
			return sandbox.configure(settings);
		},
		async reset() {
			sandbox.reset();
			return true;
		},
		async summary() {
			return summarize(sandbox.received);
		},
		async close() {
			await sandbox.close();
			return true;
		},
	};
}

if (require.main === module && process.send) {
	(async () => {
		const endpoint = await createEndpoint();
		process.on('message', async ({ id, cmd, args }) => {
			try {
				if (!['configure', 'reset', 'summary', 'close'].includes(cmd)) throw new Error(`unknown command ${cmd}`);
				const value = await endpoint[cmd](args);
				process.send({ id, ok: true, value });
				if (cmd === 'close') process.disconnect();
			} catch (error) {
				process.send({ id, ok: false, error: error.message });
			}
		});
		process.on('disconnect', () => process.exit(0));
		process.send({ ready: true, url: endpoint.url, pid: process.pid });
	})().catch((error) => {
		console.error(error);
		process.exit(1);
	});
}

module.exports = { createEndpoint, recipientOf, peakInWindow };
