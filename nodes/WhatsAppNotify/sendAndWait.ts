/**
 * Send and Wait for Reply: sends the question with one reply button per answer, each button's
 * id a wait token (shared/waitToken.ts) that carries n8n's signed resume URL for that answer,
 * and puts the execution to wait. The Status Trigger that receives the tap posts the answer to
 * that URL; `resumeWebhook` here checks it and continues with `{ data: { approved } }` or
 * `{ data: { choice, text } }`, who answered and when. On time-out n8n itself goes on, as for
 * its own send-and-wait nodes: the node passes its input items through.
 */

import {
	type ICredentialDataDecryptedObject,
	type IDataObject,
	type IExecuteFunctions,
	type INodeExecutionData,
	type IWebhookFunctions,
	type IWebhookResponseData,
	NodeApiError,
	NodeOperationError,
	WAIT_INDEFINITELY,
} from 'n8n-workflow';

import { getProvider } from '../providers';
import { isE164 } from '../shared/phone';
import { RateGate } from '../shared/rateGate';
import { checkedButtons, MAX_BUTTON_ID } from '../shared/replyButtons';
import type { ProviderSettings, ReplyButton } from '../shared/types';
import { checkAnswer, makeWaitToken, readWaitToken, RESUME_SIGNATURE_HEADER, waitKey } from '../shared/waitToken';
import { buttonContentFor } from './buttonContent';
import { errorKindOf, failedItem } from './failedItem';
import { sendMessage } from './messages';
import { assertReplyTrigger, REPLY_TRIGGER_SETUP } from './replyTrigger';

/** One answer: its button's label, and the resume URL's query that says which answer it is. */
interface Answer {
	label: string;
	query: Record<string, string>;
	/** What the node continues with when this answer is tapped. */
	data: IDataObject;
}

interface ApprovalOptions {
	approvalType?: 'single' | 'double';
	approveLabel?: string;
	disapproveLabel?: string;
}

/** The answers the parameters describe, in button order. */
function answersOf(read: (name: string, fallback: unknown) => unknown): Answer[] {
	if (read('responseType', 'approval') === 'choices') {
		const choices = read('choices.choice', []) as Array<{ label?: string; value?: string }>;
		return choices.map(({ label = '', value }, index) => ({
			label: label.trim(),
			query: { choice: String(index) },
			data: { choice: value?.trim() || label.trim() },
		}));
	}
	const options = read('approvalOptions.values', {}) as ApprovalOptions;
	const approve: Answer = { label: (options.approveLabel || 'Approve').trim(), query: { approved: 'true' }, data: { approved: true } };
	if (options.approvalType !== 'double') return [approve];
	// n8n's own order: disapprove first, approve second.
	return [{ label: (options.disapproveLabel || 'Decline').trim(), query: { approved: 'false' }, data: { approved: false } }, approve];
}

/** When to stop waiting: `options.limitWaitTime`, as n8n's own send-and-wait nodes read it; else never. */
function waitTill(context: IExecuteFunctions): Date {
	const limit = context.getNodeParameter('options.limitWaitTime.values', 0, {}) as {
		limitType?: string;
		resumeAmount?: number;
		resumeUnit?: string;
		maxDateAndTime?: string;
	};
	if (!limit.limitType) return WAIT_INDEFINITELY;
	const unitMs: Record<string, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };
	const till =
		limit.limitType === 'afterTimeInterval'
			? new Date(Date.now() + (limit.resumeAmount ?? 1) * (unitMs[limit.resumeUnit ?? 'hours'] ?? 3_600_000))
			: new Date(limit.maxDateAndTime ?? '');
	if (isNaN(till.getTime())) {
		throw new NodeOperationError(context.getNode(), `Could not configure Limit Wait Time: ${JSON.stringify(limit.maxDateAndTime ?? '')} is not a date`, {
			itemIndex: 0,
		});
	}
	return till;
}

/** The question's buttons: each answer's label as title, its wait token as id. */
function waitButtons(context: IExecuteFunctions, answers: Answer[], key: Buffer, recipient: string): ReplyButton[] {
	const node = context.getNode();
	if (answers.length === 0) throw new NodeOperationError(node, 'Send and Wait has no choices: add one to three', { itemIndex: 0 });
	const tokens = answers.map(({ query }) => makeWaitToken(key, context.getSignedResumeUrl(query), recipient));
	const longest = Math.max(...tokens.map((token) => token.length));
	if (longest > MAX_BUTTON_ID) {
		throw new NodeOperationError(node, `Send and Wait in item 0: n8n's resume URL makes button ids of ${longest} characters, over WhatsApp's ${MAX_BUTTON_ID}`, {
			itemIndex: 0,
			description: 'Each button carries n8n’s resume URL, which starts with WEBHOOK_URL: a shorter public address for n8n makes it fit.',
		});
	}
	let buttons: ReplyButton[];
	try {
		buttons = checkedButtons(answers.map(({ label }, index) => ({ title: label, id: tokens[index] })));
	} catch (error) {
		const reason = (error as Error).message;
		throw new NodeOperationError(node, `Send and Wait in item 0: ${reason[0].toUpperCase()}${reason.slice(1)}`, { itemIndex: 0 });
	}
	return buttons;
}

/** Sends the question and puts the execution to wait; Continue On Fail gives the failure as the item instead. */
export async function sendAndWait(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const node = this.getNode();
	const provider = getProvider(this.getNodeParameter('provider', 0) as string);
	const rawRecipient = this.getNodeParameter('recipient', 0) as unknown;
	const recipient = typeof rawRecipient === 'string' ? rawRecipient.trim() : typeof rawRecipient === 'number' ? `+${rawRecipient}` : '';
	try {
		if (!isE164(recipient)) {
			throw new NodeOperationError(node, `Invalid recipient ${JSON.stringify(rawRecipient)} in item 0: use E.164, such as +919988776655`, { itemIndex: 0 });
		}
		const message = String(this.getNodeParameter('message', 0, '') ?? '');
		if (!message.trim()) throw new NodeOperationError(node, 'Send and Wait in item 0 has no Message: it is the question above the buttons', { itemIndex: 0 });
		const credentials = await this.getCredentials<ICredentialDataDecryptedObject>(provider.credentialType, 0);
		const settings = credentials as ProviderSettings;
		let key: Buffer;
		try {
			key = waitKey(provider, settings);
		} catch (error) {
			throw new NodeOperationError(node, `Cannot wait for a reply in item 0: ${(error as Error).message}`, { itemIndex: 0 });
		}
		if (this.getNodeParameter(REPLY_TRIGGER_SETUP, 0, 'automatic') !== 'manual') await assertReplyTrigger(this, provider, settings);
		const till = waitTill(this);
		const buttons = waitButtons(this, answersOf((name, fallback) => this.getNodeParameter(name, 0, fallback as never)), key, recipient);
		const buttonContentSid = provider.buttonContent ? await buttonContentFor(this, provider, settings, buttons.length, 0) : undefined;
		let request;
		try {
			request = provider.buildSendRequest({ recipient, message, buttons, buttonContentSid, override: {}, settings });
		} catch (error) {
			throw new NodeOperationError(node, `Cannot send item 0 through ${provider.displayName}: ${(error as Error).message}`, { itemIndex: 0 });
		}
		await sendMessage.call(this, { itemIndex: 0, provider, credentials, recipient, request }, { gate: new RateGate(0), maxRetries: 5, timeoutMs: 30_000 });
		// n8n 1.x and 2.8 check the resume URL's signature only when asked; 2.39 always does and has no such call.
		(this as { setSignatureValidationRequired?: () => void }).setSignatureValidationRequired?.();
		await this.putExecutionToWait(till);
		return [items];
	} catch (error) {
		const failure = error instanceof NodeApiError || error instanceof NodeOperationError ? error : new NodeOperationError(node, error as Error, { itemIndex: 0 });
		if (!this.continueOnFail()) throw failure;
		const code = failure instanceof NodeApiError ? failure.context.providerCode : null;
		const errorCode = typeof code === 'string' || typeof code === 'number' ? code : null;
		const toErrorOutput = node.onError === 'continueErrorOutput';
		// A send error carries its kind; anything refused before sending is the input's.
		const errorKind = errorKindOf(failure, failure instanceof NodeApiError ? 'unreachable' : 'input');
		const failed = { error: failure, errorKind, errorCode, provider: provider.name, recipient: recipient || null };
		return [[failedItem(items[0] ?? { json: {} }, 0, failed, toErrorOutput)]];
	}
}

/** Answers the resume request directly, with no execution. */
function refuse(context: IWebhookFunctions, statusCode: number, text: string): IWebhookResponseData {
	context.getResponseObject().status(statusCode).json({ error: text });
	return { noWebhookResponse: true };
}

/**
 * The resume request, from the Status Trigger: the answer must be signed with this account's key,
 * and its token must be the one for this very URL (this execution, this node, this answer).
 */
export async function resumeWebhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
	const provider = getProvider(this.getNodeParameter('provider') as string);
	const request = this.getRequestObject();
	let key: Buffer;
	try {
		key = waitKey(provider, (await this.getCredentials(provider.credentialType)) as ProviderSettings);
	} catch {
		return refuse(this, 401, 'Unauthorized');
	}
	const answer = checkAnswer(key, request.body, request.headers[RESUME_SIGNATURE_HEADER]);
	const token = answer && readWaitToken(key, answer.token);
	const calledPath = new URL(request.originalUrl ?? request.url ?? '', 'http://n8n').pathname;
	const query = request.query as Record<string, unknown>;
	const tokenUrl = token ? new URL(token.resumeUrl) : undefined;
	const sameAnswer = tokenUrl && tokenUrl.pathname === calledPath && [...tokenUrl.searchParams].every(([name, value]) => name === 'signature' || query[name] === value);
	if (!answer || !sameAnswer) return refuse(this, 401, 'Unauthorized: not a signed answer to this wait');

	const answers = answersOf((name, fallback) => this.getNodeParameter(name, fallback as never));
	const chosen = answers.find((each) => Object.entries(each.query).every(([name, value]) => query[name] === value));
	if (!chosen) return refuse(this, 400, 'Bad request: the answer is not one of this node’s');
	const text = chosen.data.choice !== undefined ? { text: answer.title ?? chosen.label } : {};
	return {
		webhookResponse: { resumed: true },
		workflowData: [
			[
				{
					json: {
						data: { ...chosen.data, ...text },
						answeredBy: { phone: answer.from, name: answer.profileName },
						answeredAt: answer.answeredAt,
						provider: answer.provider,
						replyMessageId: answer.messageId,
					},
					pairedItem: { item: 0 },
				},
			],
		],
	};
}
