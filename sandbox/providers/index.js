'use strict';

const path = require('path');

/** The package's provider registry, built (npm run build): the sandbox plays every provider it lists. */
function registryNames() {
	const built = path.resolve(__dirname, '../../dist/nodes/providers');
	try {
		return Object.keys(require(built).PROVIDERS);
	} catch (error) {
		throw new Error(`the sandbox reads the provider list from the built package: run "npm run build" first (${error.message})`);
	}
}

let providers;

/**
 * The providers the sandbox imitates, by the registry's names; each is ./<name>.js. Read on
 * first use, so requiring the sandbox works before the package is built (npm run dev builds first).
 */
function sandboxProviders() {
	providers ??= Object.freeze(Object.fromEntries(registryNames().map((name) => [name, require(`./${name}`)])));
	return providers;
}

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
 * @returns {{ provider: any, route: any, params: string[], methodNotAllowed: false } | { methodNotAllowed: true } | null}
 */
function findRoute(method, pathname) {
	let pathMatched = false;
	for (const provider of Object.values(sandboxProviders())) {
		for (const route of provider.routes) {
			const match = route.pattern.exec(pathname);
			if (!match) continue;
			if (route.method !== method) {
				pathMatched = true;
				continue;
			}
			return { provider, route, params: match.slice(1).map(safeDecode), methodNotAllowed: false };
		}
	}
	return pathMatched ? { methodNotAllowed: true } : null;
}

module.exports = { sandboxProviders, findRoute };
