import {
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type INodeType,
	type INodeTypeDescription,
	type IWebhookFunctions,
	type IWebhookResponseData,
	type JsonObject,
	NodeApiError,
	NodeConnectionTypes,
	NodeOperationError,
} from 'n8n-workflow';

import { providerNamesInWords } from '../providers';
import { providerCredentials, providerParameter } from '../providers/description';
import { RateGate } from '../shared/rateGate';
import { runPool, type Settled } from '../shared/sendPool';
import { messageContentProperties } from './contentDescription';
import { errorKindOf, failedItem } from './failedItem';
import { addressOf, type PreparedMessage, prepareMessage, providerCodeOf, sendMessage } from './messages';
import { batchParameters } from './parameters';
import { resumeWebhook, sendAndWait } from './sendAndWait';
import { onlyFor, operationParameter, resumeWebhooks, SEND_AND_WAIT, sendAndWaitProperties } from './sendAndWaitDescription';
import { searchTemplates } from './templates';

interface SendOptions {
	concurrency?: number;
	maxPerSecond?: number;
	maxRetries?: number;
	timeout?: number;
}

export class WhatsAppNotify implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Notify',
		name: 'whatsAppNotify',
		icon: { light: 'file:whatsapp.svg', dark: 'file:whatsapp.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{"to " + $parameter["recipient"] + " via " + $parameter["provider"]}}',
		description: `Send a WhatsApp message through ${providerNamesInWords()}`,
		defaults: { name: 'WhatsApp Notify' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: providerCredentials,
		webhooks: resumeWebhooks,
		properties: [
			providerParameter('The provider that sends the message; its credential is used'),
			operationParameter,
			{
				displayName: 'Recipient',
				name: 'recipient',
				type: 'string',
				default: '',
				required: true,
				placeholder: '+919988776655',
				description: 'The phone number in E.164: a plus sign, the country code and the number, no spaces or signs',
			},
			...onlyFor('send', messageContentProperties),
			...sendAndWaitProperties,
			...onlyFor('send', [
			{
				displayName: 'Override (JSON)',
				name: 'override',
				type: 'json',
				default: '{}',
				description:
					'Merged into the provider’s request body as the last word: templates, media, buttons, any provider field. Null removes a field. A "_config" object replaces credential settings for this message, e.g. {"_config": {"fromNumber": "+15550001111"}}.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Concurrency',
						name: 'concurrency',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 100 },
						default: 5,
						description: 'How many messages may be in flight at once',
					},
					{
						displayName: 'Max Retries on 429',
						name: 'maxRetries',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: 20 },
						default: 5,
						description:
							'How often a message the provider refused with 429 (too many requests, or the provider’s own code for it) is tried again, after Retry-After or a growing pause; each such answer also slows the sending down. Other failures are never retried, so no one gets a message twice.',
					},
					{
						displayName: 'Messages Per Second',
						name: 'maxPerSecond',
						type: 'number',
						typeOptions: { minValue: 0 },
						default: 0,
						description:
							'A hard cap on how many messages start each second. 0 (the default): no cap, the node learns the provider’s limit from its 429s and sends just under it, shared by the executions of this n8n that use the same credential.',
					},
					{
						displayName: 'Timeout (Ms)',
						name: 'timeout',
						type: 'number',
						typeOptions: { minValue: 1000 },
						default: 30000,
						description: 'How long to wait for the provider’s answer',
					},
				],
			},
			]),
		],
	};

	methods = { listSearch: { searchTemplates } };

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		return await resumeWebhook.call(this);
	}

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		if (this.getNodeParameter('operation', 0, 'send') === SEND_AND_WAIT) return await sendAndWait.call(this);
		const items = this.getInputData();
		const options = this.getNodeParameter('options', 0, {}) as SendOptions;
		const continueOnFail = this.continueOnFail();
		const toErrorOutput = this.getNode().onError === 'continueErrorOutput';
		const output: INodeExecutionData[] = new Array(items.length);

		// Check every item before sending any, so a bad row stops the batch before anyone is messaged.
		const batch = { read: batchParameters(this), credentials: new Map<string, ICredentialDataDecryptedObject>() };
		const toSend: PreparedMessage[] = [];
		for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
			try {
				toSend.push(await prepareMessage.call(this, itemIndex, batch));
			} catch (error) {
				const failure =
					error instanceof NodeOperationError ? error : new NodeOperationError(this.getNode(), error as Error, { itemIndex });
				if (!continueOnFail) throw failure;
				// Refused before sending, unless the check itself asked the provider (reply buttons' content).
				const failed = { error: failure, errorKind: errorKindOf(error, 'input'), errorCode: null, ...addressOf.call(this, itemIndex) };
				output[itemIndex] = failedItem(items[itemIndex], itemIndex, failed, toErrorOutput);
			}
		}

		const policy = {
			gate: new RateGate(options.maxPerSecond ?? 0),
			maxRetries: options.maxRetries ?? 5,
			timeoutMs: options.timeout ?? 30000,
		};
		const results = await runPool(
			toSend.length,
			options.concurrency ?? 5,
			async (index) => await sendMessage.call(this, toSend[index], policy),
			!continueOnFail,
		);

		for (let index = 0; index < toSend.length; index++) {
			const { itemIndex, provider, recipient } = toSend[index];
			const result = results[index];
			if (result?.ok) {
				output[itemIndex] = { json: result.value, pairedItem: { item: itemIndex } };
			} else if (result) {
				// sendMessage throws NodeApiError, already naming the item.
				const error =
					result.error instanceof NodeApiError
						? result.error
						: new NodeApiError(this.getNode(), result.error as JsonObject, { itemIndex });
				if (!continueOnFail) throw withBatchContext(error, toSend, results);
				const failed = { error, errorKind: errorKindOf(error, 'unreachable'), errorCode: providerCodeOf(error), provider: provider.name, recipient };
				output[itemIndex] = failedItem(items[itemIndex], itemIndex, failed, toErrorOutput);
			}
		}
		return [output];
	}
}

/** Item numbers as short ranges: `0-3, 7, 9-12`. */
function itemRanges(items: number[]): string {
	const ranges: string[] = [];
	for (let start = 0; start < items.length; ) {
		let end = start;
		while (end + 1 < items.length && items[end + 1] === items[end] + 1) end++;
		ranges.push(end === start ? `${items[start]}` : `${items[start]}-${items[end]}`);
		start = end + 1;
	}
	return ranges.join(', ');
}

/**
 * Tells the user what became of every item of the batch: which were sent (with their message
 * ids, so a re-run can skip them and no one is messaged twice), which failed, which were not tried.
 */
function withBatchContext(
	error: NodeApiError,
	toSend: readonly PreparedMessage[],
	results: ReadonlyArray<Settled<IDataObject> | undefined>,
): NodeApiError {
	if (results.length < 2) return error;
	const sent: string[] = [];
	const failed: number[] = [];
	const notTried: number[] = [];
	results.forEach((result, index) => {
		const { itemIndex } = toSend[index];
		if (result === undefined) notTried.push(itemIndex);
		else if (result.ok) sent.push(`${itemIndex} (${String(result.value.messageId)})`);
		else failed.push(itemIndex);
	});
	const batch = [
		`Sent: ${sent.length ? `items ${sent.join(', ')}` : 'none'}.`,
		`Failed: items ${itemRanges(failed)}.`,
		`Not tried: ${notTried.length ? `items ${itemRanges(notTried)}` : 'none'}.`,
		'Before running again, remove the sent items; or set On Error to "Continue (using error output)" so every item reports its own result.',
	].join(' ');
	error.description = error.description ? `${error.description} ${batch}` : batch;
	return error;
}
