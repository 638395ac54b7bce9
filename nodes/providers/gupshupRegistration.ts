/**
 * Gupshup's automatic registration: one subscription of the app per trigger, tagged as the trigger's.
 */

import { createHmac } from 'crypto';

import { apiBaseUrl } from '../shared/apiBaseUrl';
import { asString } from '../shared/callback';
import { isPlainObject, type JsonObject } from '../shared/json';
import type { CallbackRegistration, ProviderSettings } from '../shared/types';
import { APP_ID, GUPSHUP_DEFAULT_BASE_URL } from './gupshupApi';


/** The event types the trigger subscribes to, in the spelling of Gupshup's subscription API. */
const STATUS_MODES = 'ENQUEUED,SENT,DELIVERED,READ,FAILED';

/** The mode of customers' messages (`type: "message"` callbacks), for a trigger with the Received output. */
const MESSAGE_MODE = 'MESSAGE';

function subscriptionsUrl(settings: ProviderSettings): string {
	return `${apiBaseUrl(settings.baseUrl, GUPSHUP_DEFAULT_BASE_URL)}/wa/app/${encodeURIComponent(settings.appId ?? '')}/subscription`;
}

/** A subscription's modes, as a list: Gupshup answers `modes` as a list or `mode` as comma-separated text. */
function modesOf(subscription: JsonObject): string[] {
	const given = subscription.modes ?? subscription.mode;
	const list = Array.isArray(given) ? given : typeof given === 'string' ? given.split(',') : [];
	return list.filter((mode): mode is string => typeof mode === 'string').map((mode) => mode.trim().toUpperCase());
}

/** Tags are unique per app: one per trigger (its n8n, workflow, node, and test or production), from its mark. */
const TAG_PREFIX = 'n8n-trigger-';
const MARKED_TAG = /^n8n-trigger-([0-9a-f]{16})$/;

/**
 * The token Gupshup sends with a registration's callbacks, derived from the API Key and the URL
 * rather than stored: the workflow's static data, which anyone who can read the workflow sees,
 * holds no secret.
 */
function registeredToken(settings: ProviderSettings, url: string): string {
	return createHmac('sha256', settings.apiKey ?? '').update(`whatsapp-status-trigger gupshup token\n${url}`).digest('hex');
}

/**
 * The app's subscriptions (`/wa/app/{appId}/subscription`, header `apikey`), version 2 callbacks.
 * Gupshup signs nothing: the subscription's `meta` makes Gupshup send a token in the
 * X-Webhook-Token header, which the trigger checks.
 */
export const registration: CallbackRegistration = {
	setupNotice:
		'Publishing (activating) the workflow, or listening for a test event, subscribes this trigger’s URL to the app’s sent, delivered, read and failed events, and to customers’ messages when Receive Customer Messages is on (the credential needs the App ID), tagged with this workflow and node, with a token derived from the API Key that Gupshup sends in a header and the trigger checks. Unpublishing (deactivating) removes that subscription, and nothing else.',
	requiresHttps: false,
	accountSetting: 'appId',
	accountInUrl: true,
	secretSetting: 'webhookToken',
	secretFor: registeredToken,
	checkSettings(settings) {
		if (!settings.appId || !APP_ID.test(settings.appId)) {
			throw new Error(
				`the Gupshup credential's App ID ${JSON.stringify(settings.appId ?? '')} is not the app's id (a UUID, shown in the Gupshup dashboard under the app's settings; not the app name)`,
			);
		}
	},
	lookup: (settings) => [{ method: 'GET', url: subscriptionsUrl(settings) }],
	// A trigger's own subscription in MESSAGE mode: a tapped button's postbackText or id comes with it.
	endsWaits: (listed) => listed.mark !== null && (listed.events ?? []).includes(MESSAGE_MODE),
	readLookup([responseBody]) {
		if (!isPlainObject(responseBody) || !Array.isArray(responseBody.subscriptions)) {
			throw new Error('the answer holds no "subscriptions" list');
		}
		return {
			callbacks: responseBody.subscriptions
				.filter(isPlainObject)
				.filter((subscription) => asString(subscription.id))
				.map((subscription) => ({
					ids: { subscription: asString(subscription.id) as string },
					url: asString(subscription.url) ?? '',
					mark: MARKED_TAG.exec(asString(subscription.tag) ?? '')?.[1] ?? null,
					events: modesOf(subscription),
				})),
		};
	},
	create: [
		{
			request: (settings, made) => ({
				method: 'POST',
				url: subscriptionsUrl(settings),
				body: {
					modes: made.receives ? `${STATUS_MODES},${MESSAGE_MODE}` : STATUS_MODES,
					tag: `${TAG_PREFIX}${made.mark ?? ''}`,
					url: made.url,
					version: '2',
					showOnUI: 'false',
					// Gupshup sends meta's headers with every callback.
					meta: { headers: { 'X-Webhook-Token': registeredToken(settings, made.url) } },
				},
				encoding: 'form',
			}),
			read(responseBody, made) {
				const subscription = isPlainObject(responseBody) && isPlainObject(responseBody.subscription) ? responseBody.subscription : {};
				const id = asString(subscription.id);
				if (!id) throw new Error('the answer holds no subscription.id');
				return { ...made, ids: { subscription: id } };
			},
		},
	],
	remove: (settings, registered) => [
		{ method: 'DELETE', url: `${subscriptionsUrl(settings)}/${encodeURIComponent(registered.ids.subscription ?? '')}` },
	],
	advice(statusCode) {
		if (statusCode === 401 || statusCode === 403) {
			return 'Check the credential’s API Key and App ID (the key must own the app, and the app be live).';
		}
		return 'Check the app’s subscriptions in the Gupshup dashboard, or turn off Register Callback Automatically.';
	},
};

