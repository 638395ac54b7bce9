#!/usr/bin/env node
'use strict';

/**
 * The provider sandbox: a local HTTP server that answers the send APIs of every
 * provider in the package's registry (Twilio, Smooch, Gupshup, Meta) as the real
 * ones do, then calls the configured status webhooks the way each provider does.
 * Meta's GET verification of a callback URL is played by handshake(provider). A dev/test tool: point the n8n
 * credentials' Base URL at it. Node built-ins only.
 *
 *   const { startSandbox } = require('./sandbox/server');
 *   const sb = await startSandbox({ webhooks: { twilio: 'http://127.0.0.1:5678/webhook/…/status' } });
 *
 * CLI: node sandbox/server.js --help
 */

const http = require('http');
const { parseArgs } = require('util');

const { SANDBOX_CREDENTIALS, TEST_NUMBERS } = require('./constants');
const { CallbackQueue } = require('./lib/callbackQueue');
const { InboundError, checkInbound } = require('./lib/inbound');
const { toE164 } = require('./lib/ids');
const { BodyTooLargeError, checkWebhookUrl, getText, parseBody, postWebhook, readRawBody, sendJson } = require('./lib/http');
const { SlidingWindowLimiter } = require('./lib/rateLimit');
const { overview } = require('./lib/overview');
const { isPageAsset, sendPageAsset } = require('./lib/pageAssets');
const { findRoute, sandboxProviders } = require('./providers');

const HOST = '127.0.0.1';
const CONTROL_PREFIX = '/_sandbox/';

const DEFAULTS = Object.freeze({
	latencyMs: 0,
	rateLimitPerSecond: 0,
	retryAfterSeconds: 1,
	callbackDelayMs: 200,
	callbackRatePerSecond: 0,
	registrationOutageStatus: 0,
	log: false,
});

/** registrationOutageStatus: when not 0, every provider's registration API answers this HTTP status (a provider down). */
const NUMERIC_SETTINGS = ['latencyMs', 'rateLimitPerSecond', 'retryAfterSeconds', 'callbackDelayMs', 'callbackRatePerSecond', 'registrationOutageStatus'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Checks a configure() argument and merges it into `config`. Unknown keys are
 * refused so a typo does not pass silently. Webhooks merge per provider; null
 * or '' removes one (no more callbacks for that provider).
 */
function applySettings(config, settings) {
	if (typeof settings !== 'object' || settings === null || Array.isArray(settings)) {
		throw new Error('settings must be an object');
	}
	const next = { ...config, webhooks: { ...config.webhooks } };
	for (const [key, value] of Object.entries(settings)) {
		if (NUMERIC_SETTINGS.includes(key)) {
			if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
				throw new Error(`${key} must be a number ≥ 0`);
			}
			next[key] = value;
		} else if (key === 'log') {
			next.log = Boolean(value);
		} else if (key === 'webhooks') {
			Object.assign(next.webhooks, checkWebhooks(value));
		} else if (key === 'port') {
			throw new Error('port cannot change while the sandbox runs');
		} else {
			throw new Error(`unknown setting "${key}"; known: ${[...NUMERIC_SETTINGS, 'log', 'webhooks'].join(', ')}`);
		}
	}
	for (const [provider, url] of Object.entries(next.webhooks)) if (!url) delete next.webhooks[provider];
	return next;
}

function checkWebhooks(webhooks) {
	if (webhooks === null || webhooks === undefined) return {};
	if (typeof webhooks !== 'object' || Array.isArray(webhooks)) throw new Error('webhooks must be an object');
	const checked = {};
	for (const [provider, url] of Object.entries(webhooks)) {
		if (!sandboxProviders()[provider]) throw new Error(`unknown provider "${provider}" in webhooks`);
		checked[provider] = url ? checkWebhookUrl(String(url)) : null;
	}
	return checked;
}

class Sandbox {
	constructor(options) {
		this.config = applySettings({ ...DEFAULTS, webhooks: {} }, options);
		// Kept as the same arrays for the sandbox's life: reset() empties them in place.
		this.received = [];
		this.callbacks = [];
		// What status triggers registered through each provider's API (webhooks, subscriptions,
		// sinks, overrides), by provider name. Kept across reset(): active workflows made them.
		this.registrations = {};
		this.limiter = new SlidingWindowLimiter();
		this.queue = new CallbackQueue();
		this.queue.on('error-in-step', (error) => console.error('[sandbox] callback failed to build:', error));
		this.server = http.createServer((req, res) => {
			this.handle(req, res).catch((error) => this.fail(res, error));
		});
	}

	listen(port) {
		return new Promise((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(port, HOST, () => {
				this.server.off('error', reject);
				this.url = `http://${HOST}:${/** @type {import('net').AddressInfo} */ (this.server.address()).port}`;
				resolve();
			});
		});
	}

	configure(settings) {
		// Repeating the port it already listens on (a whole config sent back) is harmless.
		if (settings && typeof settings === 'object' && settings.port === /** @type {import('net').AddressInfo} */ (this.server.address()).port) {
			const { port, ...rest } = settings;
			settings = rest;
		}
		this.config = applySettings(this.config, settings);
		return this.publicConfig();
	}

	/** Forgets what was received and sent, drops pending callbacks and restarts the rate window. */
	reset() {
		this.queue.cancelAll();
		this.limiter.reset();
		this.received.length = 0;
		this.callbacks.length = 0;
	}

	idle() {
		return this.queue.idle();
	}

	close() {
		this.queue.cancelAll();
		return new Promise((resolve) => {
			this.server.close(() => resolve());
			// Keep-alive sockets would hold close() open until clients let go.
			this.server.closeAllConnections();
		});
	}

	/** What the sandbox page shows, secrets hidden (sandbox/lib/overview.js). */
	overview() {
		return overview(this, sandboxProviders());
	}

	publicConfig() {
		return { ...this.config, webhooks: { ...this.config.webhooks } };
	}

	log(line) {
		if (this.config.log) console.log(`[sandbox] ${line}`);
	}

	async handle(req, res) {
		const url = new URL(req.url, this.url);
		// The page's relative links need the folder's slash.
		if (url.pathname === CONTROL_PREFIX.slice(0, -1) && req.method === 'GET') {
			res.writeHead(301, { Location: CONTROL_PREFIX });
			res.end();
			return;
		}
		if (url.pathname.startsWith(CONTROL_PREFIX)) {
			await this.handleControl(req, res, url.pathname.slice(CONTROL_PREFIX.length));
			return;
		}
		const found = findRoute(req.method, url.pathname);
		if (!found || found.methodNotAllowed !== false) {
			const status = found ? 405 : 404;
			this.log(`${req.method} ${req.url} → ${status}`);
			sendJson(res, status, { error: status === 404 ? 'not_found' : 'method_not_allowed', path: url.pathname });
			return;
		}
		const rawBody = await readRawBody(req);
		if (found.route.kind === 'register' && this.config.registrationOutageStatus) {
			const status = this.config.registrationOutageStatus;
			const message = `Service Unavailable (sandbox: registration outage, HTTP ${status})`;
			// A body each provider's error reader finds its words in.
			this.answer(req, res, found.provider, { status, body: { status: 'error', code: status, message, error: { code: status, message, description: message } } });
			return;
		}
		if (found.route.kind === 'send') await this.handleSend(req, res, found, rawBody);
		else this.answer(req, res, found.provider, await found.route.handle(this.requestFor(req, url, found, rawBody)));
	}

	/**
	 * What a non-send route reads: registration routes get the provider's registrations to change,
	 * and `challenge(url, verifyToken)` for a provider that checks a URL while registering it (Meta).
	 */
	requestFor(req, url, { provider, params }, rawBody) {
		return {
			params,
			headers: req.headers,
			query: Object.fromEntries(url.searchParams),
			body: parseBody(rawBody, req.headers['content-type']),
			registrations: this.registrationsOf(provider.name),
			// The URL set by hand (in the provider's console): Meta's app callback URL, say.
			configured: this.config.webhooks[provider.name],
			challenge: async (target, verifyToken) => {
				const request = provider.handshakeRequest(target, verifyToken);
				const answer = await getText(request.url);
				this.log(`handshake ${provider.name} → ${target} ${answer.httpStatus ?? answer.error}`);
				return { ...answer, ok: answer.httpStatus === 200 && answer.body === request.challenge };
			},
		};
	}

	registrationsOf(providerName) {
		this.registrations[providerName] ??= [];
		return this.registrations[providerName];
	}

	/**
	 * A send: rate limit, latency, the provider's answer, the record, then the callbacks.
	 * @param {import('http').IncomingMessage} req
	 * @param {import('http').ServerResponse} res
	 * @param {{ provider: any, route: any, params: string[] }} found
	 * @param {Buffer} rawBody
	 */
	async handleSend(req, res, { provider, route, params }, rawBody) {
		const arrivedAt = Date.now();
		// The window counts arrivals, so it is checked before the latency delay.
		const admitted = this.limiter.admit(provider.name, this.config.rateLimitPerSecond, arrivedAt);
		const body = parseBody(rawBody, req.headers['content-type']);
		if (this.config.latencyMs > 0) await sleep(this.config.latencyMs);

		const { retryAfterSeconds } = this.config;
		const result = admitted
			? route.handle({ params, headers: req.headers, body, rawBody, retryAfterSeconds })
			: provider.tooManyRequests(retryAfterSeconds);

		this.received.push({
			provider: provider.name,
			method: req.method,
			path: req.url,
			headers: { ...req.headers },
			body: body === undefined ? null : body,
			rawBody,
			status: result.status,
			response: result.body,
			messageId: result.messageId || null,
			// The reply buttons the message carries, `{ id, title }` as the customer would tap them.
			buttons: result.buttons?.length ? result.buttons : null,
			at: new Date(arrivedAt).toISOString(),
		});
		// Queued before answering, so idle() already waits for them when the client has its response.
		if (result.message) this.scheduleCallbacks(provider, result.message);
		this.answer(req, res, provider, result);
	}

	answer(req, res, provider, result) {
		this.log(`${req.method} ${req.url} → ${result.status} ${provider.name}${result.messageId ? ` ${result.messageId}` : ''}`);
		sendJson(res, result.status, result.body, result.headers);
	}

	/**
	 * Where a message's callbacks go: the configured webhook URL, and what was registered through
	 * the provider's API (the provider decides, e.g. Meta's phone-number override outranks the
	 * app's URL). Read now: a later configure() or registration does not redirect callbacks already due.
	 */
	callbackTargets(provider, message) {
		const configured = this.config.webhooks[provider.name];
		if (provider.callbackTargets) return provider.callbackTargets({ configured, registrations: this.registrationsOf(provider.name), message });
		return configured ? [{ url: configured }] : [];
	}

	scheduleCallbacks(provider, message) {
		const targets = this.callbackTargets(provider, message);
		if (targets.length === 0) return;
		const steps = provider.callbacksFor(message).map((callback) => async (isCurrent) => {
			for (const target of targets) {
				// A registration receives only the events it subscribed to.
				if (!target.accepts || target.accepts(callback.status)) await this.deliver(provider, target, callback, isCurrent);
			}
		});
		this.queue.enqueue(steps, this.config.callbackDelayMs, this.config.callbackRatePerSecond);
	}

	async deliver(provider, { url, registration }, callback, isCurrent) {
		const request = callback.build(url, registration);
		// Some providers call the URL with something added (Twilio Event Streams' bodySHA256).
		const calledUrl = request.url ?? url;
		const started = performance.now();
		const outcome = await postWebhook(calledUrl, request);
		const answerMs = Math.round(performance.now() - started);
		this.log(`callback ${provider.name} ${callback.status} ${callback.messageId} → ${calledUrl} ${outcome.httpStatus ?? outcome.error}`);
		if (!isCurrent()) return;
		this.callbacks.push({
			provider: provider.name,
			url,
			registered: Boolean(registration),
			status: callback.status,
			messageId: callback.messageId,
			httpStatus: outcome.httpStatus,
			error: outcome.error,
			// How long the webhook took to answer (or to fail): providers give up after a few seconds.
			answerMs,
			body: request.payload,
			at: new Date().toISOString(),
		});
	}

	/**
	 * The callbacks a customer's message makes, one per URL that takes the provider's customer
	 * messages, built and signed but not sent (playInbound sends them; a test may send one twice).
	 */
	inboundRequests(input) {
		const provider = sandboxProviders()[input?.provider];
		if (!provider) throw new InboundError(`provider must be one of ${Object.keys(sandboxProviders()).join(', ')}`);
		const message = { ...checkInbound(this.withButtonByTitle(provider, input), provider.inbound.businessNumber), provider: provider.name };
		const targets = this.callbackTargets(provider, provider.inbound.routing).filter(
			(target) => !target.accepts || target.accepts(provider.inbound.event),
		);
		return targets.map((target) => ({ provider, target, message, request: provider.inbound.build(target.url, target.registration, message) }));
	}

	/**
	 * A tap given by the button's title alone (`"button": { "title": "Confirm" }`): the button of that
	 * title on the latest message with buttons sent to the customer, id and all, as their phone has it.
	 */
	withButtonByTitle(provider, input) {
		const { button } = input;
		if (!button || typeof button !== 'object' || button.id !== undefined || typeof button.title !== 'string') return input;
		const from = toE164(String(input.from ?? ''));
		const sent = this.received.filter((record) => record.provider === provider.name && record.buttons && provider.recipientSent(record.body) === provider.recipientAsSent(from)).at(-1);
		const found = sent?.buttons.find((each) => each.title === button.title);
		if (!found) throw new InboundError(`no message with a ${JSON.stringify(button.title)} button was sent to ${input.from} through ${provider.name}`);
		return { ...input, button: found };
	}

	/**
	 * Plays a customer's message (a text, a button tap, a file) to the provider: its documented
	 * inbound callback, signed as it signs, to each URL that takes the provider's customer messages
	 * (the configured webhook, what was registered for them). Resolves { delivered: [{ url, status }] }.
	 */
	async playInbound(input) {
		const delivered = [];
		for (const { provider, target, message, request } of this.inboundRequests(input)) {
			const calledUrl = request.url ?? target.url;
			const outcome = await postWebhook(calledUrl, request);
			this.log(`inbound ${provider.name} ${message.from} → ${calledUrl} ${outcome.httpStatus ?? outcome.error}`);
			this.callbacks.push({
				provider: provider.name,
				url: target.url,
				registered: Boolean(target.registration),
				status: 'inbound',
				messageId: request.messageId,
				// The sent message it answers, if any: the page shows the reply under it.
				replyTo: message.replyTo ?? null,
				httpStatus: outcome.httpStatus,
				error: outcome.error,
				body: request.payload,
				at: new Date().toISOString(),
			});
			delivered.push({ url: target.url, status: outcome.httpStatus, ...(outcome.error ? { error: outcome.error } : {}) });
		}
		return { delivered };
	}

	/**
	 * Verifies the provider's configured webhook URL the way the provider does before it sends
	 * anything there (Meta: a GET with hub.challenge that must come back as the body).
	 * Resolves { ok, httpStatus, body, challenge, url }; never rejects.
	 */
	/**
	 * @param {string} providerName
	 * @param {{ verifyToken?: string }} [options]
	 */
	async handshake(providerName, { verifyToken } = {}) {
		const provider = sandboxProviders()[providerName];
		if (!provider) throw new Error(`unknown provider "${providerName}"`);
		if (!provider.handshakeRequest) throw new Error(`${providerName} makes no handshake`);
		const url = this.config.webhooks[providerName];
		if (!url) throw new Error(`no webhook configured for ${providerName}`);
		const request = provider.handshakeRequest(url, verifyToken);
		const answer = await getText(request.url);
		const ok = answer.httpStatus === 200 && answer.body === request.challenge;
		this.log(`handshake ${providerName} → ${url} ${answer.httpStatus ?? answer.error}${ok ? ' (challenge echoed)' : ''}`);
		return { ok, httpStatus: answer.httpStatus, body: answer.body, error: answer.error, challenge: request.challenge, url };
	}

	/** The control endpoints, for tests and tools in other processes, and the page at /_sandbox/. */
	async handleControl(req, res, action) {
		const route = `${req.method} ${action}`;
		if (req.method === 'GET' && isPageAsset(action)) return sendPageAsset(res, action);
		if (route === 'GET overview') return sendJson(res, 200, this.overview());
		if (route === 'GET received') return sendJson(res, 200, this.received);
		if (route === 'GET callbacks') return sendJson(res, 200, this.callbacks);
		if (route === 'GET config') return sendJson(res, 200, this.publicConfig());
		if (route === 'GET registrations') return sendJson(res, 200, this.registrations);
		if (route === 'GET idle') {
			await this.idle();
			return sendJson(res, 200, { idle: true });
		}
		if (route === 'POST reset') {
			this.reset();
			return sendJson(res, 200, { reset: true });
		}
		if (req.method === 'POST' && action.startsWith('handshake/')) {
			try {
				return sendJson(res, 200, await this.handshake(action.slice('handshake/'.length)));
			} catch (error) {
				return sendJson(res, 400, { error: error.message });
			}
		}
		if (route === 'POST inbound') {
			try {
				return sendJson(res, 200, await this.playInbound(parseBody(await readRawBody(req), 'application/json')));
			} catch (error) {
				if (error instanceof InboundError) return sendJson(res, 400, { error: error.message });
				throw error;
			}
		}
		if (route === 'POST config') {
			const settings = parseBody(await readRawBody(req), 'application/json');
			try {
				return sendJson(res, 200, this.configure(settings));
			} catch (error) {
				return sendJson(res, 400, { error: error.message });
			}
		}
		return sendJson(res, 404, { error: 'not_found', path: `${CONTROL_PREFIX}${action}` });
	}

	fail(res, error) {
		if (error instanceof BodyTooLargeError) {
			if (!res.headersSent) sendJson(res, 413, { error: 'payload_too_large', message: error.message });
			return;
		}
		console.error('[sandbox] request failed:', error);
		if (!res.headersSent) sendJson(res, 500, { error: 'sandbox_error', message: error.message });
		else res.destroy();
	}
}

/**
 * Starts a sandbox on 127.0.0.1. Options: port (0 = a free one), latencyMs,
 * rateLimitPerSecond, retryAfterSeconds, webhooks {<provider>: url}, one per registry provider,
 * callbackDelayMs, callbackRatePerSecond, log. See sandbox/README.md.
 */
async function startSandbox(options = {}) {
	const { port = 0, ...settings } = options;
	const sandbox = new Sandbox(settings);
	await sandbox.listen(port);
	return {
		url: sandbox.url,
		/** The page that shows registrations, sends, callbacks, and plays a customer's reply. */
		pageUrl: `${sandbox.url}${CONTROL_PREFIX}`,
		received: sandbox.received,
		callbacks: sandbox.callbacks,
		/** What status triggers registered, by provider (live: the same object as the sandbox changes it). */
		registrations: sandbox.registrations,
		configure: (next) => sandbox.configure(next),
		config: () => sandbox.publicConfig(),
		/** What the page shows (GET /_sandbox/overview): registrations, the newest sends and callbacks, secrets hidden. */
		overview: () => sandbox.overview(),
		reset: () => sandbox.reset(),
		idle: () => sandbox.idle(),
		handshake: (provider, options) => sandbox.handshake(provider, options),
		/** A customer's message to the provider's inbound URLs (as POST /_sandbox/inbound). */
		inbound: (message) => sandbox.playInbound(message),
		/** The same callbacks, built and signed but not sent: [{ url, request }] for postWebhook (a replay, in a test). */
		inboundRequests: (message) => sandbox.inboundRequests(message).map(({ target, request }) => ({ url: request.url ?? target.url, request })),
		close: () => sandbox.close(),
	};
}

/** The CLI's help; a function, since it lists the registry's providers (read only when needed). */
const usage = () => `Usage: node sandbox/server.js [options]
  --port N              port on 127.0.0.1 (default 5679; 0 = any free port)
  --latency MS          delay before answering each send (default 0)
  --rate-limit N        sends per provider per second before 429 (default 0 = no limit)
  --retry-after S       Retry-After seconds on 429 (default 1)
  --callback-delay MS   gap between one message's callbacks (default 200)
  --callback-rate N     callbacks starting per second, all messages together (default 0 = no limit)
  --<provider>-webhook URL  where that provider's status callbacks go, for ${Object.keys(sandboxProviders()).join(', ')}
                        (Gupshup: put ?token=… in it; Meta: the URL is verified with a GET first)
  --log                 print one line per request and callback`;

function numberOption(values, name, fallback) {
	if (values[name] === undefined) return fallback;
	const value = Number(values[name]);
	if (!Number.isFinite(value) || value < 0) throw new Error(`--${name} needs a number ≥ 0`);
	return value;
}

function optionsFromArgs(args) {
	/** @type {{ type: 'string' }} */
	const text = { type: 'string' };
	const { values } = parseArgs({
		args,
		options: {
			port: text,
			latency: text,
			'rate-limit': text,
			'retry-after': text,
			'callback-delay': text,
			'callback-rate': text,
			...Object.fromEntries(Object.keys(sandboxProviders()).map((provider) => [`${provider}-webhook`, text])),
			log: { type: 'boolean' },
			help: { type: 'boolean', short: 'h' },
		},
	});
	if (values.help) return null;
	return {
		port: numberOption(values, 'port', 5679),
		latencyMs: numberOption(values, 'latency', DEFAULTS.latencyMs),
		rateLimitPerSecond: numberOption(values, 'rate-limit', DEFAULTS.rateLimitPerSecond),
		retryAfterSeconds: numberOption(values, 'retry-after', DEFAULTS.retryAfterSeconds),
		callbackDelayMs: numberOption(values, 'callback-delay', DEFAULTS.callbackDelayMs),
		callbackRatePerSecond: numberOption(values, 'callback-rate', DEFAULTS.callbackRatePerSecond),
		webhooks: Object.fromEntries(Object.keys(sandboxProviders()).map((provider) => [provider, values[`${provider}-webhook`]])),
		log: Boolean(values.log),
	};
}

async function main(args) {
	let options;
	try {
		options = optionsFromArgs(args);
	} catch (error) {
		console.error(`${error.message}\n\n${usage()}`);
		process.exit(2);
	}
	if (!options) {
		console.log(usage());
		return;
	}
	const sandbox = await startSandbox(options);
	console.log(`WhatsApp provider sandbox listening on ${sandbox.url}`);
	console.log(`What it received and sent, and a customer's reply to play: ${sandbox.pageUrl}`);
	console.log(`Use it as the Base URL (Smooch: region "Custom Host") of the n8n credentials below.`);
	console.log(`Credentials: ${JSON.stringify(SANDBOX_CREDENTIALS, null, 2)}`);
	console.log(`Test numbers: ${JSON.stringify(TEST_NUMBERS, null, 2)}`);
	console.log(`Webhooks: ${JSON.stringify(sandbox.config().webhooks)}`);
	for (const provider of Object.keys(sandbox.config().webhooks)) {
		if (!sandboxProviders()[provider].handshakeRequest) continue;
		const result = await sandbox.handshake(provider);
		console.log(`${provider} handshake with ${result.url}: ${result.ok ? 'verified' : `failed (HTTP ${result.httpStatus ?? result.error})`}`);
	}
	const stop = async (signal) => {
		console.log(`${signal}: closing the sandbox`);
		await sandbox.close();
		process.exit(0);
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

if (require.main === module) {
	main(process.argv.slice(2)).catch((error) => {
		console.error(error.message);
		process.exit(1);
	});
}

module.exports = { startSandbox, SANDBOX_CREDENTIALS, TEST_NUMBERS };
