'use strict';

/** Small HTTP helpers over Node's http module: reading requests, answering, calling webhooks. */

const http = require('http');

/** Larger bodies are refused: nothing the sandbox serves needs more. */
const MAX_BODY_BYTES = 1024 * 1024;

/** How long a webhook may take to answer before the callback is recorded as failed. */
const WEBHOOK_TIMEOUT_MS = 10_000;

class BodyTooLargeError extends Error {}

function readRawBody(req) {
	return new Promise((resolve, reject) => {
		const chunks = [];
		let size = 0;
		req.on('data', (chunk) => {
			size += chunk.length;
			if (size > MAX_BODY_BYTES) {
				reject(new BodyTooLargeError(`body larger than ${MAX_BODY_BYTES} bytes`));
				req.destroy();
				return;
			}
			chunks.push(chunk);
		});
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf-8')));
		req.on('error', reject);
	});
}

/** Form fields as an object; a key that repeats (Twilio's MediaUrl) becomes an array. */
function parseForm(text) {
	const fields = {};
	for (const [key, value] of new URLSearchParams(text)) {
		if (!(key in fields)) fields[key] = value;
		else if (Array.isArray(fields[key])) fields[key].push(value);
		else fields[key] = [fields[key], value];
	}
	return fields;
}

/**
 * The body as the provider would read it: JSON or a form, by Content-Type.
 * Returns undefined for JSON that does not parse, so the provider can answer 400.
 */
function parseBody(rawBody, contentType) {
	const type = String(contentType || '').toLowerCase();
	if (type.includes('application/json')) {
		if (rawBody.trim() === '') return undefined;
		try {
			return JSON.parse(rawBody);
		} catch {
			return undefined;
		}
	}
	// Providers' form endpoints also get forms sent without a Content-Type.
	return parseForm(rawBody);
}

/** user:password from a Basic Authorization header, or null. */
function basicAuth(headers) {
	const match = /^Basic\s+(\S+)$/i.exec(headers.authorization || '');
	if (!match) return null;
	const decoded = Buffer.from(match[1], 'base64').toString('utf-8');
	const colon = decoded.indexOf(':');
	if (colon < 0) return null;
	return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

function sendJson(res, status, body, headers = {}) {
	// No body at all (Twilio's 204 to a DELETE).
	if (body === undefined) {
		res.writeHead(status, headers);
		res.end();
		return;
	}
	const text = JSON.stringify(body);
	res.writeHead(status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': Buffer.byteLength(text),
		...headers,
	});
	res.end(text);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/**
 * Webhook URLs must be plain http on this machine: the sandbox is a local tool,
 * and this keeps it from ever calling a real endpoint by mistake.
 */
function checkWebhookUrl(url) {
	let parsed;
	try {
		parsed = new URL(url);
	} catch {
		throw new Error(`webhook URL ${JSON.stringify(url)} is not a URL`);
	}
	if (parsed.protocol !== 'http:') throw new Error(`webhook URL ${url} must use http:`);
	const host = parsed.hostname.toLowerCase();
	if (!LOOPBACK_HOSTS.has(host) && !/^127(\.\d{1,3}){3}$/.test(host)) {
		throw new Error(`webhook URL ${url} must point to this machine (localhost, 127.x.x.x or [::1])`);
	}
	return url;
}

/**
 * POSTs one callback. Resolves with the status the webhook answered, or with
 * an error message when there was no answer; it never rejects.
 */
function postWebhook(url, { headers, body }) {
	return new Promise((resolve) => {
		const payload = Buffer.from(body, 'utf-8');
		let settled = false;
		const finish = (result) => {
			if (!settled) {
				settled = true;
				resolve(result);
			}
		};
		let request;
		try {
			request = http.request(url, {
				method: 'POST',
				headers: { ...headers, 'Content-Length': payload.length },
				timeout: WEBHOOK_TIMEOUT_MS,
			});
		} catch (error) {
			finish({ httpStatus: null, error: error.message });
			return;
		}
		request.on('response', (response) => {
			// Drain the answer so the socket is freed; only the status matters.
			response.resume();
			response.on('end', () => finish({ httpStatus: response.statusCode, error: null }));
			response.on('error', () => finish({ httpStatus: response.statusCode, error: null }));
		});
		request.on('timeout', () => request.destroy(new Error(`no answer within ${WEBHOOK_TIMEOUT_MS} ms`)));
		request.on('error', (error) => finish({ httpStatus: null, error: error.message }));
		request.end(payload);
	});
}

/** GETs a URL on this machine and reads the answer as text; resolves { httpStatus, body, error }, never rejects. */
async function getText(url) {
	checkWebhookUrl(url);
	try {
		const response = await fetch(url, { signal: AbortSignal.timeout(WEBHOOK_TIMEOUT_MS) });
		return { httpStatus: response.status, body: await response.text(), error: null };
	} catch (error) {
		return { httpStatus: null, body: null, error: error.message };
	}
}

module.exports = {
	BodyTooLargeError,
	getText,
	basicAuth,
	checkWebhookUrl,
	parseBody,
	postWebhook,
	readRawBody,
	sendJson,
};
