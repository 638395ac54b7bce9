/**
 * What one item sends: free text, an approved template, or a media file, read from the
 * node's parameters and checked before anything is sent. Errors name the item and the value.
 */

import { type IExecuteFunctions, type INodeParameterResourceLocator, NodeOperationError } from 'n8n-workflow';

import { templateReferenceHint } from '../providers/description';
import { checkedButtons, checkedPayloads } from '../shared/replyButtons';
import type { MediaKind, MessageContent, ReplyButton } from '../shared/types';
import type { ReadParameter } from './parameters';

export type MessageType = 'text' | 'template' | 'media';

export interface ItemContent {
	/** The Message parameter: a text message's text, or a media message's caption. */
	message: string;
	content?: MessageContent;
	/** Reply buttons under a text message. */
	buttons?: ReplyButton[];
	/** True when the template was picked from the provider's list, which knows its variables. */
	templateFromList: boolean;
}

const MEDIA_KINDS: readonly MediaKind[] = ['image', 'document', 'video', 'audio'];

/**
 * Media must be a public https URL: the provider hands it to WhatsApp, which fetches the
 * file over the internet, so a plain-http or local address cannot work.
 */
function httpsUrl(this: IExecuteFunctions, value: unknown, field: string, itemIndex: number): string {
	const text = typeof value === 'string' ? value.trim() : '';
	const fail = (reason: string) =>
		new NodeOperationError(this.getNode(), `${field} in item ${itemIndex} ${reason}`, { itemIndex });
	if (text === '') throw fail('is empty: give the public https URL of the file');
	let url: URL;
	try {
		url = new URL(text);
	} catch {
		throw fail(`is not a URL: ${JSON.stringify(text)}`);
	}
	if (url.protocol !== 'https:') {
		throw fail(`must start with https:// (got ${JSON.stringify(text)}): the provider passes it to WhatsApp, which fetches files over HTTPS only`);
	}
	return text;
}

function readTemplate(this: IExecuteFunctions, read: ReadParameter, itemIndex: number): { content: MessageContent; fromList: boolean } {
	const node = this.getNode();
	const locator = read('template', itemIndex, { mode: 'id', value: '' }) as INodeParameterResourceLocator | string;
	const template = String(typeof locator === 'object' && locator !== null ? (locator.value ?? '') : locator).trim();
	if (template === '') {
		throw new NodeOperationError(node, `No template in item ${itemIndex}: pick one from the list or type its ID`, {
			itemIndex,
			description: templateReferenceHint,
		});
	}
	const entries = read('templateVariables.variable', itemIndex, []) as Array<{ value?: unknown }>;
	const variables = entries.map(({ value }, index) => {
		const text = value === undefined || value === null ? '' : String(value);
		if (text.trim() === '') {
			throw new NodeOperationError(node, `Template variable ${index + 1} in item ${itemIndex} is empty: WhatsApp refuses a template with an empty {{${index + 1}}}`, {
				itemIndex,
			});
		}
		return text;
	});
	const language = String(read('templateLanguage', itemIndex, 'en')).trim() || 'en';
	const headerMedia = String(read('headerMediaUrl', itemIndex, '') ?? '').trim();
	const payloadEntries = read('quickReplyPayloads.payload', itemIndex, []) as Array<{ value?: unknown }>;
	const quickReplyPayloads = withItem(this, itemIndex, () => checkedPayloads(payloadEntries.map(({ value }) => value)));
	return {
		content: {
			type: 'template',
			template,
			language,
			variables,
			...(headerMedia ? { headerMediaUrl: httpsUrl.call(this, headerMedia, 'Header Media URL', itemIndex) } : {}),
			...(quickReplyPayloads.length > 0 ? { quickReplyPayloads } : {}),
		},
		fromList: typeof locator === 'object' && locator !== null && locator.mode === 'list',
	};
}

function readMedia(this: IExecuteFunctions, read: ReadParameter, itemIndex: number, message: string): MessageContent {
	const node = this.getNode();
	const mediaType = read('mediaType', itemIndex, 'image') as MediaKind;
	if (!MEDIA_KINDS.includes(mediaType)) {
		throw new NodeOperationError(node, `Unknown media type ${JSON.stringify(mediaType)} in item ${itemIndex}: use ${MEDIA_KINDS.join(', ')}`, { itemIndex });
	}
	const url = httpsUrl.call(this, read('mediaUrl', itemIndex, ''), 'Media URL', itemIndex);
	// WhatsApp shows no caption on audio: refuse rather than drop the text unseen.
	if (mediaType === 'audio' && message.trim() !== '') {
		throw new NodeOperationError(node, `Item ${itemIndex} is an audio message with a Message, but WhatsApp shows no caption on audio`, {
			itemIndex,
			description: 'Clear Message for audio, or send the text as a message of its own.',
		});
	}
	const fileName = mediaType === 'document' ? String(read('fileName', itemIndex, '') ?? '').trim() : '';
	return {
		type: 'media',
		mediaType,
		url,
		...(fileName ? { fileName } : {}),
		...(message ? { caption: message } : {}),
	};
}

/** Reads and checks what one item sends; throws NodeOperationError naming the item and the value. */
export function readItemContent(this: IExecuteFunctions, read: ReadParameter, itemIndex: number): ItemContent {
	const messageType = read('messageType', itemIndex, 'text') as MessageType;
	if (messageType === 'template') {
		const { content, fromList } = readTemplate.call(this, read, itemIndex);
		return { message: '', content, templateFromList: fromList };
	}
	const message = String(read('message', itemIndex, '') ?? '');
	if (messageType === 'media') return { message, content: readMedia.call(this, read, itemIndex, message), templateFromList: false };
	const entries = read('replyButtons.button', itemIndex, []) as Array<{ title?: unknown; id?: unknown }>;
	const buttons = withItem(this, itemIndex, () => checkedButtons(entries));
	return { message, ...(buttons.length > 0 ? { buttons } : {}), templateFromList: false };
}

/** Runs a check that throws a plain Error, and makes its error one that names the item. */
function withItem<T>(context: IExecuteFunctions, itemIndex: number, check: () => T): T {
	try {
		return check();
	} catch (error) {
		const reason = (error as Error).message;
		throw new NodeOperationError(context.getNode(), `Item ${itemIndex}: ${reason[0].toUpperCase()}${reason.slice(1)}`, { itemIndex });
	}
}
