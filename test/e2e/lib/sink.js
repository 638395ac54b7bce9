'use strict';

/**
 * The "sink": a tiny HTTP server on 127.0.0.1 that records every POST it gets. The Status
 * Trigger workflows' HTTP Request nodes post each item here, so the test sees what n8n routed
 * to which output.
 */

const http = require('node:http');

const { waitFor } = require('./wait');

function startSink() {
	const events = [];
	const server = http.createServer((req, res) => {
		const chunks = [];
		req.on('data', (chunk) => chunks.push(chunk));
		req.on('end', () => {
			const text = Buffer.concat(chunks).toString('utf8');
			let body = text;
			try {
				body = JSON.parse(text);
			} catch {
				/* keep the text */
			}
			events.push({ method: req.method, path: req.url, headers: req.headers, body, raw: text, at: Date.now() });
			// A GET with Meta's challenge (a callback URL being verified) is echoed, as a live system would.
			const challenge = new URL(req.url, 'http://sink').searchParams.get('hub.challenge');
			if (req.method === 'GET' && challenge) {
				res.writeHead(200, { 'content-type': 'text/plain' });
				res.end(challenge);
				return;
			}
			res.writeHead(200, { 'content-type': 'application/json' });
			res.end('{"ok":true}');
		});
	});
	return new Promise((resolve, reject) => {
		server.once('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {import('net').AddressInfo} */ (server.address());
			resolve({
				url: `http://127.0.0.1:${port}`,
				port,
				events,
				/** The recorded bodies that match `predicate`. */
				find: (predicate) => events.map((event) => event.body).filter((body) => body && predicate(body)),
				/** Waits (bounded) for a recorded body matching `predicate`; resolves to it. */
				waitFor: (predicate, options = {}) =>
					waitFor(() => events.map((event) => event.body).find((body) => body && predicate(body)), {
						timeoutMs: 20000,
						...options,
						describe: () => `${events.length} event(s) at the sink`,
					}),
				close: () =>
					new Promise((done) => {
						server.close(() => done());
						server.closeAllConnections();
					}),
			});
		});
	});
}

module.exports = { startSink };
