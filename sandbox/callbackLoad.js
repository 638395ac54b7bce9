'use strict';

/**
 * The providers' delivery callbacks at volume, for the bench (bench/n8n-webhooks.js,
 * bench/n8n-queue.js) and the queue-mode test (test/e2e/queue.js): each kit that makes load
 * callbacks (sandbox/providers/<name>.js loadCallback), the test credential they are signed
 * with, the signed requests, and a closed loop of keep-alive clients that posts them.
 */

const http = require('http');
const { performance } = require('perf_hooks');

const { sandboxProviders } = require('./providers');

/** The providers of the load: those whose kit makes load callbacks (sandbox/providers/<name>.js loadCallback). */
const loadKits = () => Object.values(sandboxProviders()).filter((kit) => kit.loadCallback);

/** The credential each load target checks callbacks with: its kit's test credential (sends would go to the real host; none is made). */
const loadCredentials = () => loadKits().map((kit) => ({ name: `${kit.name} load`, type: kit.credentialType, data: { ...kit.testCredential, baseUrl: kit.apiHost } }));

/** `count` distinct delivered callbacks of `provider`, signed for `url` with `credential`: { headers, body }. Built before the clock starts. */
function requestsFor({ provider, credential }, url, count) {
	const kit = sandboxProviders()[provider];
	return Array.from({ length: count }, (_, index) => kit.loadCallback(`+4477${String(index).padStart(8, '0')}`, url, credential.data));
}

/** A closed loop: `concurrency` clients, each sending the next request when its answer is in. */
async function load(url, requests, concurrency) {
	const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
	const target = new URL(url);
	const latencies = [];
	const statuses = {};
	let next = 0;
	const one = (request) =>
		new Promise((resolve) => {
			const started = performance.now();
			const req = http.request(
				{
					host: target.hostname,
					port: target.port,
					method: 'POST',
					path: target.pathname + target.search,
					agent,
					headers: { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
				},
				(res) => {
					res.resume();
					res.on('end', () => {
						latencies.push(performance.now() - started);
						statuses[res.statusCode] = (statuses[res.statusCode] || 0) + 1;
						resolve();
					});
				},
			);
			req.on('error', (/** @type {NodeJS.ErrnoException} */ error) => {
				statuses[error.code || 'error'] = (statuses[error.code || 'error'] || 0) + 1;
				resolve();
			});
			req.end(request.body);
		});
	const started = performance.now();
	await Promise.all(
		Array.from({ length: concurrency }, async () => {
			while (next < requests.length) await one(requests[next++]);
		}),
	);
	const wallMs = performance.now() - started;
	agent.destroy();
	latencies.sort((a, b) => a - b);
	const pct = (p) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)];
	return { wallMs, statuses, p50Ms: pct(50), p95Ms: pct(95), p99Ms: pct(99), maxMs: latencies[latencies.length - 1] };
}

module.exports = { loadKits, loadCredentials, requestsFor, load };
