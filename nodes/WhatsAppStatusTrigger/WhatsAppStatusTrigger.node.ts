import type {
	IDataObject,
	IHookFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import {
	getProvider,
	normalizeCallback,
	normalizeStatusCallback,
	providerNamesInWords,
	type NormalizedCallback,
	type ProviderName,
} from '../providers';
import {
	automaticSetupNotices,
	hideHandshakeUrl,
	optionalCallbackSecrets,
	providerCredentials,
	providerParameter,
	setupNotices,
} from '../providers/description';
import {
	CallbackFormatError,
	type CallbackToVerify,
	type DeliveryStatus,
	type Provider,
	type ProviderSettings,
	type StatusCallback,
} from '../shared/types';
import { isWaitTap } from '../shared/waitToken';
import { readCredentials } from './keptCredentials';
import { RECEIVE_PARAMETER, receivesCustomerMessages } from './receiving';
import { FORWARD_PARAMETER, forwardToDisplaced } from './metaSharing';
import {
	callbackExists,
	REGISTER_PARAMETER,
	registerCallback,
	registeredCallback,
	removeCallback,
	settingsForCallbacks,
} from './registration';
import { answerWaitTaps } from './waitReplies';

interface TriggerOptions {
	includeOtherEvents?: boolean;
	publicUrl?: string;
	trustForwardedHeaders?: boolean;
	acceptUnverifiedCallbacks?: boolean;
}

/** Output order; `sent` and `other` share the optional fourth output. */
const OUTPUT_OF: Record<DeliveryStatus, number> = { delivered: 0, seen: 1, discarded: 2, sent: 3, other: 3 };

const ALWAYS_OUTPUTS = ['Delivered', 'Seen', 'Discarded'].map((displayName) => ({ type: 'main', displayName }));
const OTHER_OUTPUT = { type: 'main', displayName: 'Other' };
const RECEIVED_OUTPUT = { type: 'main', displayName: 'Received' };

/** The outputs of a trigger with these parameters: the status outputs, then Received when on. */
const configuredOutputs = (parameters: { options?: { includeOtherEvents?: boolean }; [RECEIVE_PARAMETER]?: boolean }) => [
	...ALWAYS_OUTPUTS,
	...(parameters.options?.includeOtherEvents ? [OTHER_OUTPUT] : []),
	...(parameters[RECEIVE_PARAMETER] ? [RECEIVED_OUTPUT] : []),
];

/**
 * The same, as the expression n8n evaluates in the editor: built from data, not from the
 * function's source, which a coverage run instruments with counters the expression cannot reach.
 * A version 1 node has no Received parameter, so it keeps exactly its outputs.
 */
const OUTPUTS_EXPRESSION = `={{ ${JSON.stringify(ALWAYS_OUTPUTS)}.concat(($parameter.options || {}).includeOtherEvents ? [${JSON.stringify(OTHER_OUTPUT)}] : []).concat($parameter.${RECEIVE_PARAMETER} === true ? [${JSON.stringify(RECEIVED_OUTPUT)}] : []) }}` as const;

export class WhatsAppStatusTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'WhatsApp Status Trigger',
		name: 'whatsAppStatusTrigger',
		icon: { light: 'file:whatsapp.svg', dark: 'file:whatsapp.dark.svg' },
		group: ['trigger'],
		// 2: the Received output (customers' messages), on for new nodes; version 1 nodes keep their outputs.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: '={{$parameter["provider"]}}',
		description: `Starts a workflow when a WhatsApp message is delivered, seen or discarded, or a customer writes to the number (${providerNamesInWords()})`,
		defaults: { name: 'WhatsApp Status Trigger' },
		inputs: [],
		outputs: OUTPUTS_EXPRESSION,
		credentials: providerCredentials,
		webhooks: [
			{
				// Meta verifies the callback URL with a GET before sending anything to it. First: n8n
				// makes each webhook live before registering the next, and registering the POST one makes
				// Meta send this GET.
				name: 'setup',
				httpMethod: 'GET',
				responseMode: 'onReceived',
				path: 'status',
				ndvHideUrl: hideHandshakeUrl,
			},
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
			{
				displayName: 'Register Callback Automatically',
				name: REGISTER_PARAMETER,
				type: 'boolean',
				default: true,
				description:
					'Whether to register this trigger’s URL with the provider when the workflow is activated (or the editor listens for a test event), and remove it when deactivated. Off: paste the URL into the provider’s console yourself.',
			},
			{
				displayName: 'Receive Customer Messages',
				name: RECEIVE_PARAMETER,
				type: 'boolean',
				default: true,
				displayOptions: { show: { '@version': [2] } },
				description:
					'Whether to add an output, Received, for the messages customers send to the number: texts, reply-button taps, files, locations. Off: they are acknowledged and dropped.',
			},
			...automaticSetupNotices,
			{
				displayName: 'Forward Number Events',
				name: FORWARD_PARAMETER,
				type: 'boolean',
				default: true,
				displayOptions: { show: { provider: ['meta'], [REGISTER_PARAMETER]: [true] } },
				description:
					'Whether to forward every callback Meta sends for the number, unchanged and still signed, to the URL that had the number’s events before this trigger took them (read from Meta when the workflow is published)',
			},
			{
				displayName:
					'The other URL (the app’s callback URL, the WABA’s or the number’s earlier override) still gets every customer message and status of this number, forwarded unchanged with Meta’s signature; this trigger handles the statuses too. Template and account webhooks reach it from Meta as before.',
				name: 'forwardingOnNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { provider: ['meta'], [REGISTER_PARAMETER]: [true], [FORWARD_PARAMETER]: [true] } },
			},
			{
				displayName:
					'While this workflow is published, the other URL (the app’s callback URL, the WABA’s or the number’s earlier override: a chatbot, a help desk, another WhatsApp Trigger) gets none of this number’s customer messages or statuses. It still gets template and account webhooks.',
				name: 'forwardingOffNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { provider: ['meta'], [REGISTER_PARAMETER]: [true], [FORWARD_PARAMETER]: [false] } },
			},
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
						displayName: 'Accept Unverified Callbacks',
						name: 'acceptUnverifiedCallbacks',
						type: 'boolean',
						default: false,
						description: `Whether to accept callbacks when the credential has no callback secret (${optionalCallbackSecrets}). Off: such callbacks are refused with 401. On: anyone who knows the URL can start this workflow.`,
					},
					{
						displayName:
							'Anyone who knows this webhook’s URL can start the workflow with made-up delivery events. Turn this on only for a test, or set the secret in the credential instead.',
						name: 'unverifiedWarning',
						type: 'notice',
						default: '',
						displayOptions: { show: { acceptUnverifiedCallbacks: [true] } },
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
					{
						displayName: 'Trust Forwarded Headers (Twilio)',
						name: 'trustForwardedHeaders',
						type: 'boolean',
						default: false,
						description:
							'Whether to also check the Twilio signature against the URL named by X-Forwarded-Proto and X-Forwarded-Host. Turn on only behind a proxy you run that sets them; otherwise a caller could name any host.',
					},
				],
			},
		],
	};

	// Registration runs for the POST webhook, the one callbacks reach (see registration.ts).
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await callbackExists.call(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return await registerCallback.call(this);
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await removeCallback.call(this);
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const providerName = this.getNodeParameter('provider') as ProviderName;
		const options = this.getNodeParameter('options', {}) as TriggerOptions;
		const provider = getProvider(providerName);
		const request = this.getRequestObject();
		const callback = { body: request.body as unknown, headers: request.headers, query: request.query as IDataObject };

		// The handshake is rare: it always reads the credential afresh.
		const isSetup = this.getWebhookName() === 'setup';
		const read = await readCredentials(this, provider.credentialType, isSetup);
		if (isSetup) return answerHandshake(this, provider, callback, read.credentials as ProviderSettings);
		// Checked before anything reads the body: nothing from an unverified caller goes further.
		let refused = refusal.call(this, provider, callback, read.credentials as ProviderSettings, options);
		if (refused && read.kept) {
			const { credentials } = await readCredentials(this, provider.credentialType, true);
			refused = refusal.call(this, provider, callback, credentials as ProviderSettings, options);
		}
		if (refused) return answer(this, 401, refused);
		const registered = registeredCallback(this);
		if (registered?.provider === provider.name) {
			if (registered.displaced && this.getNodeParameter(FORWARD_PARAMETER, true)) {
				forwardToDisplaced(this, registered.displaced, (read.credentials as ProviderSettings).baseUrl);
			}
			if (provider.alsoArrivesThroughRegistration?.(callback.body)) return answer(this, 200, '');
		}

		const receives = receivesCustomerMessages(this);
		let normalized: NormalizedCallback;
		try {
			normalized = receives
				? normalizeCallback({ provider: provider.name, ...callback })
				: { statuses: normalizeStatusCallback({ provider: provider.name, ...callback }), received: [] };
		} catch (error) {
			// Only this package's own wording goes back: never an internal error's text.
			const reason = error instanceof CallbackFormatError ? error.message : 'the body could not be read';
			return answer(this, 400, `Bad request: ${reason}`);
		}

		// Taps on Send and Wait's buttons resume the executions waiting for them, before anything is routed.
		if (normalized.received.some(isWaitTap)) {
			const taps = await answerWaitTaps(this, provider, normalized.received);
			if (taps.outcome === 'refused') return answer(this, 401, taps.reason);
			// The provider resends what is not acknowledged: the tap then gets another try.
			if (taps.outcome === 'unanswered') return answer(this, 503, 'Service Unavailable: n8n did not answer the resume request');
			normalized = { ...normalized, received: taps.received };
		}

		const outputs = routeToOutputs(normalized, configuredOutputs({ options, [RECEIVE_PARAMETER]: receives }).length, receives);
		if (outputs.every((output) => output.length === 0)) return answer(this, 200, '');
		return { workflowData: outputs };
	}
}

/** Each status to its output (dropped when its output is off), each customer message to Received, the last output. */
function routeToOutputs({ statuses, received }: NormalizedCallback, outputCount: number, receives: boolean): INodeExecutionData[][] {
	const outputs: INodeExecutionData[][] = Array.from({ length: outputCount }, () => []);
	const statusOutputs = receives ? outputCount - 1 : outputCount;
	for (const event of statuses) {
		const index = OUTPUT_OF[event.status];
		if (index < statusOutputs) outputs[index].push({ json: event as unknown as IDataObject });
	}
	if (receives) outputs[outputCount - 1].push(...received.map((message) => ({ json: message as unknown as IDataObject })));
	return outputs;
}

/** Why a callback is refused (401), or undefined when it may go on: genuine, or accepted unverified. */
function refusal(
	this: IWebhookFunctions,
	provider: Provider,
	callback: StatusCallback,
	credentials: ProviderSettings,
	options: TriggerOptions,
): string | undefined {
	const settings = settingsForCallbacks(this, provider, credentials);
	if (provider.canVerify(settings)) {
		return isGenuine.call(this, provider, callback, settings, options) ? undefined : 'Unauthorized: the callback failed the authenticity check';
	}
	return options.acceptUnverifiedCallbacks ? undefined : 'Unauthorized: the credential has no callback secret to check callbacks against';
}

/** The provider's check; any failure inside it (a hostile body) counts as not genuine. */
function isGenuine(
	this: IWebhookFunctions,
	provider: Provider,
	callback: StatusCallback,
	settings: ProviderSettings,
	options: TriggerOptions,
): boolean {
	const urls = () => candidateUrls.call(this, options);
	try {
		const toVerify: CallbackToVerify = {
			...callback,
			rawBody: this.getRequestObject().rawBody,
			// Built only when the provider's scheme signs the URL (Twilio): asking n8n for its webhook URL
			// costs about as much as the rest of the check.
			get urls() {
				return urls();
			},
		};
		return provider.verifyCallback(toVerify, settings);
	} catch {
		return false;
	}
}

/** A GET on the URL: the provider's handshake when it has one (Meta), else refused. Never starts an execution. */
function answerHandshake(
	context: IWebhookFunctions,
	provider: Provider,
	request: StatusCallback,
	settings: ProviderSettings,
): IWebhookResponseData {
	if (!provider.answerHandshake) return answer(context, 405, `Method Not Allowed: ${provider.displayName} sends callbacks with POST`);
	let handshake = provider.answerHandshake(request, settings);
	// A registration's token is derived from the URL it registered (the test or the production one).
	const setting = provider.registration?.secretSetting;
	const secretFor = provider.registration?.secretFor;
	if (setting && secretFor) {
		for (const url of handshakeUrls(context)) {
			if (handshake.statusCode === 200) break;
			handshake = provider.answerHandshake(request, { ...settings, [setting]: secretFor(settings, url) });
		}
	}
	const { statusCode, body } = handshake;
	// Plain text: the challenge is echoed, and must never be read as HTML.
	context.getResponseObject().type('text/plain');
	return answer(context, statusCode, body);
}

/** The URLs a GET may have been made to: the production URL, and this request's path on its host (the test URL). */
function handshakeUrls(context: IWebhookFunctions): string[] {
	const shown = context.getNodeWebhookUrl('default');
	if (!shown) return [];
	const request = context.getRequestObject();
	const path = (typeof request.originalUrl === 'string' ? request.originalUrl : '').split('?')[0];
	return [...new Set([shown, ...(path ? [new URL(shown).origin + path] : [])])];
}

/** Answers the request directly; no execution starts. */
function answer(context: IWebhookFunctions, statusCode: number, text: string): IWebhookResponseData {
	const response = context.getResponseObject();
	response.status(statusCode).send(text).end();
	return { noWebhookResponse: true };
}

/**
 * The URLs the provider may have called, for schemes that sign the URL: the Public URL
 * option, the URL n8n publishes (its configured webhook URL), and this request's own path
 * on that same host (which covers the editor's test URL). The host is never taken from the
 * request, so a signature made for another host does not pass; X-Forwarded-* count only
 * when the user says a proxy of theirs sets them. The query is kept.
 */
function candidateUrls(this: IWebhookFunctions, options: TriggerOptions): string[] {
	const request = this.getRequestObject();
	const path = typeof request.originalUrl === 'string' ? request.originalUrl : typeof request.url === 'string' ? request.url : '';
	const query = path.includes('?') ? path.slice(path.indexOf('?')) : '';
	const urls: string[] = [];
	const { publicUrl } = options;
	if (publicUrl) urls.push(publicUrl.includes('?') ? publicUrl : publicUrl + query);
	const shown = this.getNodeWebhookUrl('default');
	if (shown) {
		urls.push(shown + query);
		urls.push(new URL(shown).origin + path);
	}
	if (options.trustForwardedHeaders) {
		const host = firstHeaderValue(request.headers['x-forwarded-host']) ?? firstHeaderValue(request.headers.host);
		const protocol = firstHeaderValue(request.headers['x-forwarded-proto']) ?? request.protocol;
		if (host && /^https?$/.test(protocol)) urls.push(`${protocol}://${host}${path}`);
	}
	return [...new Set(urls)];
}

/** The first value of a header that a proxy may have appended to (`a, b`). */
function firstHeaderValue(value: string | string[] | undefined): string | undefined {
	const text = Array.isArray(value) ? value[0] : value;
	return typeof text === 'string' && text !== '' ? text.split(',')[0].trim() : undefined;
}
