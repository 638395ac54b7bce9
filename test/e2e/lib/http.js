'use strict';

/**
 * POST from a test: a JSON body (default) or a raw one (`json: false`, for forms and for bytes
 * that must stay exactly as signed). Resolves to { status, body (parsed JSON, else the text), text }.
 * @param {string} url
 * @param {{ body?: any, headers?: Record<string, string>, json?: boolean, timeoutMs?: number }} [options]
 */
async function httpPost(url, { body, headers = {}, json = true, timeoutMs = 60000 } = {}) {
	const response = await fetch(url, {
		method: 'POST',
		headers: json ? { 'content-type': 'application/json', ...headers } : headers,
		body: json ? JSON.stringify(body) : body,
		signal: AbortSignal.timeout(timeoutMs),
	});
	const text = await response.text();
	/** @type {any} JSON as the caller expects it, or the text */
	let parsed = text;
	try {
		parsed = JSON.parse(text);
	} catch {
		/* not JSON */
	}
	return { status: response.status, body: parsed, text };
}

module.exports = { httpPost };
