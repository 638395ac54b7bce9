'use strict';

/**
 * The sandbox's status callbacks reach the production triggers: delivered, seen and discarded
 * on the outputs named after them, with the send's messageId, and nothing on a wrong output.
 */

module.exports = {
	name: 'status callbacks -> production triggers -> Delivered / Seen / Discarded -> sink',

	timing: 'statuses',

	async run(env) {
		const { providers, sent, report, sink, short } = env;
		for (const provider of providers) {
			const { ordinary, undeliverable } = sent[provider];
			if (ordinary) {
				const delivered = await checkDelivered(env, provider, ordinary);
				if (env.kits[provider].seenByConversation) await checkSeenByConversation(env, provider, ordinary, delivered);
				else await checkSeen(env, provider, ordinary);
			}
			if (undeliverable) await checkDiscarded(env, provider, undeliverable);
			// Nothing went to a wrong output: every event at the sink says the status of its output.
			const misrouted = sink.find((body) => body.provider === provider && body.event && body.event.status !== body.output);
			report.check(misrouted.length === 0, `${provider}: every event at the sink came out of the output named after its status`, () =>
				short(misrouted),
			);
		}
	},
};

const at = (provider, output) => (body) => body.provider === provider && body.output === output;

async function checkDelivered({ report, sink, short }, provider, ordinary) {
	const delivered = await report.attempt(`${provider}: delivered reaches the sink`, () =>
		sink.waitFor((body) => at(provider, 'delivered')(body) && body.event.messageId === ordinary.messageId, { what: `${provider} delivered` }),
	);
	if (delivered) {
		report.check(
			delivered.event.status === 'delivered' && delivered.event.recipient === ordinary.recipient,
			`${provider}: Delivered output, messageId ${ordinary.messageId} = the send's, recipient ${delivered.event.recipient}`,
			() => short(delivered.event),
		);
	}
	return delivered;
}

async function checkSeen({ report, sink, short }, provider, ordinary) {
	const seen = await report.attempt(`${provider}: seen reaches the sink`, () =>
		sink.waitFor((body) => at(provider, 'seen')(body) && body.event.messageId === ordinary.messageId, { what: `${provider} seen` }),
	);
	if (seen) {
		report.check(seen.event.status === 'seen', `${provider}: Seen output, messageId ${ordinary.messageId} = the send's`, () => short(seen.event));
	}
}

/** A read receipt that names no message (Smooch's conversation:read): found by the conversation and user of the send. */
async function checkSeenByConversation({ report, sink, short, sandbox, waitFor, kits }, provider, ordinary, delivered) {
	const { readOf, conversationOfDelivery } = kits[provider].seenByConversation;
	const isSeen = (word) => kits[provider].statusWords[word] === 'seen';
	const read = await report.attempt(`${provider}: seen reaches the sink`, async () => {
		const callback = await waitFor(
			() => sandbox.callbacks.find((c) => c.provider === provider && isSeen(c.status) && c.messageId === ordinary.messageId),
			{ what: `the sandbox to send ${provider}'s read receipt` },
		);
		const { conversationId } = readOf(callback.body);
		const event = await sink.waitFor((body) => at(provider, 'seen')(body) && body.event.conversationId === conversationId, { what: `${provider} seen` });
		return { callback, event: event.event };
	});
	if (!read) return;
	const { conversationId, userId } = readOf(read.callback.body);
	const conversationOfSend = delivered && delivered.event.raw && conversationOfDelivery(delivered.event.raw);
	report.check(
		read.event.messageId === null &&
			read.event.status === 'seen' &&
			read.event.conversationId === conversationId &&
			read.event.conversationId === conversationOfSend &&
			read.event.userId === userId &&
			Boolean(read.event.userId),
		`${provider}: Seen output, messageId null, conversationId ${read.event.conversationId} (the send's conversation), userId ${read.event.userId}`,
		() => short(read.event),
	);
}

async function checkDiscarded({ report, sink, short, kits }, provider, undeliverable) {
	const discarded = await report.attempt(`${provider}: discarded reaches the sink`, () =>
		sink.waitFor((body) => at(provider, 'discarded')(body) && body.event.messageId === undeliverable.messageId, { what: `${provider} discarded` }),
	);
	if (!discarded) return;
	const error = discarded.event.error || {};
	report.check(
		discarded.event.status === 'discarded' && Number(error.code) === kits[provider].undeliverableCode && Boolean(error.message),
		`${provider}: Discarded output, messageId ${undeliverable.messageId} = the send's, error ${error.code} "${error.message}"`,
		() => short(discarded.event),
	);
}
