/**
 * Taps on Send and Wait's buttons among a callback's customer messages: each resumes the
 * execution waiting for it (shared/waitToken.ts does the checking and the resume call). A
 * forged or replayed tap refuses the whole callback (401) and resumes nothing; a tap on a wait
 * that has ended goes on to the Received output like any other message.
 */

import type { IN8nHttpFullResponse, IWebhookFunctions } from 'n8n-workflow';

import type { Provider, ProviderSettings, ReceivedMessage } from '../shared/types';
import { isWaitTap, type PostJson, resumeFromReply, waitKey } from '../shared/waitToken';
import { readCredentials } from './keptCredentials';

const RESUME_TIMEOUT_MS = 30_000;

export type WaitTaps =
	| { outcome: 'refused'; reason: string }
	| { outcome: 'unanswered' }
	/** The messages that still go to Received: all but the taps that resumed a wait. */
	| { outcome: 'done'; received: ReceivedMessage[] };

/**
 * A plain POST to n8n's own resume URL. Not through the credential: the provider's secret has
 * no business at n8n's URL. The answer's signature is what proves the caller.
 */
function postJson(context: IWebhookFunctions): PostJson {
	return async (url, body, headers) => {
		const response = (await context.helpers.httpRequest({
			method: 'POST',
			url,
			body,
			headers,
			json: true,
			timeout: RESUME_TIMEOUT_MS,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
			disableFollowRedirect: true,
		})) as IN8nHttpFullResponse;
		return { statusCode: response.statusCode, body: response.body };
	};
}

export async function answerWaitTaps(context: IWebhookFunctions, provider: Provider, received: ReceivedMessage[]): Promise<WaitTaps> {
	// Taps are rare and decide an execution: the credential is read afresh, never a kept copy.
	const { credentials } = await readCredentials(context, provider.credentialType, true);
	let key: Buffer;
	try {
		key = waitKey(provider, credentials as ProviderSettings);
	} catch {
		return { outcome: 'refused', reason: 'Unauthorized: the credential cannot check Send and Wait replies' };
	}
	const post = postJson(context);
	const kept: ReceivedMessage[] = [];
	for (const message of received) {
		if (!isWaitTap(message)) {
			kept.push(message);
			continue;
		}
		const outcome = await resumeFromReply(message, key, post);
		if (outcome === 'rejected') return { outcome: 'refused', reason: 'Unauthorized: a forged or replayed Send and Wait reply' };
		if (outcome === 'unanswered') return { outcome: 'unanswered' };
		if (outcome === 'not-a-wait') kept.push(message);
	}
	return { outcome: 'done', received: kept };
}
