/**
 * The trigger registers its own URL with the provider when the workflow is activated (or the
 * editor listens for a test event) and removes it when deactivated: n8n's webhookMethods. The
 * provider module says which requests to make and how to read the answers; this file carries
 * them through the credential and keeps what was made in the node's static data, which n8n
 * keeps apart for the test URL and the production URL and shares with webhook processors
 * through the database.
 */

import {
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IHookFunctions,
	type IWebhookFunctions,
	NodeOperationError,
} from 'n8n-workflow';

import { getProvider, PROVIDERS } from '../providers';
import { isPlainObject } from '../shared/json';
import { callProvider } from '../shared/transport';
import type {
	CallbackRegistration,
	Provider,
	ProviderSettings,
	RegisteredCallback,
	RegistrationRequest,
} from '../shared/types';

const REGISTRATION_TIMEOUT_MS = 30_000;

/** Where the node's static data keeps what registration made. */
const STATIC_DATA_KEY = 'registeredCallback';

/** The option's name; on by default. */
export const REGISTER_PARAMETER = 'registerCallback';

/** What create made, from the node's static data; undefined when nothing (or something unreadable) is there. */
export function registeredCallback(context: IHookFunctions | IWebhookFunctions): RegisteredCallback | undefined {
	const stored = context.getWorkflowStaticData('node')[STATIC_DATA_KEY];
	if (!isPlainObject(stored) || typeof stored.provider !== 'string' || typeof stored.url !== 'string') return undefined;
	if (!isPlainObject(stored.ids)) return undefined;
	return stored as unknown as RegisteredCallback;
}

function keep(context: IHookFunctions, made: RegisteredCallback): void {
	context.getWorkflowStaticData('node')[STATIC_DATA_KEY] = made as unknown as IDataObject;
}

function forget(context: IHookFunctions): void {
	delete context.getWorkflowStaticData('node')[STATIC_DATA_KEY];
}

/**
 * The credential values callbacks are checked with: the registration's secret (Smooch's webhook
 * secret, Gupshup's token) stands in for the credential's own when this node registered one.
 */
export function settingsForCallbacks(
	context: IWebhookFunctions,
	provider: Provider,
	settings: ProviderSettings,
): ProviderSettings {
	const setting = provider.registration?.secretSetting;
	if (!setting) return settings;
	const registered = registeredCallback(context);
	if (!registered || registered.provider !== provider.name || !registered.secret) return settings;
	return { ...settings, [setting]: registered.secret };
}

interface RegistrationContext {
	provider: Provider;
	registration: CallbackRegistration;
	settings: ProviderSettings;
}

/** The provider, its registration and the credential; undefined when the node is in manual mode. */
async function automaticRegistration(context: IHookFunctions): Promise<RegistrationContext | undefined> {
	if (!(context.getNodeParameter(REGISTER_PARAMETER, true) as boolean)) return undefined;
	const provider = getProvider(context.getNodeParameter('provider') as string);
	const registration = provider.registration;
	if (!registration) return undefined;
	const settings = (await context.getCredentials<ICredentialDataDecryptedObject>(provider.credentialType)) as ProviderSettings;
	return { provider, registration, settings };
}

function fail(context: IHookFunctions, message: string, description?: string): NodeOperationError {
	return new NodeOperationError(context.getNode(), message, description ? { description } : {});
}

/** Makes one registration request; throws, saying what to do, unless the provider answered 2xx (or `also`). */
async function call(
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
		// Only a code travels on: the error holds the request, with its auth headers.
		const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
		throw fail(context, `${provider.displayName} did not answer while ${doing}${code ? ` (${code})` : ''}`, 'Try again, or turn off Register Callback Automatically and set the callback up by hand.');
	}
	if ((answer.statusCode >= 200 && answer.statusCode < 300) || also.includes(answer.statusCode)) return answer;
	const refusal = provider.readError(answer.body, answer.statusCode);
	throw fail(
		context,
		`${provider.displayName} refused ${doing}: ${refusal.message}${refusal.code !== null ? ` [${refusal.code}]` : ''}`,
		registration.advice(answer.statusCode, answer.body),
	);
}

/** Reads an answer with the provider's reader; an unreadable answer is reported, never guessed at. */
function readAnswer<T>(context: IHookFunctions, provider: Provider, doing: string, read: () => T): T {
	try {
		return read();
	} catch (error) {
		throw fail(context, `${provider.displayName}’s answer while ${doing} could not be read: ${(error as Error).message}`);
	}
}

async function lookUp(context: IHookFunctions, registering: RegistrationContext, url: string, registered?: RegisteredCallback) {
	const doing = 'listing its registered callbacks';
	const answer = await call(context, registering, registering.registration.lookup(registering.settings), doing);
	return readAnswer(context, registering.provider, doing, () => registering.registration.readLookup(answer.body, url, registered));
}

/** The URL to register: the test URL while the editor listens, else the production URL. */
function urlToRegister(context: IHookFunctions): string {
	const url = context.getNodeWebhookUrl('default');
	if (!url) throw fail(context, 'n8n gave no URL for this trigger');
	return url;
}

const PRIVATE_IPV4 = [/^127\./, /^10\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^169\.254\./, /^0\./];

/** Why the provider, on the internet, cannot call this host; undefined when it can. */
function unreachableReason(hostname: string): string | undefined {
	const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
	if (host === 'localhost' || host.endsWith('.localhost') || host.endsWith('.local')) return 'a local host name';
	if (/^\d{1,3}(\.\d{1,3}){3}$/.test(host) && PRIVATE_IPV4.some((range) => range.test(host))) return 'a private address';
	if (host.includes(':') && (host === '::1' || /^f[cd]/.test(host) || host.startsWith('fe80:'))) return 'a private address';
	return undefined;
}

/**
 * Refuses a URL the provider could never call (localhost, a private address, http where https is
 * required), unless the provider's API is itself local (the sandbox, a local proxy).
 */
function checkReachable(context: IHookFunctions, { provider, registration, settings }: RegistrationContext, url: string): void {
	if (unreachableReason(new URL(registration.lookup(settings).url).hostname)) return;
	const target = new URL(url);
	const reason =
		unreachableReason(target.hostname) ??
		(registration.requiresHttps && target.protocol !== 'https:' ? `http, and ${provider.displayName} calls only https URLs` : undefined);
	if (!reason) return;
	throw fail(
		context,
		`${provider.displayName} cannot reach this trigger’s URL ${url}: it is ${reason}`,
		'Set WEBHOOK_URL to the public https address of this n8n (for example https://n8n.example.com/) and restart n8n, or turn off Register Callback Automatically and set the callback up by hand.',
	);
}

/** webhookMethods.checkExists: true when what this node registered for this URL is still there. */
export async function callbackExists(this: IHookFunctions): Promise<boolean> {
	const registering = await automaticRegistration(this);
	// Manual mode: the URL is pasted into the provider's console; nothing to look for.
	if (!registering) return true;
	const url = urlToRegister(this);
	const registered = registeredCallback(this);
	if (!registered || registered.provider !== registering.provider.name || registered.url !== url) return false;
	const { present } = await lookUp(this, registering, url, registered);
	if (!present) forget(this);
	return present;
}

/** webhookMethods.create: registers the URL, keeping after each step what it made so that it can be removed. */
export async function registerCallback(this: IHookFunctions): Promise<boolean> {
	const registering = await automaticRegistration(this);
	if (!registering) return true;
	const { provider, registration, settings } = registering;
	const url = urlToRegister(this);
	checkReachable(this, registering, url);
	try {
		registration.checkSettings(settings);
	} catch (error) {
		throw fail(this, `Cannot register the callback with ${provider.displayName}: ${(error as Error).message}`, 'Complete the credential, or turn off Register Callback Automatically.');
	}
	const { slotTakenBy } = await lookUp(this, registering, url);
	if (slotTakenBy) {
		throw fail(
			this,
			`${provider.displayName} already sends this number’s callbacks to ${slotTakenBy}`,
			'It has one callback URL per phone number, and this trigger never replaces another. Deactivate the workflow (or stop listening in the editor) that registered it, or remove it, then activate again.',
		);
	}
	let made: RegisteredCallback = { provider: provider.name, url, ids: {} };
	const secret = registration.secretFor?.(settings, url) ?? registration.newSecret?.();
	if (secret) made.secret = secret;
	const doing = `registering ${url}`;
	for (const [index, step] of registration.create.entries()) {
		let failure: NodeOperationError | undefined;
		try {
			const answer = await call(this, registering, step.request(settings, made), doing);
			made = readAnswer(this, provider, doing, () => step.read(answer.body, made));
		} catch (error) {
			failure = error instanceof NodeOperationError ? error : fail(this, `Registering ${url} with ${provider.displayName} failed`);
		}
		if (failure) {
			// n8n's own clean-up after a failed activation reads the saved static data, which does
			// not hold what the earlier steps made: remove it here.
			if (index > 0) await removeQuietly(this, registering, made);
			throw failure;
		}
		keep(this, made);
	}
	return true;
}

async function removeQuietly(context: IHookFunctions, registering: RegistrationContext, made: RegisteredCallback): Promise<void> {
	try {
		await remove(context, registering, made);
	} catch {
		// The error that stopped the registration is the one to report.
	}
	forget(context);
}

async function remove(context: IHookFunctions, registering: RegistrationContext, registered: RegisteredCallback): Promise<void> {
	for (const request of registering.registration.remove(registering.settings, registered)) {
		// Already gone (removed by hand): nothing left to remove.
		await call(context, registering, request, `removing the callback registered for ${registered.url}`, [404]);
	}
}

/** webhookMethods.delete: removes exactly what create made, whatever the mode is now; nothing else of the account's. */
export async function removeCallback(this: IHookFunctions): Promise<boolean> {
	const registered = registeredCallback(this);
	if (!registered) return true;
	const provider = PROVIDERS[registered.provider as keyof typeof PROVIDERS];
	const registration = provider?.registration;
	if (!registration) {
		forget(this);
		return true;
	}
	const settings = (await this.getCredentials<ICredentialDataDecryptedObject>(provider.credentialType)) as ProviderSettings;
	const registering = { provider, registration, settings };
	// A one-slot provider (Meta) whose slot someone else has taken since: nothing of ours is left there.
	const { present, slotTakenBy } = await lookUp(this, registering, registered.url, registered);
	if (present || !slotTakenBy) await remove(this, registering, registered);
	forget(this);
	return true;
}
