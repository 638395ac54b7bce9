/**
 * The trigger registers its own URL with the provider when the workflow is activated (or the
 * editor listens for a test event) and removes it when deactivated: n8n's webhookMethods. The
 * provider module says which requests to make and how to read the answers; this file carries
 * them through the credential and keeps what was made in the node's static data, which n8n
 * shares with webhook processors through the database.
 *
 * One registration per trigger, wherever its URL moves: each registration carries this trigger's
 * mark where the provider keeps one (its n8n, workflow, node, and test or production) and keeps
 * the account it was made in. At every activation and at n8n's start the account's list is read,
 * and this trigger's registrations that are not the current one (an old WEBHOOK_URL, a test URL
 * from before a restart, a create whose answer never came) are removed. `delete` never throws:
 * n8n would skip the rest of the workflow's clean-up; what it could not remove is logged and
 * stays in static data, so the next activation finds it again.
 */

import { createHash } from 'crypto';
import type { ICredentialDataDecryptedObject, IDataObject, IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

import { getProvider, PROVIDERS } from '../providers';
import { isPlainObject } from '../shared/json';
import type { ListedCallback, Provider, ProviderSettings, RegisteredCallback, RegistrationLookup } from '../shared/types';
import { displacedRoute } from './metaSharing';
import {
	call,
	checkReachable,
	fail,
	readAnswer,
	type RegistrationContext,
	words,
} from './registrationCalls';
import { receivesCustomerMessages } from './receiving';
import { seal, unseal } from './sealedSecret';

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

/** The secret callbacks of this registration carry: derived from the credential, unsealed, or (an earlier version's) in the clear. */
function registeredSecret(provider: Provider, settings: ProviderSettings, registered: RegisteredCallback): string | undefined {
	const registration = provider.registration;
	if (registered.secret) return registered.secret;
	if (registration?.secretFor) return registration.secretFor(settings, registered.url);
	if (registration?.sealWith) return unseal(settings[registration.sealWith], registered.sealedSecret);
	return undefined;
}

/**
 * The credential values callbacks are checked with: the registration's secret (Smooch's webhook
 * secret, Gupshup's token) stands in for the credential's own when this node registered one.
 */
export function settingsForCallbacks(context: IWebhookFunctions, provider: Provider, settings: ProviderSettings): ProviderSettings {
	const setting = provider.registration?.secretSetting;
	const registered = registeredCallback(context);
	if (!setting || !registered || registered.provider !== provider.name) return settings;
	const secret = registeredSecret(provider, settings, registered);
	return secret ? { ...settings, [setting]: secret } : settings;
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

/** True while the editor listens for a test event (the test URL is registered). */
const isTest = (context: IHookFunctions) => context.getActivationMode() === 'manual';

/** This trigger's mark for its test or production registration: its n8n, workflow and node. */
function markOf(context: IHookFunctions, test: boolean): string {
	let instance = '';
	try {
		instance = context.getInstanceId();
	} catch {
		// Older n8n: the workflow and node ids alone.
	}
	const identity = [instance, context.getWorkflow().id ?? '', context.getNode().id, test ? 'test' : 'production'].join('\n');
	return createHash('sha256').update(identity).digest('hex').slice(0, 16);
}

const accountOf = ({ registration, settings }: RegistrationContext) => settings[registration.accountSetting] ?? '';

async function lookUp(context: IHookFunctions, registering: RegistrationContext): Promise<RegistrationLookup> {
	const doing = 'listing its registered callbacks';
	const bodies: unknown[] = [];
	for (const request of registering.registration.lookup(registering.settings)) {
		bodies.push((await call(context, registering, request, doing)).body);
	}
	return readAnswer(context, registering.provider, doing, () => registering.registration.readLookup(bodies));
}

const sameIds = (listed: ListedCallback, registered: RegisteredCallback) =>
	Object.entries(listed.ids).every(([key, id]) => registered.ids[key] === undefined || registered.ids[key] === id) &&
	Object.values(registered.ids).some((id) => Object.values(listed.ids).includes(id));

/** The listed callback that is this registration, in this account; undefined when it is gone. */
function findRegistered(lookup: RegistrationLookup, registering: RegistrationContext, registered: RegisteredCallback | undefined) {
	if (!registered || registered.provider !== registering.provider.name) return undefined;
	if ((registered.account ?? accountOf(registering)) !== accountOf(registering)) return undefined;
	return lookup.callbacks.find((listed) =>
		registering.registration.oneSlot ? listed.url === registered.url : listed.url === registered.url && sameIds(listed, registered),
	);
}

/** Whether the registration found in the list still does its job (Twilio: its subscription and event types). */
async function isComplete(context: IHookFunctions, registering: RegistrationContext, registered: RegisteredCallback): Promise<boolean> {
	const inspect = registering.registration.inspect;
	const request = inspect?.request(registering.settings, registered);
	if (!inspect || !request) return true;
	const answer = await call(context, registering, request, 'reading its subscribed events', [404]);
	return answer.statusCode !== 404 && readAnswer(context, registering.provider, 'reading its subscribed events', () => inspect.complete(answer.body));
}

/**
 * Removes this trigger's registrations in the list other than `current`: those with its mark (the
 * test mark too at n8n's start, when no editor can be listening), and the one static data names.
 * Never throws: what stays is logged, and found again next time.
 */
async function removeStale(context: IHookFunctions, registering: RegistrationContext, lookup: RegistrationLookup, current?: ListedCallback) {
	if (registering.registration.oneSlot) return;
	const marks = new Set([markOf(context, isTest(context))]);
	if (context.getActivationMode() === 'init') marks.add(markOf(context, true));
	// The one static data names, when it is of the same kind: a test listening that was handed the
	// production registration's static data must leave that registration alone.
	const kept = registeredCallback(context);
	const registered = kept && (kept.mark === undefined || marks.has(kept.mark)) ? kept : undefined;
	for (const listed of lookup.callbacks) {
		if (listed === current) continue;
		const ours = (listed.mark !== null && marks.has(listed.mark)) || (registered !== undefined && sameIds(listed, registered));
		if (!ours) continue;
		try {
			await remove(context, registering, { provider: registering.provider.name, url: listed.url, ids: listed.ids });
			context.logger.info(`WhatsApp Status Trigger: removed its earlier ${registering.provider.displayName} registration for ${listed.url}`);
		} catch (error) {
			context.logger.warn(`WhatsApp Status Trigger: could not remove its earlier registration for ${listed.url}: ${(error as Error).message}`);
		}
	}
}

/** webhookMethods.checkExists (at activation and at n8n's start): true when this trigger's registration for this URL is there and whole. */
export async function callbackExists(this: IHookFunctions): Promise<boolean> {
	const registering = await automaticRegistration(this);
	// Manual mode: the URL is pasted into the provider's console; nothing to look for.
	if (!registering) return true;
	const url = urlToRegister(this);
	checkCanRegister(this, registering, url);
	const registered = registeredCallback(this);
	const lookup = await lookUp(this, registering);
	const listed = findRegistered(lookup, registering, registered);
	const present =
		listed !== undefined &&
		registered !== undefined &&
		registered.url === url &&
		// Receive Customer Messages switched since: registered again, with or without them.
		Boolean(registered.receives) === receivesCustomerMessages(this) &&
		!registered.secret &&
		(registering.registration.sealWith === undefined || registeredSecret(registering.provider, registering.settings, registered) !== undefined) &&
		(await isComplete(this, registering, registered).catch(() => false));
	await removeStale(this, registering, lookup, present ? listed : undefined);
	if (!present) forget(this);
	return present;
}

/** The URL to register: the test URL while the editor listens, else the production URL. */
function urlToRegister(context: IHookFunctions): string {
	const url = context.getNodeWebhookUrl('default');
	if (!url) throw fail(context, 'n8n gave no URL for this trigger. Set WEBHOOK_URL to this n8n’s public address and restart n8n.');
	return url;
}

/** Refuses, before any request, a URL the provider cannot reach or a credential that lacks what registration needs. */
function checkCanRegister(context: IHookFunctions, registering: RegistrationContext, url: string): void {
	checkReachable(context, registering, url);
	try {
		registering.registration.checkSettings(registering.settings);
	} catch (error) {
		throw fail(
			context,
			`Cannot register the callback with ${registering.provider.displayName}: ${(error as Error).message}. Complete the credential, or turn off Register Callback Automatically.`,
		);
	}
}

/** webhookMethods.create: registers the URL, keeping after each step what it made so that it can be removed. */
export async function registerCallback(this: IHookFunctions): Promise<boolean> {
	const registering = await automaticRegistration(this);
	if (!registering) return true;
	const { provider, registration } = registering;
	const url = urlToRegister(this);
	checkCanRegister(this, registering, url);
	let made: RegisteredCallback = { provider: provider.name, url, account: accountOf(registering), mark: markOf(this, isTest(this)), ids: {} };
	if (receivesCustomerMessages(this)) made.receives = true;
	// n8n calls checkExists just before, which read the list and removed this trigger's stale
	// registrations. One slot (Meta): where its events go now, read right before taking them.
	if (registration.oneSlot) {
		const displaced = displacedRoute(this, registering, await lookUp(this, registering), url, registeredCallback(this));
		if (displaced) made.displaced = displaced;
	}
	await makeSteps(this, registering, made, (next) => (made = next));
	return true;
}

/** Runs the create steps; a failure after the first removes what the earlier ones made. */
async function makeSteps(context: IHookFunctions, registering: RegistrationContext, first: RegisteredCallback, onStep: (made: RegisteredCallback) => void) {
	const { provider, registration, settings } = registering;
	const doing = `registering ${first.url}`;
	let made = first;
	for (const [index, step] of registration.create.entries()) {
		try {
			const answer = await call(context, registering, step.request(settings, made), doing);
			const { secret, ...read } = readAnswer(context, provider, doing, () => step.read(answer.body, made));
			made = secret && registration.sealWith ? { ...read, sealedSecret: seal(settings[registration.sealWith] ?? '', secret) } : read;
		} catch (error) {
			// n8n's clean-up after a failed activation reads the saved static data, which does not
			// hold what the earlier steps made: remove it here. A first step that got no answer may
			// still have made something: it carries the mark, so it is looked for now (and at the
			// next activation, if the provider is still silent).
			if (index > 0) await remove(context, registering, made).catch(() => undefined);
			else await lookUp(context, registering).then((lookup) => removeStale(context, registering, lookup), () => undefined);
			forget(context);
			throw fail(context, (error as Error).message);
		}
		onStep(made);
		keep(context, made);
	}
}

async function remove(context: IHookFunctions, registering: RegistrationContext, registered: RegisteredCallback): Promise<void> {
	// In the account that made it, which the credential may no longer name.
	const settings = registered.account ? { ...registering.settings, [registering.registration.accountSetting]: registered.account } : registering.settings;
	for (const request of registering.registration.remove(settings, registered)) {
		const doing = request.bestEffort ?? `removing the callback registered for ${registered.url}`;
		// Already gone (removed by hand): nothing left to remove.
		const failure = await call(context, registering, request, doing, [404]).then(
			() => undefined,
			(error: Error) => error,
		);
		if (failure && !request.bestEffort) throw fail(context, failure.message);
		if (failure) context.logger.warn(`WhatsApp Status Trigger: could not ${request.bestEffort}: ${failure.message}`);
	}
}

/** webhookMethods.delete: removes exactly what create made, whatever the mode is now. Never throws. */
export async function removeCallback(this: IHookFunctions): Promise<boolean> {
	const registered = registeredCallback(this);
	if (!registered) return true;
	try {
		await removeRegistered(this, registered);
		forget(this);
	} catch (error) {
		const { activate } = words();
		this.logger.warn(
			`WhatsApp Status Trigger: the ${registered.provider} registration for ${registered.url} was not removed: ${(error as Error).message} It is removed when the workflow is next ${activate}ed or n8n starts.`,
		);
	}
	return true;
}

async function removeRegistered(context: IHookFunctions, registered: RegisteredCallback): Promise<void> {
	const provider = PROVIDERS[registered.provider as keyof typeof PROVIDERS];
	const registration = provider?.registration;
	if (!registration) return;
	const settings = (await context.getCredentials<ICredentialDataDecryptedObject>(provider.credentialType)) as ProviderSettings;
	const registering = { provider, registration, settings };
	const account = registered.account ?? accountOf(registering);
	if (account !== accountOf(registering) && !registration.accountInUrl) {
		// Its keys open only their own account: nothing here can reach the other one.
		context.logger.warn(
			`WhatsApp Status Trigger: the ${provider.displayName} registration for ${registered.url} (${Object.values(registered.ids).join(', ')}) was made in account ${account}, but the credential now points at ${accountOf(registering)}: remove it in ${account} by hand.`,
		);
		return;
	}
	const inItsAccount = { ...registering, settings: { ...settings, [registration.accountSetting]: account } };
	if (registration.oneSlot) {
		// A one-slot provider (Meta) whose slot someone else has taken since: nothing of ours is left there.
		const lookup = await lookUp(context, inItsAccount);
		if (!findRegistered(lookup, inItsAccount, registered)) return;
	}
	const moved = account !== accountOf(registering);
	const failure = await remove(context, inItsAccount, registered).then(
		() => undefined,
		(error: Error) => error,
	);
	if (failure) {
		const where = moved ? ` It was made in ${account}; the credential now points at ${accountOf(registering)}: remove it there by hand, or point the credential back.` : '';
		throw fail(context, `${failure.message}${where}`);
	}
	if (moved) {
		context.logger.info(
			`WhatsApp Status Trigger: removed the ${provider.displayName} registration for ${registered.url} in ${account}, where it was made; the credential now points at ${accountOf(registering)}.`,
		);
	}
}
