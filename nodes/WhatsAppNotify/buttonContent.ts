/**
 * The content a provider needs before a message can carry reply buttons (Twilio's quick-reply
 * Content): found by its name, or made once, through the credential. The provider module says
 * what to ask and how to read the answer; this file carries it and remembers the answer.
 */

import { type IExecuteFunctions, NodeOperationError } from 'n8n-workflow';

import { callProvider } from '../shared/transport';
import type { Provider, ProviderSettings } from '../shared/types';
import { errorKindOf, withErrorKind } from './failedItem';

const CONTENT_TIMEOUT_MS = 30_000;

/**
 * The content's SID by account, host and number of buttons, for this process: the content is
 * made once and reused by every later message. A failed attempt is forgotten, so the next item tries again.
 */
const known = new Map<string, Promise<string>>();

async function findOrMake(context: IExecuteFunctions, provider: Provider, settings: ProviderSettings, buttonCount: number): Promise<string> {
	const content = provider.buttonContent;
	if (!content) throw new Error(`${provider.displayName} needs no content for buttons`);
	const ask = async (request: ReturnType<typeof content.lookup>) => {
		let answer;
		try {
			answer = await callProvider(context, provider.credentialType, request, CONTENT_TIMEOUT_MS);
		} catch (error) {
			// Only a code travels on: an HTTP error holds the request, with its auth headers.
			const code = (error as { code?: string; cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code;
			throw withErrorKind(new NodeOperationError(context.getNode(), `${provider.displayName} did not answer${code ? ` (${code})` : ''}`), 'unreachable');
		}
		if (answer.statusCode < 200 || answer.statusCode >= 300) {
			const failure = provider.readError(answer.body, answer.statusCode);
			const refusal = `${provider.displayName} refused: ${failure.message}${failure.code !== null ? ` [${failure.code}]` : ''}`;
			throw withErrorKind(new NodeOperationError(context.getNode(), refusal), answer.statusCode >= 500 ? 'unreachable' : 'provider');
		}
		return answer.body;
	};
	const found = content.readLookup(await ask(content.lookup(settings)), buttonCount);
	return found ?? content.readCreated(await ask(content.create(settings, buttonCount)));
}

/** The SID of the content for this many buttons; throws a NodeOperationError naming the item, never a secret. */
export async function buttonContentFor(
	context: IExecuteFunctions,
	provider: Provider,
	settings: ProviderSettings,
	buttonCount: number,
	itemIndex: number,
): Promise<string> {
	const key = [provider.name, settings.accountSid ?? '', settings.baseUrl ?? '', buttonCount].join('\n');
	let sid = known.get(key);
	if (!sid) {
		sid = findOrMake(context, provider, settings, buttonCount);
		known.set(key, sid);
		sid.catch(() => known.delete(key));
	}
	try {
		return await sid;
	} catch (error) {
		const reason = (error as Error).message;
		const failure = new NodeOperationError(
			context.getNode(),
			`Cannot send item ${itemIndex} through ${provider.displayName}: the quick-reply Content for ${buttonCount} reply buttons could not be found or made (${reason})`,
			{ itemIndex, description: 'Reply buttons on Twilio need the Content API: check that the credential may create Content.' },
		);
		throw withErrorKind(failure, errorKindOf(error, 'provider'));
	}
}
