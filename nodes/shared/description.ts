/** Description pieces both nodes share: the provider choice and its credentials. */

import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import { PROVIDERS } from '../providers';

export function providerParameter(description: string): INodeProperties {
	return {
		displayName: 'Provider',
		name: 'provider',
		type: 'options',
		noDataExpression: true,
		options: Object.values(PROVIDERS).map((provider) => ({ name: provider.displayName, value: provider.name })),
		default: 'twilio',
		description,
	};
}

export const providerCredentials: INodeCredentialDescription[] = Object.values(PROVIDERS).map((provider) => ({
	name: provider.credentialType,
	required: true,
	displayOptions: { show: { provider: [provider.name] } },
}));
