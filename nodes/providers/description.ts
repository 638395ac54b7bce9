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

/** The steps shown in the Status Trigger's panel for the chosen provider. */
export const setupNotices: INodeProperties[] = providers.map((provider) => ({
	displayName: provider.setupNotice,
	name: `${provider.name}Setup`,
	type: 'notice',
	default: '',
	displayOptions: { show: { provider: [provider.name] } },
}));
