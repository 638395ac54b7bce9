'use strict';

const path = require('path');

/**
 * One kit per provider: everything outside nodes/ knows about it, in ./<name>.js, named as in the
 * package's registry (built: npm run build), which says which providers there are. The sandbox,
 * the e2e, queue and attack suites, the benchmark and the test helpers find providers here only.
 *
 * The sandbox plays the provider with:
 *   name, routes [{ method, pattern, kind, handle }], tooManyRequests(retryAfterSeconds),
 *   callbacksFor(message), handshakeRequest?(url, verifyToken), inbound { event, businessNumber, routing,
 *   build(url, registration, message) } (a customer's message: the word targets' `accepts` takes, the number
 *   written to, what callbackTargets reads, the signed request), and for the providers' registration
 *   APIs callbackTargets?({ configured, registrations, message }) (where a message's callbacks go)
 * The suites read:
 *   credentialType                      the n8n credential type (from the package's Provider)
 *   sandboxCredential(baseUrl)          credential data pointing at the sandbox
 *   testCredential                      credential data for the offline tests (nock), callback secret included
 *   secretFields                        the credential fields no output, error or log may show
 *   apiHost                             where the package sends with testCredential
 *   callbackSecret                      the credential field callbacks are checked against
 *   callbackEncoding                    'json' or 'form': how the provider posts callbacks
 *   signCallback({ secret, url, fields, raw })  the { headers, query } a genuine callback carries
 *                                       (fields: the parsed body; raw: its bytes as sent)
 *   secretCarrier                       { header } or { query }: where that proof travels
 *   signsUrl                            true when the proof covers the URL called (Twilio)
 *   callbackUrl(url, credential)        the URL to give the provider (a token in it, if it takes one)
 *   statusWords                         callback word -> trigger output, for the callbacks that start an execution
 *   recipientSent(body), recipientAsSent(e164)   the recipient in a send's parsed body, and how it is spelled there
 *   sentText(body)                      the message text in a send's parsed body
 *   seenByConversation?                 for read receipts that name no message: { readOf(callbackBody) ->
 *                                       { conversationId, userId }, conversationOfDelivery(deliveredBody) }
 *   undeliverableCode, invalidError     the discard's code for TEST_NUMBERS.undeliverable; what a refusal says
 *   override { override, verify(body, record), says }   an override and _config case
 *   templateRef(template)               how the Template parameter names a sandbox template ({ value, mode })
 *   templateSettings?                   credential fields a template send needs besides the usual ones
 *   sentTemplate(body, { template, variables }), sentDocument(body, { url, fileName, caption })
 *                                       whether a send's parsed body is that template or document
 *   forgeries({ original, url, marker }) forged callbacks (each gets 401) and one genuine one
 *   hostileCallbacks({ url, json })     callers who are not the provider: [what, { url?, body, headers }]
 *   registeredUrls(registrations)       the callback URLs the sandbox holds registered for the provider
 *   registerByHand?(url)                the request ({ method, path, headers, body }) a user would make by hand
 *   oneRegistrationPerAccount?          true when the account holds one registered callback URL (Meta's number)
 *   normalizeBench                      format name -> the fixture (test/fixtures/<name>-callbacks.json) the
 *                                       benchmark normalizes for it
 *   loadCallback?(to, url, credential)  a delivered callback for the load tests ({ body, headers }), to a
 *                                       trigger at url (callbackUrl's) checked with credential
 */

/** The package's provider registry, built: the one list of providers. */
function registry() {
	const built = path.resolve(__dirname, '../../dist/nodes/providers');
	try {
		return require(built).PROVIDERS;
	} catch (error) {
		throw new Error(`the provider kits follow the built package's registry: run "npm run build" first (${error.message})`);
	}
}

let providers;

/**
 * Every provider's kit, by the registry's names. Read on first use, so requiring the sandbox
 * works before the package is built (npm run dev builds first).
 */
function sandboxProviders() {
	providers ??= Object.freeze(
		Object.fromEntries(
			Object.values(registry()).map(({ name, credentialType }) => [name, Object.freeze({ ...require(`./${name}`), credentialType })]),
		),
	);
	return providers;
}

/** The provider names, in the registry's order. */
const providerNames = () => Object.keys(sandboxProviders());

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

module.exports = { sandboxProviders, providerNames, findRoute };
