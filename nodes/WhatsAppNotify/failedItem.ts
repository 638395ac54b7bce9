/**
 * What WhatsApp Notify reports for a message it could not send, with Continue On Fail or
 * "Continue (using error output)": the input item's own fields, then what failed, which kind of
 * failure it was and for whom, so that a fallback (an SMS to `recipient`, say) has everything it
 * needs and can take only the failures it can fix.
 */

import type { INodeExecutionData, NodeApiError, NodeOperationError } from 'n8n-workflow';

/**
 * Which kind of failure an error item reports (`errorKind`):
 * - 'input': the node refused the item before sending (a bad number, a missing field): nothing went out;
 * - 'provider': the provider answered and refused the message;
 * - 'unreachable': no usable answer (timeout, lost connection, a redirect, a 5xx): the provider may
 *   or may not have taken the message.
 */
export type ErrorKind = 'input' | 'provider' | 'unreachable';

/** Where an error keeps its kind, set where the error is made (messages.ts, buttonContent.ts). */
const KIND_IN_CONTEXT = 'errorKind';

export function withErrorKind<E extends NodeApiError | NodeOperationError>(error: E, kind: ErrorKind): E {
	error.context[KIND_IN_CONTEXT] = kind;
	return error;
}

/** The kind an error was made with, or `otherwise` for one made without a kind. */
export function errorKindOf(error: unknown, otherwise: ErrorKind): ErrorKind {
	const kind = (error as { context?: Record<string, unknown> } | null)?.context?.[KIND_IN_CONTEXT];
	return kind === 'input' || kind === 'provider' || kind === 'unreachable' ? kind : otherwise;
}

export interface Failure {
	error: NodeApiError | NodeOperationError;
	errorKind: ErrorKind;
	/** The provider's own error code, when it gave one. */
	errorCode: string | number | null;
	provider: string | null;
	recipient: string | null;
}

export function failedItem(
	input: INodeExecutionData,
	itemIndex: number,
	{ error, errorKind, errorCode, provider, recipient }: Failure,
	toErrorOutput: boolean,
): INodeExecutionData {
	const item: INodeExecutionData = {
		json: { ...input.json, error: error.message, errorKind, errorCode, provider, recipient },
		pairedItem: { item: itemIndex },
	};
	if (toErrorOutput) {
		// n8n sends an item down the error output when it carries `error`, and afterwards replaces
		// the fields of every item that still carries `error` with `{ error: message }` (n8n-core's
		// WorkflowExecute, 1.123 to 2.39). Its error-output routing copies the item with a spread,
		// which leaves a non-enumerable `error` behind: the item is routed and keeps its fields.
		Object.defineProperty(item, 'error', { value: error, enumerable: false });
	}
	return item;
}
