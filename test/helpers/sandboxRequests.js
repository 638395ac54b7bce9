/**
 * Requests the package's provider modules build, made to a running sandbox as the transport makes
 * them: each provider's sandbox credential pointing at it, its auth, and `call(name, request)`.
 */
const axios = require('axios').default;

const { SANDBOX_CREDENTIALS: CREDS, startSandbox } = require('../../sandbox/server');
const { toFormBody } = require('../../dist/nodes/shared/transport');

const api = axios.create({ validateStatus: () => true });

/** How each provider's credential authenticates (the transport's job in n8n). */
const AUTH = {
	twilio: { auth: { username: CREDS.twilio.accountSid, password: CREDS.twilio.authToken } },
	smooch: { auth: { username: CREDS.smooch.keyId, password: CREDS.smooch.secret } },
	gupshup: { headers: { apikey: CREDS.gupshup.apiKey } },
	meta: { headers: { authorization: `Bearer ${CREDS.meta.accessToken}` } },
};

/** Each provider's credential values with the sandbox at `url` as its host. */
function sandboxSettings(url) {
	return {
		twilio: { ...CREDS.twilio, baseUrl: url },
		smooch: { ...CREDS.smooch, region: 'custom', baseUrl: url },
		gupshup: { ...CREDS.gupshup, baseUrl: url },
		meta: { ...CREDS.meta, baseUrl: url },
	};
}

/** Makes a request a provider module built (a send, a list, a registration), with the provider's auth. */
async function call(name, request) {
	const isForm = request.encoding === 'form';
	const headers = { ...(AUTH[name].headers || {}), ...(isForm ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) };
	return await api.request({ method: request.method, url: request.url, data: isForm ? toFormBody(request.body) : request.body, auth: AUTH[name].auth, headers });
}

/**
 * A sandbox for the test file that calls this (started before its tests, reset before each, closed
 * after), and each provider's settings for it: `{ sandbox, settings }`, filled once it runs.
 */
function sandboxForTests() {
	const running = { sandbox: /** @type {any} */ (undefined), settings: /** @type {any} */ (undefined) };
	beforeAll(async () => {
		running.sandbox = await startSandbox({ port: 0 });
		running.settings = sandboxSettings(running.sandbox.url);
	});
	afterAll(async () => {
		await running.sandbox.close();
	});
	beforeEach(() => running.sandbox.reset());
	return running;
}

module.exports = { AUTH, api, call, sandboxForTests, sandboxSettings };
