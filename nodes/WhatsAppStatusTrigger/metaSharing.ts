/**
 * Meta's phone-number override takes every `messages` webhook of the number (customer messages
 * too) from whatever URL had them: the number's own override, the WABA's, or the app's callback
 * URL (Meta's "Webhook overrides": number, then WABA, then app). Before setting it, the trigger
 * reads where the number's events go now; by default it shares them: every callback it receives
 * for the number goes on, unchanged (the raw body and X-Hub-Signature-256, which stays valid at
 * the other URL because the App Secret is the same), to the URL it displaced. Deactivation puts a
 * displaced number override back (an app or WABA URL takes over again by itself).
 */

import { type IHookFunctions, type IWebhookFunctions, sleep } from 'n8n-workflow';

import type { DisplacedCallback, RegisteredCallback, RegistrationLookup } from '../shared/types';
import { type RegistrationContext, fail, unreachableReason, whyUnreachable, words } from './registrationCalls';

/** The option's name; on by default. */
export const FORWARD_PARAMETER = 'forwardNumberEvents';

/** Meta's order: the number's override outranks the WABA's, which outranks the app's URL. */
const LEVELS: DisplacedCallback['level'][] = ['phone_number', 'whatsapp_business_account', 'application'];

/** A path that looks like one of these triggers' URLs (`…/<id>/status`). */
const TRIGGER_PATH = /\/[^/]+\/status\/?$/;

/**
 * Where the number's events go now, when that is not this trigger: the URL the override will
 * displace. Refuses when another trigger of this n8n holds the number (it would be taken from it
 * without a word). A URL Meta may not be forwarded to is not kept, and is said in the log.
 */
export function displacedRoute(
	context: IHookFunctions,
	registering: RegistrationContext,
	lookup: RegistrationLookup,
	url: string,
	registered: RegisteredCallback | undefined,
): DisplacedCallback | undefined {
	const routes = lookup.routes ?? {};
	const holder = routes.phone_number;
	// This trigger's own earlier override (an old WEBHOOK_URL): what it displaced still is.
	if (holder && (holder === url || holder === registered?.url)) return registered?.displaced;
	if (holder && new URL(holder).origin === new URL(url).origin && TRIGGER_PATH.test(new URL(holder).pathname)) {
		const { deactivate } = words();
		throw fail(
			context,
			`Another trigger in this n8n holds this number’s callback URL (${holder}): ${deactivate} it (or stop its test listening) first, then try again.`,
		);
	}
	const level = LEVELS.find((each) => routes[each] && routes[each] !== url);
	if (!level) return undefined;
	const displaced = { url: routes[level] as string, level };
	const reason = whyUnreachable(registering, displaced.url, true);
	if (reason) {
		context.logger.warn(`WhatsApp Status Trigger: the number’s events went to ${displaced.url}, which is ${reason}: they are not forwarded there.`);
		return undefined;
	}
	return displaced;
}

/**
 * Checked again at each forward, whatever static data says: https, or a local URL only while the
 * credential's API is itself local (the sandbox, a local proxy), as registration checks it.
 */
function mayForwardTo(url: string, apiBaseUrl: string | undefined): boolean {
	let target: URL;
	try {
		target = new URL(url);
	} catch {
		return false;
	}
	const apiIsLocal = apiBaseUrl !== undefined && URL.canParse(apiBaseUrl) && unreachableReason(new URL(apiBaseUrl).hostname) !== undefined;
	if (apiIsLocal) return target.protocol === 'https:' || target.protocol === 'http:';
	return target.protocol === 'https:' && unreachableReason(target.hostname) === undefined;
}

const FORWARD_ATTEMPTS = 3;
const FORWARD_TIMEOUT_MS = 10_000;
const FORWARD_BACKOFF_MS = [1_000, 4_000];

/** Forwards still running, for tests that wait for them. */
const running = new Set<Promise<void>>();

export async function forwardsSettled(): Promise<void> {
	await Promise.all([...running]);
}

/**
 * Sends a verified callback on, unchanged, to the displaced URL; a failure is retried briefly and
 * logged with the URL and the answer. Not awaited: Meta is answered at once, 200, whatever the
 * other URL does (a non-2xx would make Meta resend the statuses too, for days).
 */
export function forwardToDisplaced(context: IWebhookFunctions, displaced: DisplacedCallback, apiBaseUrl: string | undefined): void {
	const request = context.getRequestObject();
	const raw = request.rawBody;
	if (raw === undefined || !mayForwardTo(displaced.url, apiBaseUrl)) return;
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	for (const name of ['x-hub-signature-256', 'x-hub-signature', 'user-agent']) {
		const value = request.headers[name];
		if (typeof value === 'string') headers[name] = value;
	}
	const forward = (async () => {
		let last = '';
		for (let attempt = 1; attempt <= FORWARD_ATTEMPTS; attempt++) {
			try {
				// Plain httpRequest: the other system gets Meta's body and signature, never this credential.
				const answer = (await context.helpers.httpRequest({
					method: 'POST',
					url: displaced.url,
					body: raw,
					headers,
					timeout: FORWARD_TIMEOUT_MS,
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					disableFollowRedirect: true,
				})) as { statusCode: number; body: unknown };
				if (answer.statusCode >= 200 && answer.statusCode < 300) return;
				last = `HTTP ${answer.statusCode} ${String(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body ?? '')).slice(0, 200)}`;
			} catch (error) {
				const code = (error as { cause?: { code?: string }; code?: string }).cause?.code ?? (error as { code?: string }).code;
				last = `no answer (${code ?? 'failed'})`;
			}
			if (attempt < FORWARD_ATTEMPTS) await sleep(FORWARD_BACKOFF_MS[attempt - 1]);
		}
		context.logger.warn(`WhatsApp Status Trigger: forwarding a Meta callback to ${displaced.url} failed ${FORWARD_ATTEMPTS} times; last answer: ${last}`);
	})();
	running.add(forward);
	void forward.finally(() => running.delete(forward));
}
