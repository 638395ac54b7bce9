import type {
	ICredentialDataDecryptedObject,
	IDataObject,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { getProvider, normalizeStatusCallback } from '../providers';
import { providerCredentials, providerParameter } from '../shared/description';
import type { DeliveryStatus, ProviderName, ProviderSettings, StatusEvent } from '../shared/types';
import { setupNotices } from './setup';

interface TriggerOptions {
	includeOtherEvents?: boolean;
	publicUrl?: string;
}

/** Output order; `sent` and `other` share the optional fourth output. */
const OUTPUT_OF: Record<DeliveryStatus, number> = { delivered: 0, seen: 1, discarded: 2, sent: 3, other: 3 };

/**
 * The outputs as n8n evaluates them in the editor. It runs inside an n8n
 * expression, so it must stand alone: no imports, no optional chaining.
 */
const configuredOutputs = (parameters: { options?: { includeOtherEvents?: boolean } }) => {
	const names = ['Delivered', 'Seen', 'Discarded'];
	if ((parameters.options || {}).includeOtherEvents) names.push('Other');
	return names.map((displayName) => ({ type: 'main', displayName }));
};

export class WhatsAppStatusTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Status Trigger',
		name: 'whatsAppStatusTrigger',
		icon: { light: 'file:whatsapp.svg', dark: 'file:whatsapp.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{$parameter["provider"]}}',
		description: 'Starts a workflow when a WhatsApp message is delivered, seen or discarded (Smooch, Gupshup, Twilio)',
		defaults: { name: 'WhatsApp Status Trigger' },
		inputs: [],
		outputs: `={{(${configuredOutputs})($parameter)}}`,
		credentials: providerCredentials,
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// Providers resend when the answer is slow: acknowledge at once, empty.
				responseMode: 'onReceived',
				responseData: 'noData',
				path: 'status',
			},
		],
		properties: [
			providerParameter('The provider whose delivery callbacks arrive here; its credential checks that they are genuine'),
			...setupNotices,
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Include Other Events',
						name: 'includeOtherEvents',
						type: 'boolean',
						default: false,
						description:
							'Whether to add a fourth output, Other, for events that are neither delivered, seen nor discarded (sent, enqueued, queued, …). Off: they are acknowledged and dropped.',
					},
					{
						displayName: 'Public URL (Twilio)',
						name: 'publicUrl',
						type: 'string',
						default: '',
						placeholder: 'https://n8n.example.com/webhook/…/status',
						description:
							'The exact URL configured in Twilio, when a proxy makes it differ from the URL n8n shows. Twilio signs that URL.',
					},
				],
			},
		],
	};

	// The callback URL is pasted into the provider's console (see the notes in the panel),
	// so there is nothing to register or remove on the provider's side.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const providerName = this.getNodeParameter('provider') as ProviderName;
		const options = this.getNodeParameter('options', {}) as TriggerOptions;
		const provider = getProvider(providerName);
		const request = this.getRequestObject();
		const callback = { body: request.body as unknown, headers: request.headers, query: request.query as IDataObject };

		const credentials = await this.getCredentials<ICredentialDataDecryptedObject>(provider.credentialType);
		const settings = credentials as ProviderSettings;
		if (provider.canVerify(settings)) {
			const genuine = provider.verifyCallback(
				{ ...callback, urls: candidateUrls.call(this, options.publicUrl), rawBody: request.rawBody },
				settings,
			);
			if (!genuine) return answer(this, 401, 'Unauthorized: the callback failed the authenticity check');
		}

		let events: StatusEvent[];
		try {
			events = normalizeStatusCallback({ provider: provider.name, ...callback });
		} catch (error) {
			return answer(this, 400, `Bad request: ${(error as Error).message}`);
		}

		const outputs: INodeExecutionData[][] = configuredOutputs({ options }).map(() => []);
		for (const event of events) {
			outputs[OUTPUT_OF[event.status]]?.push({ json: event as unknown as IDataObject });
		}
		if (outputs.every((output) => output.length === 0)) return answer(this, 200, '');
		return { workflowData: outputs };
	}
}

/** Answers the request directly; no execution starts. */
function answer(context: IWebhookFunctions, statusCode: number, text: string): IWebhookResponseData {
	const response = context.getResponseObject();
	response.status(statusCode).send(text).end();
	return { noWebhookResponse: true };
}

/**
 * The URLs the provider may have called, for schemes that sign the URL: the one
 * the user says, the one n8n shows (production), and this request's own path
 * on that host (which also covers the editor's test URL). The query is kept.
 */
function candidateUrls(this: IWebhookFunctions, publicUrl: string | undefined): string[] {
	const request = this.getRequestObject();
	const path = request.originalUrl ?? request.url ?? '';
	const query = path.includes('?') ? path.slice(path.indexOf('?')) : '';
	const urls: string[] = [];
	if (publicUrl) urls.push(publicUrl.includes('?') ? publicUrl : publicUrl + query);
	const shown = this.getNodeWebhookUrl('default');
	if (shown) {
		urls.push(shown + query);
		urls.push(new URL(shown).origin + path);
	}
	const host = request.headers['x-forwarded-host'] ?? request.headers.host;
	const protocol = request.headers['x-forwarded-proto'] ?? request.protocol;
	if (host) urls.push(`${String(protocol).split(',')[0]}://${String(host).split(',')[0]}${path}`);
	return [...new Set(urls)];
}
