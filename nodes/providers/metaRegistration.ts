/**
 * Meta's automatic registration: the phone number's callback override, shared with the URL it displaces.
 */

import { createHmac } from 'crypto';

import { apiBaseUrl } from '../shared/apiBaseUrl';
import { asString } from '../shared/callback';
import { isPlainObject } from '../shared/json';
import type { CallbackRegistration, ProviderSettings } from '../shared/types';
import { API_VERSION, META_DEFAULT_BASE_URL, PHONE_NUMBER_ID } from './metaApi';

function phoneNumberUrl(settings: ProviderSettings): string {
	return `${apiBaseUrl(settings.baseUrl, META_DEFAULT_BASE_URL)}/${settings.apiVersion ?? ''}/${settings.phoneNumberId ?? ''}`;
}

/**
 * The verify token registered with a URL, derived from the App Secret and the URL rather than
 * stored: Meta checks it with a GET while the registration request is still running, before n8n
 * has saved anything the GET could read.
 */
function registeredVerifyToken(settings: ProviderSettings, url: string): string {
	return createHmac('sha256', settings.appSecret ?? '').update(`whatsapp-status-trigger verify token\n${url}`).digest('hex');
}

/** Meta's routes for the number's events, as `webhook_configuration` reports them. */
const ROUTE_LEVELS = ['phone_number', 'whatsapp_business_account', 'application'] as const;

/**
 * The phone number's own callback override (`webhook_configuration.override_callback_uri`): it
 * outranks the WABA's and the app's URL for the `messages` field, which carries the statuses and
 * every customer message to the number. The lookup reads where those go now, so that the trigger
 * can share them with the URL it displaces (WhatsAppStatusTrigger/metaSharing.ts).
 */
export const registration: CallbackRegistration = {
	setupNotice:
		'Publishing (activating) the workflow, or listening for a test event, sets this trigger’s URL as the phone number’s callback override: Meta then sends it all of the number’s messages webhooks, statuses and customer messages, instead of the URL that had them (the app’s callback URL, the WABA’s or the number’s override). Meta checks the URL with a GET that the trigger answers; callbacks are checked with the App Secret. Unpublishing (deactivating) clears the override (a displaced number override is put back with the credential’s Verify Token). The app must be subscribed to the WhatsApp Business Account.',
	requiresHttps: true,
	accountSetting: 'phoneNumberId',
	accountInUrl: true,
	oneSlot: true,
	secretSetting: 'verifyToken',
	secretFor: registeredVerifyToken,
	checkSettings(settings) {
		if (!settings.phoneNumberId || !PHONE_NUMBER_ID.test(settings.phoneNumberId)) {
			throw new Error(`the Meta credential's Phone Number ID ${JSON.stringify(settings.phoneNumberId ?? '')} is not a numeric id`);
		}
		if (!API_VERSION.test(settings.apiVersion ?? '')) {
			throw new Error(`the Meta credential's API Version ${JSON.stringify(settings.apiVersion ?? '')} is not like v24.0`);
		}
		if (!settings.appSecret) throw new Error('the Meta credential has no App Secret, which signs every callback');
	},
	// The number's override carries every customer message; a Status Trigger's URL ends in /status.
	endsWaits: (listed) => /\/[^/?]+\/status(\?|$)/.test(listed.url),
	lookup: (settings) => [{ method: 'GET', url: `${phoneNumberUrl(settings)}?fields=webhook_configuration` }],
	readLookup([responseBody]) {
		const configuration = isPlainObject(responseBody) ? responseBody.webhook_configuration : undefined;
		if (!isPlainObject(configuration)) throw new Error('the answer holds no "webhook_configuration"');
		const routes = Object.fromEntries(
			ROUTE_LEVELS.map((level) => [level, asString(configuration[level])]).filter((entry): entry is [string, string] => Boolean(entry[1])),
		);
		return { callbacks: routes.phone_number ? [{ ids: {}, url: routes.phone_number, mark: null }] : [], routes };
	},
	create: [
		{
			request: (settings, made) => ({
				method: 'POST',
				url: phoneNumberUrl(settings),
				body: { webhook_configuration: { override_callback_uri: made.url, verify_token: registeredVerifyToken(settings, made.url) } },
				encoding: 'json',
			}),
			read(responseBody, made) {
				if (!isPlainObject(responseBody) || responseBody.success !== true) throw new Error('the answer is not {"success": true}');
				return made;
			},
		},
	],
	// A number override it displaced is put back: Meta checks that URL with a GET carrying the
	// credential's Verify Token (its own system's token, when the user set it). If that fails,
	// the override is cleared anyway and the app's or the WABA's URL takes over.
	remove: (settings, registered) => [
		{ method: 'POST', url: phoneNumberUrl(settings), body: { webhook_configuration: { override_callback_uri: '' } }, encoding: 'json' },
		...(registered.displaced?.level === 'phone_number'
			? [
					{
						method: 'POST' as const,
						url: phoneNumberUrl(settings),
						body: { webhook_configuration: { override_callback_uri: registered.displaced.url, verify_token: settings.verifyToken ?? '' } },
						encoding: 'json' as const,
						bestEffort: `put back ${registered.displaced.url} as the number’s callback override`,
					},
				]
			: []),
	],
	advice(statusCode, responseBody) {
		const error = isPlainObject(responseBody) && isPlainObject(responseBody.error) ? responseBody.error : {};
		if (statusCode === 401 || error.code === 190) {
			return 'Check the credential’s Access Token: temporary tokens expire after 24 hours (use a System User token).';
		}
		if (statusCode === 403 || error.code === 200 || error.code === 10) {
			return 'The Access Token needs whatsapp_business_management on this number’s WhatsApp Business Account.';
		}
		return 'Meta checks the URL with a GET while registering it: set WEBHOOK_URL to n8n’s public https address, and subscribe the app to the WhatsApp Business Account.';
	},
};

