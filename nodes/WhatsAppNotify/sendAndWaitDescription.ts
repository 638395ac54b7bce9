/**
 * WhatsApp Notify's operations, and the parameters of Send and Wait for Reply: n8n's own
 * send-and-wait words and options (Response Type Approval with one or two buttons, Limit Wait
 * Time after an interval or at a date), with Choices for up to three answers. The answers are
 * WhatsApp reply buttons, not links.
 */

import type { IWebhookDescription, INodeProperties } from 'n8n-workflow';

/** n8n's name for the operation (n8n-workflow's SEND_AND_WAIT_OPERATION): n8n checks a resume URL's signature only for it. */
export const SEND_AND_WAIT = 'sendAndWait';

export const operationParameter: INodeProperties = {
	displayName: 'Operation',
	name: 'operation',
	type: 'options',
	noDataExpression: true,
	options: [
		{ name: 'Send Message', value: 'send', action: 'Send a message', description: 'Send a text, a template or a media file' },
		{
			name: 'Send and Wait for Reply',
			value: SEND_AND_WAIT,
			action: 'Send a message and wait for reply',
			description: 'Send a question with reply buttons and wait until the recipient taps one',
		},
	],
	default: 'send',
};

const forSendAndWait = { show: { operation: [SEND_AND_WAIT] } };

/** The parameters shown only for one operation: `show.operation` added to each one's own displayOptions. */
export function onlyFor(operation: string, properties: INodeProperties[]): INodeProperties[] {
	return properties.map((property) => ({
		...property,
		displayOptions: {
			...property.displayOptions,
			show: { ...property.displayOptions?.show, operation: [operation] },
		},
	}));
}

const limitWaitTime: INodeProperties = {
	displayName: 'Limit Wait Time',
	name: 'limitWaitTime',
	type: 'fixedCollection',
	description: 'Whether to limit the time this node should wait for a user response before execution resumes',
	default: { values: { limitType: 'afterTimeInterval', resumeAmount: 45, resumeUnit: 'minutes' } },
	options: [
		{
			displayName: 'Values',
			name: 'values',
			values: [
				{
					displayName: 'Limit Type',
					name: 'limitType',
					type: 'options',
					default: 'afterTimeInterval',
					description: 'Sets the condition for the execution to resume. Can be a specified date or after some time.',
					options: [
						{ name: 'After Time Interval', description: 'Waits for a certain amount of time', value: 'afterTimeInterval' },
						{ name: 'At Specified Time', description: 'Waits until the set date and time to continue', value: 'atSpecifiedTime' },
					],
				},
				{
					displayName: 'Amount',
					name: 'resumeAmount',
					type: 'number',
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
					typeOptions: { minValue: 0, numberPrecision: 2 },
					default: 1,
					description: 'The time to wait',
				},
				{
					displayName: 'Unit',
					name: 'resumeUnit',
					type: 'options',
					displayOptions: { show: { limitType: ['afterTimeInterval'] } },
					options: [
						{ name: 'Minutes', value: 'minutes' },
						{ name: 'Hours', value: 'hours' },
						{ name: 'Days', value: 'days' },
					],
					default: 'hours',
					description: 'Unit of the interval value',
				},
				{
					displayName: 'Max Date and Time',
					name: 'maxDateAndTime',
					type: 'dateTime',
					displayOptions: { show: { limitType: ['atSpecifiedTime'] } },
					default: '',
					description: 'Continue execution after the specified date and time',
				},
			],
		},
	],
};

export const sendAndWaitProperties: INodeProperties[] = [
	{
		displayName: 'Message',
		name: 'message',
		type: 'string',
		default: '',
		required: true,
		typeOptions: { rows: 4 },
		description: 'The question, shown above the reply buttons. WhatsApp delivers it only within 24 hours of the recipient’s last message.',
		displayOptions: forSendAndWait,
	},
	{
		displayName: 'Response Type',
		name: 'responseType',
		type: 'options',
		default: 'approval',
		options: [
			{ name: 'Approval', value: 'approval', description: 'User can approve/disapprove from within the message' },
			{ name: 'Choices', value: 'choices', description: 'User picks one of up to three answers, each a reply button' },
		],
		displayOptions: forSendAndWait,
	},
	{
		displayName: 'Approval Options',
		name: 'approvalOptions',
		type: 'fixedCollection',
		placeholder: 'Add option',
		default: {},
		options: [
			{
				displayName: 'Values',
				name: 'values',
				values: [
					{
						displayName: 'Type of Approval',
						name: 'approvalType',
						type: 'options',
						placeholder: 'Add option',
						default: 'single',
						options: [
							{ name: 'Approve Only', value: 'single' },
							{ name: 'Approve and Disapprove', value: 'double' },
						],
					},
					{ displayName: 'Approve Button Label', name: 'approveLabel', type: 'string', default: 'Approve', description: 'At most 20 characters' },
					{
						displayName: 'Disapprove Button Label',
						name: 'disapproveLabel',
						type: 'string',
						default: 'Decline',
						description: 'At most 20 characters',
						displayOptions: { show: { approvalType: ['double'] } },
					},
				],
			},
		],
		displayOptions: { show: { operation: [SEND_AND_WAIT], responseType: ['approval'] } },
	},
	{
		displayName: 'Choices',
		name: 'choices',
		type: 'fixedCollection',
		typeOptions: { multipleValues: true, sortable: true },
		placeholder: 'Add Choice',
		default: {},
		description: 'Up to three answers, each a reply button; the node continues with the one tapped as data.choice',
		options: [
			{
				displayName: 'Choice',
				name: 'choice',
				values: [
					{ displayName: 'Label', name: 'label', type: 'string', default: '', placeholder: 'Confirm', description: 'What the button says: at most 20 characters' },
					{ displayName: 'Value', name: 'value', type: 'string', default: '', placeholder: 'confirmed', description: 'What data.choice is when this button is tapped; empty: the label' },
				],
			},
		],
		displayOptions: { show: { operation: [SEND_AND_WAIT], responseType: ['choices'] } },
	},
	{
		displayName: 'Status Trigger Setup',
		name: 'replyTriggerSetup',
		type: 'options',
		default: 'automatic',
		description: 'How the WhatsApp Status Trigger that gets the tap receives this account’s messages',
		options: [
			{
				name: 'Registered Automatically',
				value: 'automatic',
				description: 'Check with the provider, before sending, that a Status Trigger registered itself to get this account’s customer taps; refuse the wait when none did',
			},
			{ name: 'Set Up by Hand', value: 'manual', description: 'Send without checking: its URL was pasted into the provider’s console' },
		],
		displayOptions: forSendAndWait,
	},
	{
		displayName:
			'The tap comes back through a WhatsApp Status Trigger: an active workflow whose Status Trigger (Receive Customer Messages on) uses a credential of this same account must receive this account’s messages. Without one, the wait ends only at its time limit.',
		name: 'replyNotice',
		type: 'notice',
		default: '',
		displayOptions: forSendAndWait,
	},
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add option',
		default: {},
		options: [limitWaitTime],
		displayOptions: forSendAndWait,
	},
];

/** The waiting node's webhook: the Status Trigger posts the tapped answer to the signed resume URL. */
const resumeWebhook: IWebhookDescription = {
	name: 'default',
	httpMethod: 'POST',
	responseMode: 'onReceived',
	responseData: '',
	path: '={{ $nodeId }}',
	restartWebhook: true,
	isFullPath: true,
};

export const resumeWebhooks: IWebhookDescription[] = [resumeWebhook];
