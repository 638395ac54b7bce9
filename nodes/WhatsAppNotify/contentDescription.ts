/** WhatsApp Notify's parameters for what a message carries: text, an approved template, or a media file. */

import type { INodeProperties } from 'n8n-workflow';

import { PROVIDERS } from '../providers';
import {
	documentFileNameProviders,
	templateHeaderMediaProviders,
	templateLanguageProviders,
	templateReferenceHint,
} from '../providers/description';

const withoutTemplateList = Object.values(PROVIDERS)
	.filter((provider) => !provider.templateListing)
	.map((provider) => provider.name as string);

const forTemplate = { show: { messageType: ['template'] } };

export const messageContentProperties: INodeProperties[] = [
	{
		displayName: 'Message Type',
		name: 'messageType',
		type: 'options',
		noDataExpression: true,
		options: [
			{ name: 'Text', value: 'text', description: 'Free text; WhatsApp delivers it only within 24 hours of the customer’s last message' },
			{ name: 'Template', value: 'template', description: 'An approved template: the only way to start a conversation' },
			{ name: 'Media', value: 'media', description: 'An image, document, video or audio file from a public URL' },
		],
		default: 'text',
	},
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		typeOptions: { rows: 4 },
		default: '',
		description: 'The text of the message; for media, the caption under the image, video or document',
		// WhatsApp shows no caption on audio.
		displayOptions: { show: { messageType: ['text', 'media'] }, hide: { mediaType: ['audio'] } },
	},
	{
		displayName: 'Reply Buttons',
		name: 'replyButtons',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Button',
		default: {},
		description:
			'Up to three buttons under the text, which the customer taps instead of typing (only inside the 24-hour window: outside it, use a template with quick replies). A Status Trigger with the Received output gets the tap, with the button’s ID.',
		displayOptions: { show: { messageType: ['text'] } },
		options: [
			{
				displayName: 'Button',
				name: 'button',
				values: [
					{ displayName: 'Title', name: 'title', type: 'string', default: '', placeholder: 'Confirm', description: 'What the button says: at most 20 characters' },
					{
						displayName: 'ID',
						name: 'id',
						type: 'string',
						default: '',
						placeholder: 'confirm',
						description: 'What comes back when the button is tapped (at most 256 characters); empty: the title',
					},
				],
			},
		],
	},
	{
		displayName: 'Template',
		name: 'template',
		type: 'resourceLocator',
		default: { mode: 'list', value: '' },
		required: true,
		description: 'An approved WhatsApp template of this credential',
		displayOptions: forTemplate,
		modes: [
			{
				displayName: 'From List',
				name: 'list',
				type: 'list',
				placeholder: 'Select a template...',
				typeOptions: { searchListMethod: 'searchTemplates', searchable: true },
			},
			{
				displayName: 'By ID',
				name: 'id',
				type: 'string',
				placeholder: 'HXb5b62575e6e4ff6129ad7c8efe1f983e or order_shipped',
				hint: templateReferenceHint,
			},
		],
	},
	{
		displayName:
			'This provider has no API that lists WhatsApp templates: choose "By ID" above and type the template’s name, as approved in WhatsApp Manager',
		name: 'templateListNotice',
		type: 'notice',
		default: '',
		displayOptions: { show: { messageType: ['template'], provider: withoutTemplateList } },
	},
	{
		displayName: 'Template Language',
		name: 'templateLanguage',
		type: 'string',
		default: 'en',
		placeholder: 'en_US',
		description: 'The language code of the approved template, which this provider addresses by name and language',
		displayOptions: { show: { messageType: ['template'], provider: templateLanguageProviders } },
	},
	{
		displayName: 'Template Variables',
		name: 'templateVariables',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Variable',
		default: {},
		description: 'The values for the template’s {{1}}, {{2}}, … in order',
		displayOptions: forTemplate,
		options: [
			{
				displayName: 'Variable',
				name: 'variable',
				values: [
					{
						displayName: 'Value',
						name: 'value',
						type: 'string',
						default: '',
						description: 'The value of the next {{n}} of the template',
					},
				],
			},
		],
	},
	{
		displayName: 'Quick Reply Payloads',
		name: 'quickReplyPayloads',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Payload',
		default: {},
		description:
			'What comes back when the customer taps one of the template’s quick-reply buttons, in the buttons’ order (the Received output’s button.ID). The titles are the template’s own.',
		// Twilio takes a template's button ids from the Content template itself.
		displayOptions: { show: { messageType: ['template'] }, hide: { provider: ['twilio'] } },
		options: [
			{
				displayName: 'Payload',
				name: 'payload',
				values: [{ displayName: 'Payload', name: 'value', type: 'string', default: '', description: 'The payload of the next quick-reply button' }],
			},
		],
	},
	{
		displayName: 'Header Media URL',
		name: 'headerMediaUrl',
		type: 'string',
		default: '',
		placeholder: 'https://example.com/invoice.pdf',
		description:
			'For a template whose header is an image, a document or a video: the file’s public https URL (.jpg or .png makes an image, .mp4 a video, anything else a document)',
		displayOptions: { show: { messageType: ['template'], provider: templateHeaderMediaProviders } },
	},
	{
		displayName: 'Media Type',
		name: 'mediaType',
		type: 'options',
		options: [
			{ name: 'Image', value: 'image' },
			{ name: 'Document', value: 'document' },
			{ name: 'Video', value: 'video' },
			{ name: 'Audio', value: 'audio' },
		],
		default: 'image',
		displayOptions: { show: { messageType: ['media'] } },
	},
	{
		displayName: 'Media URL',
		name: 'mediaUrl',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'https://example.com/receipt.png',
		description: 'The file’s public https URL; WhatsApp fetches it from there',
		displayOptions: { show: { messageType: ['media'] } },
	},
	{
		displayName: 'File Name',
		name: 'fileName',
		type: 'string',
		default: '',
		placeholder: 'invoice.pdf',
		description: 'The name the document shows; by default the last part of the URL',
		displayOptions: { show: { messageType: ['media'], mediaType: ['document'], provider: documentFileNameProviders } },
	},
];
