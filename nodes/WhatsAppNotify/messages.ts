/**
 * WhatsApp Notify's work for one item: check the input, build the provider's
 * request, send it, and turn the answer into an output or an n8n error.
 */

import {
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type INode,
	type JsonObject as N8nJsonObject,
	NodeApiError,
	NodeOperationError,
} from 'n8n-workflow';

import { getProvider } from '../providers';
import type { JsonObject } from '../shared/json';
import { applyConfig, assertRecipientUntouched, parseOverride, splitOverride } from '../shared/override';
import { isE164 } from '../shared/phone';
import { sendToProvider, type SendPolicy } from '../shared/transport';
import type { Provider, ProviderSettings, SendRequest } from '../shared/types';
import { buttonContentFor } from './buttonContent';
import { readItemContent } from './content';
import { withErrorKind } from './failedItem';
import type { ReadParameter } from './parameters';
import { checkTemplateVariables } from './templates';

export interface PreparedMessage {
	itemIndex: number;
	provider: Provider;
	credentials: ICredentialDataDecryptedObject;
	recipient: string;
	request: SendRequest;
}

function invalidRecipientMessage(recipient: unknown, itemIndex: number): string {
	return `Invalid recipient ${JSON.stringify(recipient)} in item ${itemIndex}: use E.164, a plus sign, the country code and the number, with no spaces or signs (for example +919988776655)`;
}

/** A number is accepted (a spreadsheet column), anything else (an array, an object) is not: ''. */
function recipientText(raw: unknown): string {
	return typeof raw === 'string' ? raw.trim() : typeof raw === 'number' ? `+${raw}` : '';
}

/** The provider and recipient of an item that failed before sending, as far as its parameters can be read. */
export function addressOf(this: IExecuteFunctions, itemIndex: number): { provider: string | null; recipient: string | null } {
	const read = (name: string): unknown => {
		try {
			return this.getNodeParameter(name, itemIndex);
		} catch {
			return undefined; // an expression that fails: the item's error already says so
		}
	};
	const provider = read('provider');
	return { provider: typeof provider === 'string' ? provider : null, recipient: recipientText(read('recipient')) || null };
}

/** The provider's own code for a refused send (kept in the error's context by sendMessage), or null. */
export function providerCodeOf(error: NodeApiError): string | number | null {
	const code = error.context.providerCode;
	return typeof code === 'string' || typeof code === 'number' ? code : null;
}

/** What every item of a batch shares: its parameter reader and the credentials read so far, by type. */
export interface Batch {
	read: ReadParameter;
	credentials: Map<string, ICredentialDataDecryptedObject>;
}

/** Reads and checks one item's parameters; throws NodeOperationError naming the item and the value. */
export async function prepareMessage(this: IExecuteFunctions, itemIndex: number, batch: Batch): Promise<PreparedMessage> {
	const node = this.getNode();
	const { read } = batch;
	const providerName = read('provider', itemIndex) as string;
	const rawRecipient = read('recipient', itemIndex);
	const { message, content, buttons, templateFromList } = readItemContent.call(this, read, itemIndex);
	const rawOverride = read('override', itemIndex, '{}');

	const recipient = recipientText(rawRecipient);
	if (!isE164(recipient)) {
		throw new NodeOperationError(node, invalidRecipientMessage(rawRecipient, itemIndex), {
			itemIndex,
			description: 'WhatsApp needs the full international number, such as +14155552671 or +919988776655.',
		});
	}

	const provider = providerFor(node, providerName, itemIndex);
	let override: JsonObject;
	let config: JsonObject;
	try {
		({ body: override, config } = splitOverride(parseOverride(rawOverride)));
	} catch (error) {
		throw new NodeOperationError(node, `Invalid override in item ${itemIndex}: ${(error as Error).message}`, {
			itemIndex,
			description: 'The override must be a JSON object, for example {"message": {"type": "image"}}.',
		});
	}

	const cached = batch.credentials.get(provider.credentialType);
	const credentials =
		cached ?? (await this.getCredentials<ICredentialDataDecryptedObject>(provider.credentialType, itemIndex));
	batch.credentials.set(provider.credentialType, credentials);
	if (content?.type === 'template' && templateFromList) {
		await checkTemplateVariables.call(this, provider, credentials as ProviderSettings, content, itemIndex);
	}

	let settings: ProviderSettings | undefined;
	let buttonContentSid: string | undefined;
	try {
		settings = applyConfig(credentials as ProviderSettings, config, provider);
	} catch (error) {
		throw new NodeOperationError(node, `Cannot send item ${itemIndex} through ${provider.displayName}: ${(error as Error).message}`, { itemIndex });
	}
	if (buttons?.length && provider.buttonContent) {
		buttonContentSid = await buttonContentFor(this, provider, settings, buttons.length, itemIndex);
	}
	try {
		assertRecipientUntouched(override, provider.recipientFields);
		const request = provider.buildSendRequest({ recipient, message, content, buttons, buttonContentSid, override, settings });
		// Checked here, so a request that cannot be sent fails now, before anything went out.
		JSON.stringify(request.body);
		assertHttpUrl(request.url);
		return { itemIndex, provider, credentials, recipient, request };
	} catch (error) {
		throw new NodeOperationError(node, `Cannot send item ${itemIndex} through ${provider.displayName}: ${(error as Error).message}`, {
			itemIndex,
		});
	}
}

/** The request's URL comes from the credential's Base URL: it must be http(s) to be sent at all. */
function assertHttpUrl(url: string): void {
	let protocol: string | undefined;
	try {
		protocol = new URL(url).protocol;
	} catch {
		protocol = undefined;
	}
	if (protocol !== 'https:' && protocol !== 'http:') {
		throw new Error(`the request URL ${JSON.stringify(url.slice(0, 100))} is not an http(s) URL: check the credential’s Base URL`);
	}
}

function providerFor(node: INode, name: string, itemIndex: number): Provider {
	try {
		return getProvider(name);
	} catch (error) {
		throw new NodeOperationError(node, `Unknown provider in item ${itemIndex}: ${(error as Error).message}`, { itemIndex });
	}
}

/** Sends one prepared message; resolves to the output item's JSON or throws NodeApiError. */
export async function sendMessage(
	this: IExecuteFunctions,
	prepared: PreparedMessage,
	policy: SendPolicy,
): Promise<IDataObject> {
	const { provider, recipient, itemIndex } = prepared;
	const node = this.getNode();
	const response = await sendToProvider(this, provider, prepared.credentials, prepared.request, policy);
	if (!response.answered) {
		const noAnswer = new NodeApiError(
			node,
			{ message: response.message } /* no code: n8n would swap our message for its generic one */,
			{
				itemIndex,
				message: `${provider.displayName} did not answer for item ${itemIndex} (${recipient}): ${response.message}`,
				description: `${response.code ? `Network error ${response.code}. ` : ''}The provider may have accepted the message, so it was not sent again. Check the provider’s logs before sending this item again, and do not turn on Retry on Fail for this node: it would resend every item of the batch.`,
			},
		);
		throw withErrorKind(noAnswer, 'unreachable');
	}

	const { statusCode, body } = response;
	if (statusCode >= 300 && statusCode < 400) {
		const target = redirectTarget(response.location, prepared.request.url);
		const redirected = new NodeApiError(node, { message: `redirected to ${target}` } as N8nJsonObject, {
			itemIndex,
			httpCode: String(statusCode),
			message: `${provider.displayName} refused item ${itemIndex} (${recipient}): HTTP ${statusCode}, a redirect to ${target}`,
			description:
				'Redirects are not followed, so the credential is never sent to another host and nothing was sent there. Check the credential’s Base URL: it should be the provider’s API host itself.',
		});
		// The provider was not reached: its address (the Base URL) sent the request elsewhere.
		throw withErrorKind(redirected, 'unreachable');
	}
	const messageId = statusCode >= 200 && statusCode < 300 ? provider.readMessageId(body) : undefined;
	if (messageId === undefined) {
		const failure = provider.readError(body, statusCode);
		const refusal = new NodeApiError(node, { code: failure.code, message: failure.message } as N8nJsonObject, {
			itemIndex,
			httpCode: String(statusCode),
			message: `${provider.displayName} refused item ${itemIndex} (${recipient}): ${failure.message}${failure.code !== null ? ` [${failure.code}]` : ''}`,
			description: describeRefusal(statusCode, response.retries, response.throttled === true),
		});
		refusal.context.providerCode = failure.code;
		// A 5xx is the provider failing, not refusing: it may have taken the message.
		throw withErrorKind(refusal, statusCode >= 500 ? 'unreachable' : 'provider');
	}
	return {
		provider: provider.name,
		status: 'sent',
		messageId,
		recipient,
		sentAt: new Date().toISOString(),
		response: body as IDataObject,
	};
}

/** The host a redirect pointed at (relative to the request's URL), or a plain phrase when there is none. */
function redirectTarget(location: string | undefined, requestUrl: string): string {
	if (!location) return 'no Location';
	try {
		return new URL(location, requestUrl).host;
	} catch {
		return 'an unreadable Location';
	}
}

function describeRefusal(statusCode: number, retries: number, throttled: boolean): string {
	if (throttled) return `The provider kept answering "too many requests" after ${retries} retries. Raise Max Retries on 429, or set Messages Per Second under the provider’s limit.`;
	if (statusCode === 401 || statusCode === 403) return 'The provider rejected the credential: check it with the credential’s Test button.';
	if (statusCode >= 500) return 'The provider failed; it may have accepted the message, so it was not sent again.';
	return `The provider answered HTTP ${statusCode}.`;
}
