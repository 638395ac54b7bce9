/**
 * Before Send and Wait sends: a Status Trigger that registered itself with the provider must be
 * there to end the wait, one that gets this account's customer taps with their button ids
 * (the provider's registration says which of its registrations do). Otherwise the question
 * would go out and the wait could only time out: it is refused, saying what to do.
 */

import { type IExecuteFunctions, NodeOperationError } from 'n8n-workflow';

import { callProvider } from '../shared/transport';
import type { Provider, ProviderSettings } from '../shared/types';

const LOOKUP_TIMEOUT_MS = 30_000;

/** The setting under which this check runs; 'manual' skips it (a trigger whose URL was pasted by hand). */
export const REPLY_TRIGGER_SETUP = 'replyTriggerSetup';

export async function assertReplyTrigger(context: IExecuteFunctions, provider: Provider, settings: ProviderSettings): Promise<void> {
	const registration = provider.registration;
	if (!registration) return;
	const node = context.getNode();
	const cannotCheck = (reason: string) =>
		new NodeOperationError(node, `Cannot check for a Status Trigger of this ${provider.displayName} account: ${reason}`, {
			itemIndex: 0,
			description: 'Set Status Trigger Setup to "Set Up by Hand" to send without this check.',
		});
	const bodies: unknown[] = [];
	for (const request of registration.lookup(settings)) {
		let answer;
		try {
			answer = await callProvider(context, provider.credentialType, request, LOOKUP_TIMEOUT_MS);
		} catch {
			throw cannotCheck(`${provider.displayName} did not answer`);
		}
		if (answer.statusCode < 200 || answer.statusCode >= 300) throw cannotCheck(provider.readError(answer.body, answer.statusCode).message);
		bodies.push(answer.body);
	}
	let receivers: boolean;
	try {
		receivers = registration.readLookup(bodies).callbacks.some((listed) => registration.endsWaits(listed));
	} catch (error) {
		throw cannotCheck((error as Error).message);
	}
	if (receivers) return;
	throw new NodeOperationError(
		node,
		`No WhatsApp Status Trigger registered with this ${provider.displayName} account gets its customers' taps, so nothing could end this wait: nothing was sent`,
		{
			itemIndex: 0,
			description:
				provider.name === 'twilio'
					? 'A Twilio trigger that registered itself gets customer messages through Event Streams, which carry a tapped button’s label but not its id. Paste a Status Trigger’s Production URL as the WhatsApp sender’s or Messaging Service’s “A message comes in” webhook, then set Status Trigger Setup to “Set Up by Hand”.'
					: 'Publish a workflow whose WhatsApp Status Trigger (Receive Customer Messages on, Register Callback Automatically on) uses a credential of this account. If its URL was set up by hand, set Status Trigger Setup to “Set Up by Hand”.',
		},
	);
}
