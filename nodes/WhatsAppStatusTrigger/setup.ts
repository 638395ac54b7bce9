/** The steps shown in the trigger's panel: where to paste the URL in each provider's console. */

import type { INodeProperties } from 'n8n-workflow';

import type { ProviderName } from '../shared/types';

const STEPS: Record<ProviderName, string> = {
	twilio:
		'Copy the Production URL above (Webhook URLs). In Twilio, paste it as the Status Callback URL of your WhatsApp sender or Messaging Service (Messaging, Senders, WhatsApp senders; or Messaging Services, Integration), or send it per message as StatusCallback in the override. Callbacks are checked with the credential’s Auth Token against that exact URL; behind a proxy, set Public URL in the options.',
	smooch:
		'Copy the Production URL above (Webhook URLs). In Zendesk Admin Center (Apps and integrations, Conversations integrations) or the Smooch dashboard, create a webhook with that URL and the triggers notification:delivery:user, notification:delivery:failure and conversation:read (add message:delivery:* for conversation messages). Put the webhook’s secret in the credential’s Webhook Secret: calls without it are then refused.',
	gupshup:
		'Copy the Production URL above (Webhook URLs) and add ?token=<your Webhook Token> to it. In the Gupshup dashboard (your app, Webhooks), set it as the callback URL with the message-event types sent, delivered, read and failed. Set the same token in the credential’s Webhook Token (or send it as an X-Webhook-Token header): calls without it are then refused.',
};

export const setupNotices: INodeProperties[] = (Object.keys(STEPS) as ProviderName[]).map((provider) => ({
	displayName: STEPS[provider],
	name: `${provider}Setup`,
	type: 'notice',
	default: '',
	displayOptions: { show: { provider: [provider] } },
}));
