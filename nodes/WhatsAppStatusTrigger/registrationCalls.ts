/**
 * The registration's requests to the provider and the errors they end in. n8n's editor shows
 * only an error's message (the "Workflow could not be published" toast), never its description:
 * every message here holds, in a sentence or two, what happened (the provider's own words and
 * code, or the host that did not answer and why) and then what to do.
 */

import * as n8nWorkflow from 'n8n-workflow';
import { type IHookFunctions, NodeOperationError } from 'n8n-workflow';

import { callProvider } from '../shared/transport';
import type { CallbackRegistration, Provider, ProviderSettings, RegistrationRequest } from '../shared/types';

const REGISTRATION_TIMEOUT_MS = 30_000;

export interface RegistrationContext {
	provider: Provider;
	registration: CallbackRegistration;
	settings: ProviderSettings;
}

export interface Words {
	activate: string;
	deactivate: string;
}

/**
 * The editor's words for (de)activating a workflow: n8n 2 says Publish and Unpublish, n8n 1
 * Activate and Deactivate. n8n-workflow follows n8n's major; it gained the workflow checksum
 * with n8n 2's published versions, so its presence tells the two apart without reading files.
 */
export function words(): Words {
	return 'calculateWorkflowChecksum' in n8nWorkflow
		? { activate: 'publish', deactivate: 'unpublish' }
		: { activate: 'activate', deactivate: 'deactivate' };
}

export function fail(context: IHookFunctions, message: string): NodeOperationError {
	const error = new NodeOperationError(context.getNode(), message);
	// Set again: n8n swaps a message that names ECONNREFUSED (…) for its own words, without the host.
	error.message = message;
	return error;
}

/**
 * The network error's code (ECONNREFUSED, ETIMEDOUT …) and nothing else: the error holds the
 * request, with its auth headers. n8n's NodeApiError keeps it as httpCode; a plain error as code.
 */
function networkCode(error: unknown): string | undefined {
	const { code, httpCode, cause, messages } = error as { code?: unknown; httpCode?: unknown; cause?: { code?: unknown }; messages?: unknown };
	const named = [httpCode, cause?.code, code].find((each): each is string => typeof each === 'string' && /^E[A-Z0-9_]{2,40}$/.test(each));
	// n8n's NodeApiError keeps the network error's own text ("read ECONNRESET") among its messages.
	const said = Array.isArray(messages) ? messages.map((each) => /\b(E[A-Z]{4,20})\b/.exec(String(each))?.[1]).find(Boolean) : undefined;
	return named ?? said;
}

/**
 * Makes one registration request. Throws an error whose message says what the
 * provider answered (or that it did not) and what to do, unless it answered 2xx (or one of `also`).
 */
export async function call(
	context: IHookFunctions,
	{ provider, registration }: RegistrationContext,
	request: RegistrationRequest,
	doing: string,
	also: number[] = [],
): Promise<{ statusCode: number; body: unknown }> {
	let answer;
	try {
		answer = await callProvider(context, provider.credentialType, request, REGISTRATION_TIMEOUT_MS);
	} catch (error) {
		const host = new URL(request.url).host;
		const code = networkCode(error) ?? 'no answer';
		throw fail(
			context,
			`${provider.displayName} did not answer at ${host} (${code}) while ${doing}. Try again; if it persists, check the credential’s Base URL or this n8n’s outbound network.`,
		);
	}
	if ((answer.statusCode >= 200 && answer.statusCode < 300) || also.includes(answer.statusCode)) return answer;
	const refusal = provider.readError(answer.body, answer.statusCode);
	const code = refusal.code !== null ? ` [${refusal.code}]` : '';
	throw fail(context, `${provider.displayName} refused ${doing}: ${refusal.message}${code}. ${registration.advice(answer.statusCode, answer.body)}`);
}

/** Reads an answer with the provider's reader; an unreadable answer is reported, never guessed at. */
export function readAnswer<T>(context: IHookFunctions, provider: Provider, doing: string, read: () => T): T {
	try {
		return read();
	} catch (error) {
		throw fail(
			context,`${provider.displayName}’s answer while ${doing} could not be read: ${(error as Error).message}.`);
	}
}

const PRIVATE_IPV4 = [/^127\./, /^10\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^169\.254\./, /^0\./];

/** Why the provider, on the internet, cannot call this host; undefined when it can. */
export function unreachableReason(hostname: string): string | undefined {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) return 'a local host name';
	if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) && PRIVATE_IPV4.some((range) => range.test(host))) return 'a private address';
	if (host.includes(':') && (host === '::1' || /^f[cd]/.test(host) || host.startsWith('fe80:'))) return 'a private address';
	return undefined;
}

/** True when the provider's API is itself local (the sandbox, a local proxy): local URLs are then fine. */
export function providerIsLocal({ registration, settings }: RegistrationContext): boolean {
	const [first] = registration.lookup(settings);
	return first !== undefined && unreachableReason(new URL(first.url).hostname) !== undefined;
}

/**
 * Why the provider could never call `url` (localhost, a private address, http where https is
 * required), or undefined when it can or when the provider's API is itself local.
 */
export function whyUnreachable(registering: RegistrationContext, url: string, requiresHttps: boolean): string | undefined {
	if (providerIsLocal(registering)) return undefined;
	const target = new URL(url);
	return (
		unreachableReason(target.hostname) ??
		(requiresHttps && target.protocol !== 'https:' ? `http, and ${registering.provider.displayName} calls only https URLs` : undefined)
	);
}

/** Refuses a URL the provider could never call, saying what to set. */
export function checkReachable(context: IHookFunctions, registering: RegistrationContext, url: string): void {
	const reason = whyUnreachable(registering, url, registering.registration.requiresHttps);
	if (!reason) return;
	throw fail(
		context,
		`${registering.provider.displayName} cannot reach this trigger’s URL ${url}: it is ${reason}. Set WEBHOOK_URL to this n8n’s public https address (e.g. https://n8n.example.com/) and restart n8n, or turn off Register Callback Automatically.`,
	);
}
