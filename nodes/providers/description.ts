/** The registry as n8n's node descriptions see it: the provider choice, its credentials, the setup notices. */

import type { INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

import type { Provider } from '../shared/types';
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

/** The steps shown in the Status Trigger's panel for the chosen provider. */
export const setupNotices: INodeProperties[] = providers.map((provider) => ({
	displayName: provider.setupNotice,
	name: `${provider.name}Setup`,
	type: 'notice',
	default: '',
	displayOptions: { show: { provider: [provider.name] } },
}));

// The texts that speak of every provider, from each one's fields, so a new provider is in them too.

/** "Twilio", "Smooch", "Meta": the first word of the display name, as the texts say it. */
const shortName = (provider: Provider): string => provider.displayName.split(' ')[0];

/** "A", "A and B", "A, B and C". */
function inWords(names: string[]): string {
	return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/** What "By ID" takes, provider by provider: "Smooch and Meta: the template name. Gupshup: the template ID. …". */
export const templateReferenceHint = [...new Set(providers.map((provider) => provider.templateReference))]
	.map((reference) => `${inWords(providers.filter((each) => each.templateReference === reference).map(shortName))}: ${reference}.`)
	.join(' ');

const templatesByName = providers.filter((provider) => provider.templateByName).map(shortName);
const templatesById = providers.filter((provider) => !provider.templateByName).map(shortName);
export const templateLanguageDescription = `The language code of the approved template, for providers that address templates by name (${templatesByName.join(', ')}). ${inWords(templatesById)} templates carry their own.`;

const withoutFileName = providers.filter((provider) => !provider.documentFileName).map(shortName);
export const fileNameDescription = `The name the document shows, by default the last part of the URL.${
	withoutFileName.length ? ` ${inWords(withoutFileName)} ${withoutFileName.length === 1 ? 'has' : 'have'} no field for it.` : ''
}`;

/** The callback secrets a credential may lack: "Smooch Webhook Secret, Gupshup Webhook Token". */
export const optionalCallbackSecrets = providers
	.filter((provider) => provider.optionalCallbackSecret)
	.map((provider) => `${shortName(provider)} ${provider.optionalCallbackSecret}`)
	.join(', ');
