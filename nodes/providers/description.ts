/** The registry as n8n's node descriptions see it: the provider choice, its credentials, the setup notices. */

import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { PROVIDERS } from './index';

const providers = Object.values(PROVIDERS);

export function providerParameter(description: string): INodeProperties {
	return {
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		noDataExpression: true,
		options: providers.map((provider) => ({ name: provider.displayName, value: provider.name })),
		default: 'twilio',
		description,
	};
}

export const providerCredentials: INodeCredentialDescription[] = providers.map((provider) => ({
	name: provider.credentialType,
	required: true,
	displayOptions: { show: { provider: [provider.name] } },
}));

/**
 * The first thing both panels say. n8n 2.x treats the Provider parameter as the node's "auth
 * field": it hides it, lists every provider's credentials in one picker, and its "Create new
 * credential" form opens on the first provider of the list whatever this node uses (n8n's
 * CredentialEdit picks nodeAuthOptions[0]); nothing in a node description changes that.
 */
export const credentialPicksProviderNotice: INodeProperties = {
	displayName: `The credential decides the provider (${providers.map((provider) => provider.displayName).join(', ')}). To create one, first choose the provider under “Connect using” in the new credential's form: n8n opens it on ${providers[0].displayName}, whatever provider this node uses.`,
	name: 'credentialPicksProvider',
	type: 'notice',
	default: '',
};

/** What the Status Trigger does by itself for the chosen provider when it registers its URL automatically. */
export const automaticSetupNotices: INodeProperties[] = providers.flatMap((provider) =>
	provider.registration
		? [
				{
					displayName: provider.registration.setupNotice,
					name: `${provider.name}AutomaticSetup`,
					type: 'notice' as const,
					default: '',
					displayOptions: { show: { provider: [provider.name], registerCallback: [true] } },
				},
			]
		: [],
);

/** The steps shown in the Status Trigger's panel for the chosen provider when the URL is set up by hand. */
export const setupNotices: INodeProperties[] = providers.map((provider) => ({
	displayName: provider.setupNotice,
	name: `${provider.name}Setup`,
	type: 'notice',
	default: '',
	displayOptions: {
		show: { provider: [provider.name], ...(provider.registration ? { registerCallback: [false] } : {}) },
	},
}));
