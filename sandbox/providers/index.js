'use strict';

const gupshup = require('./gupshup');
const smooch = require('./smooch');
const twilio = require('./twilio');

/** The providers the sandbox imitates, by the name the package uses. */
const PROVIDERS = { twilio, smooch, gupshup };

/** A path segment decoded; a malformed escape is kept as sent (it then fails the checks). */
function safeDecode(segment) {
	try {
		return decodeURIComponent(segment);
	} catch {
		return segment;
	}
}

/**
 * The provider route for a request. Returns { provider, route, params }, or
 * { methodNotAllowed: true } when the path exists for another method, or null.
 */
function findRoute(method, pathname) {
	let pathMatched = false;
	for (const provider of Object.values(PROVIDERS)) {
		for (const route of provider.routes) {
			const match = route.pattern.exec(pathname);
			if (!match) continue;
			if (route.method !== method) {
				pathMatched = true;
				continue;
			}
			return { provider, route, params: match.slice(1).map(safeDecode) };
		}
	}
	return pathMatched ? { methodNotAllowed: true } : null;
}

module.exports = { PROVIDERS, findRoute };
