/**
 * The trigger's credential, kept for a few seconds between callbacks.
 *
 * In a webhook, n8n reads the credential anew on every call: a database query, a decryption and a
 * pass through the expression engine, which in n8n 2.39's default vm engine waits for the one
 * expression isolate that running executions also use. Under a burst of callbacks that read is
 * what made the trigger answer far slower than n8n's own Webhook node. A callback that does not
 * pass the check against a kept credential is checked again against a fresh read before it is
 * refused, so a new or changed secret applies at once; a replaced secret is still accepted for at
 * most KEEP_MS after the change.
 */

import type { ICredentialDataDecryptedObject, IWebhookFunctions } from 'n8n-workflow';

export const KEEP_MS = 5_000;

interface Kept {
	credentials: ICredentialDataDecryptedObject;
	until: number;
}

const kept = new Map<string, Kept>();

/** One trigger node's credential of one type: a workflow's node, and the credential it names. */
function keyOf(context: IWebhookFunctions, credentialType: string): string {
	const node = context.getNode();
	const reference = node.credentials?.[credentialType];
	return [context.getWorkflow().id ?? '', node.id, credentialType, reference?.id ?? reference?.name ?? ''].join('\n');
}

export interface ReadCredentials {
	credentials: ICredentialDataDecryptedObject;
	/** Read earlier (within KEEP_MS), not from n8n for this call. */
	kept: boolean;
}

/** The node's credential: the kept one when it is recent enough, unless `fresh` asks for a new read. */
export async function readCredentials(context: IWebhookFunctions, credentialType: string, fresh = false): Promise<ReadCredentials> {
	const key = keyOf(context, credentialType);
	const now = Date.now();
	const entry = kept.get(key);
	if (!fresh && entry && entry.until > now) return { credentials: entry.credentials, kept: true };
	const credentials = await context.getCredentials<ICredentialDataDecryptedObject>(credentialType);
	// Secrets stay no longer than they are useful: expired entries go whenever a credential is read.
	for (const [other, { until }] of kept) if (until <= now) kept.delete(other);
	kept.set(key, { credentials, until: now + KEEP_MS });
	return { credentials, kept: false };
}

/** For tests: every kept credential is forgotten. */
export function forgetKeptCredentials(): void {
	kept.clear();
}
