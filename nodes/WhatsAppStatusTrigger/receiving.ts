/** Whether a Status Trigger takes customers' messages (its Received output), read by the webhook and by registration alike. */

import type { IHookFunctions, IWebhookFunctions } from 'n8n-workflow';

/** The parameter (version 2 on) that adds the Received output. */
export const RECEIVE_PARAMETER = 'receiveMessages';

/** True for a version 2 trigger with Receive Customer Messages on; a version 1 trigger never is. */
export function receivesCustomerMessages(context: IHookFunctions | IWebhookFunctions): boolean {
	return context.getNode().typeVersion >= 2 && context.getNodeParameter(RECEIVE_PARAMETER, false) === true;
}
