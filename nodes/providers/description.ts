/** The registry as n8n's node descriptions see it: the provider choice, its credentials, the setup notices. */

import type { IDisplayOptions, INodeCredentialDescription, INodeProperties } from 'n8n-workflow';

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

/**
 * Each provider's credential is shown for its provider only, with the condition form of
 * displayOptions (`_cnd: { eq }`) rather than a plain value list. n8n's editor (1.123 to 2.39)
 * takes a parameter for the node's "auth field" when the credentials' plain `show` values cover
 * all its options: it then hides Provider, lists all four credential types in one picker and
 * opens every new credential on the first type (Smooch), whatever the node uses. A `hide` list
 * avoids that but still opens Smooch's form, because a credential without `show` counts as one
 * every provider needs. With a condition, Provider stays a visible choice, the picker lists that
 * provider's credentials, and "Create new credential" opens that provider's form, so the
 * credential is named after it.
 */
export const providerCredentials: INodeCredentialDescription[] = providers.map((provider) => ({
	name: provider.credentialType,
	required: true,
	displayOptions: shownFor(provider.name),
}));

/**
 * n8n's type for a credential's displayOptions lists plain values only; the rule that evaluates
 * them (NodeHelpers.displayParameter, the same for credentials and parameters, in the editor and
 * when a node asks for its credential) also takes conditions.
 */
function shownFor(providerName: string): INodeCredentialDescription['displayOptions'] {
	const condition: IDisplayOptions = { show: { provider: [{ _cnd: { eq: providerName } }] } };
	return condition as INodeCredentialDescription['displayOptions'];
}

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

/**
 * For the trigger's GET webhook: an n8n expression, true (hide its URL in the panel) unless the
 * chosen provider verifies the URL with a GET first (Meta). Only those providers use that URL.
 */
export const hideHandshakeUrl = `={{ !${JSON.stringify(
	providers.filter((provider) => provider.answerHandshake).map((provider) => provider.name),
)}.includes($parameter["provider"]) }}`;

/** The providers that address a template by name and language: only they use Template Language. */
export const templateLanguageProviders = providers
	.filter((provider) => provider.templatesByLanguage)
	.map((provider) => provider.name as string);

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

/** The providers whose document messages carry a file name: only they show File Name. */
export const documentFileNameProviders = providers.filter((provider) => provider.documentFileName).map((provider) => provider.name as string);

/** The providers that take a template's header file with each message: only they show Header Media URL. */
export const templateHeaderMediaProviders = providers
	.filter((provider) => provider.templateHeaderMedia)
	.map((provider) => provider.name as string);

/** The callback secrets a credential may lack: "Smooch Webhook Secret, Gupshup Webhook Token". */
export const optionalCallbackSecrets = providers
	.filter((provider) => provider.optionalCallbackSecret)
	.map((provider) => `${shortName(provider)} ${provider.optionalCallbackSecret}`)
	.join(', ');
