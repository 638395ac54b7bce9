/**
 * Smooch's automatic registration: one webhook of the app per trigger, marked as the trigger's.
 */

import { asString } from '../shared/callback';
import { isPlainObject } from '../shared/json';
import type { CallbackRegistration, ProviderSettings } from '../shared/types';
import { SMOOCH_ID, smoochBaseUrl } from './smoochApi';
import { CUSTOMER_MESSAGE_TRIGGER } from './smoochReceived';

/** The delivery triggers the Status Trigger registers: Notification API sends and conversation messages alike. */
const STATUS_TRIGGERS = [
	'notification:delivery:channel',
	'notification:delivery:user',
	'notification:delivery:failure',
	'message:delivery:channel',
	'message:delivery:user',
	'message:delivery:failure',
	'conversation:read',
];

function webhooksUrl(settings: ProviderSettings): string {
	return `${smoochBaseUrl(settings)}/v1.1/apps/${encodeURIComponent(settings.appId ?? '')}/webhooks`;
}

/** The query parameter that marks a webhook's target as a trigger's: Smooch keeps no description. */
const MARK_PARAMETER = 'n8n-trigger';

/** The target Smooch calls: the trigger's URL with its mark (n8n routes webhooks by path; the query is ignored). */
function markedTarget(url: string, mark: string | undefined): string {
	if (!mark) return url;
	return `${url}${url.includes('?') ? '&' : '?'}${MARK_PARAMETER}=${mark}`;
}

/** A target read back: the trigger's URL and its mark, or the target as it is. */
function readTarget(target: string): { url: string; mark: string | null } {
	const match = new RegExp(`[?&]${MARK_PARAMETER}=([0-9a-f]{16})$`).exec(target);
	return match ? { url: target.slice(0, match.index), mark: match[1] } : { url: target, mark: null };
}

/**
 * The app's webhooks (`/v1.1/apps/{appId}/webhooks`): Smooch issues each webhook's secret, which
 * every call then carries in X-API-Key; the trigger keeps it sealed with the credential's secret.
 * An app holds at most 10 webhooks.
 */
export const registration: CallbackRegistration = {
	setupNotice:
		'Publishing (activating) the workflow, or listening for a test event, creates a webhook on the credential’s app for this trigger’s URL (marked with this workflow and node), with the delivery and read triggers (and message:appUser, customers’ messages, when Receive Customer Messages is on); Smooch’s secret for it is kept sealed with the credential and checked on every call. Unpublishing (deactivating) removes that webhook, and nothing else. An app holds at most 10 webhooks.',
	requiresHttps: false,
	accountSetting: 'appId',
	accountInUrl: true,
	secretSetting: 'webhookSecret',
	sealWith: 'secret',
	checkSettings(settings) {
		if (!settings.appId || !SMOOCH_ID.test(settings.appId)) throw new Error('the Smooch credential has no valid App ID');
	},
	lookup: (settings) => [{ method: 'GET', url: webhooksUrl(settings) }],
	// A trigger's own webhook with the customers' messages trigger: a reply's payload comes with it.
	endsWaits: (listed) => listed.mark !== null && (listed.events ?? []).includes(CUSTOMER_MESSAGE_TRIGGER),
	readLookup([responseBody]) {
		if (!isPlainObject(responseBody) || !Array.isArray(responseBody.webhooks)) throw new Error('the answer holds no "webhooks" list');
		return {
			callbacks: responseBody.webhooks
				.filter(isPlainObject)
				.filter((webhook) => asString(webhook._id))
				.map((webhook) => ({
					ids: { webhook: asString(webhook._id) as string },
					...readTarget(asString(webhook.target) ?? ''),
					events: Array.isArray(webhook.triggers) ? webhook.triggers.filter((trigger): trigger is string => typeof trigger === 'string') : [],
				})),
		};
	},
	create: [
		{
			request: (settings, made) => ({
				method: 'POST',
				url: webhooksUrl(settings),
				body: { target: markedTarget(made.url, made.mark), triggers: made.receives ? [...STATUS_TRIGGERS, CUSTOMER_MESSAGE_TRIGGER] : STATUS_TRIGGERS },
				encoding: 'json',
			}),
			read(responseBody, made) {
				const webhook = isPlainObject(responseBody) && isPlainObject(responseBody.webhook) ? responseBody.webhook : {};
				const id = asString(webhook._id);
				const secret = asString(webhook.secret);
				if (!id || !secret) throw new Error('the answer holds no webhook._id and webhook.secret');
				return { ...made, secret, ids: { webhook: id } };
			},
		},
	],
	remove: (settings, registered) => [
		{ method: 'DELETE', url: `${webhooksUrl(settings)}/${encodeURIComponent(registered.ids.webhook ?? '')}` },
	],
	advice(statusCode) {
		if (statusCode === 401 || statusCode === 403) return 'Check the credential’s Key ID and Secret (an API key of this App ID).';
		if (statusCode >= 500) return 'Try again later.';
		return 'An app holds at most 10 webhooks: remove one you no longer use (Zendesk Admin Center, Conversations integrations), or turn off Register Callback Automatically.';
	},
};

