'use strict';

/**
 * A local HTTP server on 127.0.0.1 that records every request it gets: a provider host that
 * misbehaves (answers slowly, redirects) or the host a redirect points to. Shared by the
 * tests, the attack suite and the e2e suites.
 */

const http = require('node:http');

/** Starts it; `answer(request, response, body)` replies. Resolves to { url, requests, close() }. */
function recordingServer(answer) {
	const requests = [];
	const server = http.createServer((request, response) => {
		let body = '';
		request.on('data', (chunk) => (body += chunk));
		request.on('end', () => {
			requests.push({ url: request.url, headers: request.headers, body });
			answer(request, response, body);
		});
	});
	return new Promise((resolve) =>
		server.listen(0, '127.0.0.1', () =>
			resolve({
				requests,
				url: `http://127.0.0.1:${/** @type {import('net').AddressInfo} */ (server.address()).port}`,
				close: () => new Promise((done) => server.close(done)),
			}),
		),
	);
}

module.exports = { recordingServer };
