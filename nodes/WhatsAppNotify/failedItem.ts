/**
 * What WhatsApp Notify reports for a message it could not send, with Continue On Fail or
 * "Continue (using error output)": the input item's own fields, then what failed and for whom,
 * so that a fallback (an SMS to `recipient`, say) has everything it needs.
 */

import type { INodeExecutionData, NodeApiError, NodeOperationError } from 'n8n-workflow';

export interface Failure {
	error: NodeApiError | NodeOperationError;
	/** The provider's own error code, when it gave one. */
	errorCode: string | number | null;
	provider: string | null;
	recipient: string | null;
}

export function failedItem(
	input: INodeExecutionData,
	itemIndex: number,
	{ error, errorCode, provider, recipient }: Failure,
	toErrorOutput: boolean,
): INodeExecutionData {
	const item: INodeExecutionData = {
		json: { ...input.json, error: error.message, errorCode, provider, recipient },
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
