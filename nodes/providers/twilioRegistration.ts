/**
 * Twilio's automatic registration: an Event Streams sink and its subscription per trigger.
 */

import { asString } from '../shared/callback';
import { isPlainObject, type JsonObject } from '../shared/json';
import type { CallbackRegistration, ProviderSettings } from '../shared/types';
import { serviceBaseUrl } from './twilioApi';

/** Event Streams' event for a customer's message (Messaging.InboundMessageV1). */
export const INBOUND_EVENT_TYPE = 'com.twilio.messaging.inbound-message.received';

/** The outbound message events the trigger subscribes to (Event Streams, Messaging.MessageStatus). */
const STATUS_EVENT_TYPES = ['sent', 'delivered', 'read', 'failed', 'undelivered'].map((status) => `com.twilio.messaging.message.${status}`);

function eventStreamsUrl(settings: ProviderSettings, path: string): string {
	return `${serviceBaseUrl(settings, 'https://events.twilio.com')}/v1/${path}`;
}

/** A sink's or subscription's description: the trigger's mark follows it. */
const DESCRIPTION = 'WhatsApp Status Trigger (n8n)';
const MARKED_DESCRIPTION = /^WhatsApp Status Trigger \(n8n\) ([0-9a-f]{16})$/;

function listOf(responseBody: unknown, key: string): JsonObject[] {
	if (!isPlainObject(responseBody) || !Array.isArray(responseBody[key])) throw new Error(`the answer holds no "${key}" list`);
	return (responseBody[key] as unknown[]).filter(isPlainObject);
}

/**
 * Event Streams, as n8n's own Twilio Trigger uses it: a webhook Sink pointing at the trigger's
 * URL and a Subscription of it to the outbound message events. It touches no sender's or Messaging
 * Service's own Status Callback. Events are CloudEvents JSON signed with X-Twilio-Signature over
 * the URL plus `bodySHA256`, with the Auth Token: nothing to generate or keep but the SIDs. The
 * subscription is account-wide: SMS statuses come too, and go to Other (see parseCallback).
 */
export const registration: CallbackRegistration = {
	setupNotice:
		'Publishing (activating) the workflow, or listening for a test event, creates an Event Streams webhook sink for this trigger’s URL, marked with this workflow and node, and subscribes it to outbound message status events (sent, delivered, read, failed, undelivered) of the whole account, and to inbound-message.received when Receive Customer Messages is on (its text only: for button ids and files, also paste the URL as the sender’s “A message comes in” webhook); they are checked with the Auth Token. Statuses of SMS go to Other, never Delivered, Seen or Discarded. Unpublishing (deactivating) removes that subscription and sink, and nothing else; your senders’ and Messaging Services’ own Status Callback URLs are left alone.',
	requiresHttps: false,
	accountSetting: 'accountSid',
	accountInUrl: false,
	checkSettings(settings) {
		if (!settings.authToken) throw new Error('the Twilio credential has no Auth Token, which signs the events');
	},
	// Event Streams' inbound event carries a tapped button's label, not its id: no wait can be ended through it.
	endsWaits: () => false,
	lookup: (settings) => [
		{ method: 'GET', url: eventStreamsUrl(settings, 'Sinks?PageSize=100') },
		{ method: 'GET', url: eventStreamsUrl(settings, 'Subscriptions?PageSize=100') },
	],
	readLookup([sinks, subscriptions]) {
		const subscribed = listOf(subscriptions, 'subscriptions');
		return {
			callbacks: listOf(sinks, 'sinks')
				.filter((sink) => typeof sink.sid === 'string')
				.map((sink) => {
					const configuration = isPlainObject(sink.sink_configuration) ? sink.sink_configuration : {};
					const subscription = subscribed.find((each) => each.sink_sid === sink.sid && typeof each.sid === 'string');
					return {
						ids: { sink: sink.sid as string, ...(subscription ? { subscription: subscription.sid as string } : {}) },
						url: asString(configuration.destination) ?? '',
						mark: MARKED_DESCRIPTION.exec(asString(sink.description) ?? '')?.[1] ?? null,
					};
				}),
		};
	},
	// A sink whose subscription was removed by hand, or lost event types, receives nothing: made again.
	inspect: {
		request: (settings, registered) =>
			registered.ids.subscription
				? { method: 'GET', url: eventStreamsUrl(settings, `Subscriptions/${encodeURIComponent(registered.ids.subscription)}/SubscribedEvents?PageSize=100`) }
				: undefined,
		complete(responseBody) {
			const types = new Set(listOf(responseBody, 'types').map((each) => each.type));
			return STATUS_EVENT_TYPES.every((type) => types.has(type));
		},
	},
	create: [
		{
			request: (settings, made) => ({
				method: 'POST',
				url: eventStreamsUrl(settings, 'Sinks'),
				body: {
					Description: `${DESCRIPTION} ${made.mark ?? ''}`.trim(),
					SinkType: 'webhook',
					SinkConfiguration: { destination: made.url, method: 'POST' },
				},
				encoding: 'form',
			}),
			read(responseBody, made) {
				const sid = isPlainObject(responseBody) ? asString(responseBody.sid) : null;
				if (!sid) throw new Error('the Sink answer holds no sid');
				return { ...made, ids: { ...made.ids, sink: sid } };
			},
		},
		{
			request: (settings, made) => ({
				method: 'POST',
				url: eventStreamsUrl(settings, 'Subscriptions'),
				body: {
					Description: `${DESCRIPTION} ${made.mark ?? ''}`.trim(),
					SinkSid: made.ids.sink,
					// A repeated field, each a JSON object.
					Types: [...STATUS_EVENT_TYPES, ...(made.receives ? [INBOUND_EVENT_TYPE] : [])].map((type) => JSON.stringify({ type })),
				},
				encoding: 'form',
			}),
			read(responseBody, made) {
				const sid = isPlainObject(responseBody) ? asString(responseBody.sid) : null;
				if (!sid) throw new Error('the Subscription answer holds no sid');
				return { ...made, ids: { ...made.ids, subscription: sid } };
			},
		},
	],
	// The Subscription first, then the Sink it sends to: nothing is left pointing at a removed Sink.
	remove: (settings, registered) =>
		[
			registered.ids.subscription && `Subscriptions/${encodeURIComponent(registered.ids.subscription)}`,
			registered.ids.sink && `Sinks/${encodeURIComponent(registered.ids.sink)}`,
		]
			.filter((path): path is string => Boolean(path))
			.map((path) => ({ method: 'DELETE', url: eventStreamsUrl(settings, path) })),
	advice(statusCode) {
		if (statusCode === 401 || statusCode === 403) {
			return 'Check the credential’s Account SID and Auth Token (Event Streams takes the account’s own, not an API key’s).';
		}
		return 'Check Event Streams (Sinks, Subscriptions) in the Twilio Console, or turn off Register Callback Automatically.';
	},
};

