/**
 * The credential's approved templates: the Template list in the editor, and the check that an
 * item gives as many variables as the chosen template has. The provider module builds the
 * request and reads the answer; this file only carries it through the credential.
 */

import {
	type IExecuteFunctions,
	type ILoadOptionsFunctions,
	type INodeListSearchResult,
	NodeOperationError,
} from 'n8n-workflow';

import { getProvider } from '../providers';
import { readFromProvider } from '../shared/transport';
import type { Provider, ProviderSettings, TemplateContent, TemplateSummary } from '../shared/types';

const LIST_TIMEOUT_MS = 30_000;

/** The sentence the Template list shows for a provider with no API to list templates. */
function noListingMessage(provider: Provider): string {
	return `${provider.displayName} has no API that lists WhatsApp templates: choose "By ID" and type the template’s name`;
}

/** Fetches and reads the approved templates; throws a NodeOperationError saying what went wrong, never a secret. */
async function fetchTemplates(
	context: IExecuteFunctions | ILoadOptionsFunctions,
	provider: Provider,
	settings: ProviderSettings,
): Promise<TemplateSummary[]> {
	const fail = (message: string) => new NodeOperationError(context.getNode(), message);
	const listing = provider.templateListing;
	if (!listing) throw fail(noListingMessage(provider));
	let url: string;
	try {
		({ url } = listing.request(settings));
	} catch (error) {
		throw fail(`Cannot list ${provider.displayName}’s templates: ${(error as Error).message}`);
	}
	let answer;
	try {
		answer = await readFromProvider(context, provider.credentialType, url, LIST_TIMEOUT_MS);
	} catch (error) {
		// Only a code travels on: the error holds the request, with its auth headers.
		const code = (error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
		throw fail(`${provider.displayName} did not answer the template list request${code ? ` (${code})` : ''}`);
	}
	if (answer.statusCode < 200 || answer.statusCode >= 300) {
		const failure = provider.readError(answer.body, answer.statusCode);
		throw fail(
			`${provider.displayName} refused the template list: ${failure.message}${failure.code !== null ? ` [${failure.code}]` : ''}`,
		);
	}
	try {
		return listing.readTemplates(answer.body);
	} catch (error) {
		throw fail(`${provider.displayName}’s template list could not be read: ${(error as Error).message}`);
	}
}

function describe(template: TemplateSummary): string {
	const parts = [template.language, template.variableCount === null ? null : `${template.variableCount} variable${template.variableCount === 1 ? '' : 's'}`];
	if (template.headerMedia) parts.push(`${template.headerMedia} header`);
	return parts.filter(Boolean).join(' · ');
}

/** The Template parameter's list: the credential's approved templates, filtered by what the user typed. */
export async function searchTemplates(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const provider = getProvider(this.getNodeParameter('provider', 'twilio') as string);
	if (!provider.templateListing) throw new NodeOperationError(this.getNode(), noListingMessage(provider));
	const settings = (await this.getCredentials(provider.credentialType)) as ProviderSettings;
	const templates = await fetchTemplates(this, provider, settings);
	const wanted = filter?.trim().toLowerCase() ?? '';
	return {
		results: templates
			.filter((template) => !wanted || `${template.name} ${template.id}`.toLowerCase().includes(wanted))
			.map((template) => ({ name: `${template.name} (${describe(template)})`, value: template.id })),
	};
}

/** Each run's template lists, by list URL: fetched once however many items use them. */
const listsOfThisRun = new WeakMap<IExecuteFunctions, Map<string, Promise<TemplateSummary[] | undefined>>>();

/**
 * For templates picked from the list, the list knows how many variables each has: a wrong count
 * is refused before anything is sent.
 */
export async function checkTemplateVariables(
	this: IExecuteFunctions,
	provider: Provider,
	settings: ProviderSettings,
	content: TemplateContent,
	itemIndex: number,
): Promise<void> {
	if (!provider.templateListing) return;
	let listCache = listsOfThisRun.get(this);
	if (!listCache) listsOfThisRun.set(this, (listCache = new Map()));
	const key = provider.templateListing.request(settings).url;
	let list = listCache.get(key);
	if (!list) {
		// A list that cannot be fetched now only skips the check: the provider still checks the send.
		list = fetchTemplates(this, provider, settings).catch(() => undefined);
		listCache.set(key, list);
	}
	const template = (await list)?.find((each) => each.id === content.template);
	if (!template || template.variableCount === null || template.variableCount === content.variables.length) return;
	throw new NodeOperationError(
		this.getNode(),
		`Item ${itemIndex} gives ${content.variables.length} template variable${content.variables.length === 1 ? '' : 's'}, but the template "${template.name}" has ${template.variableCount}`,
		{ itemIndex, description: 'Give one Template Variable for each {{1}}, {{2}}, … of the template, in order.' },
	);
}
