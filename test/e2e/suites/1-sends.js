'use strict';

/** Two sends per provider through WhatsApp Notify (a webhook-started workflow): one delivered, one undeliverable. */

const { TEST_NUMBERS } = require('../../../sandbox/server');

module.exports = {
	name: 'send through WhatsApp Notify (webhook-started workflows)',
	timing: 'sends',

	async run(env) {
		await Promise.all(
			env.providers.map(async (provider) => {
				env.sent[provider] = {};
				for (const [kind, to] of [
					['ordinary', TEST_NUMBERS.delivered],
					['undeliverable', TEST_NUMBERS.undeliverable],
				]) {
					const item = await sendOne(env, provider, kind, to);
					if (item) env.sent[provider][kind] = item;
				}
			}),
		);
	},
};

/** One send: the workflow answers with the item, the sandbox got it under the same id and text. */
async function sendOne({ report, send, short, sandbox, receivedFor, kits }, provider, kind, to) {
	const text = `e2e ${kind} message via ${provider}`;
	const response = await report.attempt(`${provider}: send to ${to}`, () => send(provider, { to, text }));
	if (!response) return undefined;
	const item = Array.isArray(response.body) ? response.body[0] : undefined;
	const ok = report.check(
		response.status === 200 &&
			Array.isArray(response.body) &&
			response.body.length === 1 &&
			item.status === 'sent' &&
			item.provider === provider &&
			typeof item.messageId === 'string' &&
			item.messageId.length > 0 &&
			item.recipient === to,
		`${provider}: POST /webhook/send-${provider} (${kind} ${to}) -> 200, status sent, messageId ${item && item.messageId}`,
		() => `HTTP ${response.status}: ${short(response.body)}`,
	);
	if (!ok) return undefined;
	const record = receivedFor(item.messageId);
	report.check(
		record && record.provider === provider && record.status >= 200 && record.status < 300,
		`${provider}: the sandbox accepted it (HTTP ${record && record.status}) under the same messageId`,
		() => `sandbox.received: ${short(sandbox.received.map((r) => [r.provider, r.status, r.messageId]))}`,
	);
	report.check(
		record && kits[provider].sentText(record.body) === text,
		`${provider}: the request carries the message text`,
		() => short(record && record.body),
	);
	return item;
}
