/**
 * The one place that talks HTTP to a provider. It never retries a request the
 * provider may have processed (a timeout, a 5xx, a dropped connection): only a
 * 429 (or a provider's own code for it), which providers answer before doing
 * anything, is tried again. Those answers also set the pace of the sending.
 */

import {
	type ICredentialDataDecryptedObject,
	type IExecuteFunctions,
	type IHookFunctions,
	type ILoadOptionsFunctions,
	type IN8nHttpFullResponse,
	sleep,
} from 'n8n-workflow';

import { isPlainObject } from './json';
import { backoffMs, DEFAULT_BACKOFF, type BackoffPolicy, retryAfterMs } from './backoff';
import { paceKey, sharedPace } from './paceRegistry';
import type { RateGate } from './rateGate';
import type { Provider, RegistrationRequest, SendRequest } from './types';

/** The provider's HTTP answer. */
export interface ProviderAnswer {
	answered: true;
	statusCode: number;
	body: unknown;
	/** How many throttles (429s, or the provider's code for one) were waited out before this answer. */
	retries: number;
	/** The answer is still "too many requests" (a 429 or the provider's code for it): retries ran out. */
	throttled?: boolean;
	/** Where a redirect (3xx) pointed; redirects are never followed. */
	location?: string;
}

/** No HTTP answer (timeout, connection lost): the provider may or may not have acted on the request. */
export interface NoAnswer {
	answered: false;
	message: string;
	code: string | undefined;
}

export type ProviderResponse = ProviderAnswer | NoAnswer;

export interface SendPolicy {
	gate: RateGate;
	maxRetries: number;
	timeoutMs: number;
	backoff?: BackoffPolicy;
}

/** The longest Retry-After the node waits out. */
const MAX_RETRY_AFTER_MS = 60_000;

const NO_ANSWER: Record<string, string> = {
	ECONNREFUSED: 'the connection was refused',
	ECONNRESET: 'the connection was reset before an answer',
	ENOTFOUND: 'the host name was not found',
	EAI_AGAIN: 'the host name could not be resolved',
	EPIPE: 'the connection broke while sending',
};

// No code inside the text: n8n replaces any message naming one with its own generic wording.
function describeNoAnswer(code: string | undefined, timeoutMs: number): string {
	if (code === 'ECONNABORTED' || code === 'ETIMEDOUT') return `no answer within ${timeoutMs} ms`;
	return (code && NO_ANSWER[code]) || 'the request failed before an answer';
}

/** Form fields as providers read them: objects as JSON strings, arrays as repeated fields. */
export function toFormBody(fields: Record<string, unknown>): string {
	const form = new URLSearchParams();
	const asField = (value: unknown) =>
		typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
	for (const [key, value] of Object.entries(fields)) {
		if (value === undefined) continue;
		if (Array.isArray(value)) value.forEach((each) => form.append(key, asField(each)));
		else form.append(key, asField(value));
	}
	return form.toString();
}

/** A 429, or the provider's own code for one; never an answer that carries a message id. */
function isThrottle(provider: Provider, statusCode: number, body: unknown): boolean {
	if (statusCode === 429) return true;
	if (!provider.isThrottled?.(statusCode, body)) return false;
	// An answer with a message id was accepted, whatever else it says: it is never sent again.
	return statusCode >= 300 || provider.readMessageId(body) === undefined;
}

export async function sendToProvider(
	context: IExecuteFunctions,
	provider: Provider,
	credentials: ICredentialDataDecryptedObject,
	request: SendRequest,
	policy: SendPolicy,
): Promise<ProviderResponse> {
	const { credentialType } = provider;
	const isForm = request.encoding === 'form';
	// The pacing path, all here: the gate spaces starts by this execution's cap and the account's
	// learnt pace; each answer tells the pace whether the provider let the request through.
	const credential = context.getNode().credentials?.[credentialType];
	const pace = sharedPace(paceKey(credentialType, credential?.id ?? credential?.name ?? '', request.url));
	for (let attempt = 0; ; attempt++) {
		const startedAt = await policy.gate.acquire(pace);
		let response: IN8nHttpFullResponse;
		try {
			response = (await context.helpers.httpRequestWithAuthentication.call(
				context,
				credentialType,
				{
					method: request.method,
					url: request.url,
					body: isForm ? toFormBody(request.body) : request.body,
					headers: isForm ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {},
					json: true,
					timeout: policy.timeoutMs,
					returnFullResponse: true,
					ignoreHttpStatusErrors: true,
					// A redirect is answered, never followed: following one to another host would hand it
					// the credential (Authorization, apikey) and report its answer as the provider's.
					disableFollowRedirect: true,
					sendCredentialsOnCrossOriginRedirect: false,
				},
				// The node already holds the decrypted credential: no second decryption per request.
				{ credentialsDecrypted: { id: '', name: '', type: credentialType, data: credentials } },
			)) as IN8nHttpFullResponse;
		} catch (error) {
			// Only a code travels on: the error holds the request, auth headers included, and
			// n8n's own wording suggests Retry on Fail, which would resend the whole batch.
			// n8n's NodeApiError carries the network code (ECONNABORTED, ECONNREFUSED, …) as its httpCode.
			const failure = error as { httpCode?: string | null; code?: string; cause?: { code?: string } };
			const code = failure.httpCode ?? failure.cause?.code ?? failure.code ?? undefined;
			return { answered: false, message: describeNoAnswer(code, policy.timeoutMs), code };
		}
		const headers = isPlainObject(response.headers) ? response.headers : {};
		if (response.statusCode >= 300 && response.statusCode < 400) {
			const location = typeof headers.location === 'string' ? headers.location : undefined;
			return { answered: true, statusCode: response.statusCode, body: response.body, retries: attempt, location };
		}
		if (!isThrottle(provider, response.statusCode, response.body)) {
			pace.answered(startedAt, Date.now());
			return { answered: true, statusCode: response.statusCode, body: response.body, retries: attempt };
		}
		const throttled = { answered: true, statusCode: response.statusCode, body: response.body, retries: attempt, throttled: true } as const;
		const wait = retryAfterMs(headers['retry-after']) ?? backoffMs(attempt, policy.backoff ?? DEFAULT_BACKOFF);
		// A provider asking for minutes is down for now: report it rather than hold the whole batch.
		if (wait > MAX_RETRY_AFTER_MS) return throttled;
		// The send rate goes down (everyone waits too, while the limit is unknown or the lower rate
		// still collects throttles); this message waits as long as the provider asked.
		pace.throttled(startedAt, wait, Date.now());
		if (attempt >= policy.maxRetries) return throttled;
		await sleep(wait);
	}
}

/** What a provider answered to a read (a template list). */
export interface ReadAnswer {
	statusCode: number;
	body: unknown;
}

/**
 * One request through the credential, for reads such as a template list and for the trigger's
 * registration calls: never retried (a registration sent twice would register twice); redirects
 * are answered, never followed, for the same reason as sends.
 * Throws when no answer came (network error, timeout).
 */
export async function callProvider(
	context: Pick<IExecuteFunctions, 'helpers'> | Pick<ILoadOptionsFunctions, 'helpers'> | Pick<IHookFunctions, 'helpers'>,
	credentialType: string,
	request: RegistrationRequest,
	timeoutMs: number,
): Promise<ReadAnswer> {
	const isForm = request.encoding === 'form';
	const response = (await context.helpers.httpRequestWithAuthentication.call(context as IExecuteFunctions, credentialType, {
		method: request.method,
		url: request.url,
		...(request.body ? { body: isForm ? toFormBody(request.body) : request.body } : {}),
		headers: isForm ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {},
		json: true,
		timeout: timeoutMs,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		disableFollowRedirect: true,
	})) as IN8nHttpFullResponse;
	return { statusCode: response.statusCode, body: response.body };
}

/** A GET through the credential (a template list). */
export async function readFromProvider(
	context: Pick<IExecuteFunctions, 'helpers'> | Pick<ILoadOptionsFunctions, 'helpers'>,
	credentialType: string,
	url: string,
	timeoutMs: number,
): Promise<ReadAnswer> {
	return await callProvider(context, credentialType, { method: 'GET', url }, timeoutMs);
}
