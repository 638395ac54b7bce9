'use strict';

/** Each provider's override and _config case (from its kit) reaches the sandbox as the kit says. */

module.exports = {
	name: 'override and _config reach the provider as sent',

	timing: 'override',

	async run(env) {
		await Promise.all(env.providers.map((provider) => sendWithOverride(env, provider)));
	},
};

async function sendWithOverride({ report, send, short, receivedFor, kits, sent }, provider) {
	const { override, verify, says } = kits[provider].override;
	const response = await report.attempt(`${provider}: send with override`, () =>
		send(provider, { to: '+15557654321', text: `e2e override via ${provider}`, override }),
	);
	if (!response) return;
	const item = Array.isArray(response.body) ? response.body[0] : undefined;
	const ok = report.check(
		response.status === 200 && item && item.status === 'sent' && item.messageId,
		`${provider}: send with override ${short(JSON.stringify(override), 120)} -> sent`,
		() => `HTTP ${response.status}: ${short(response.body)}`,
	);
	if (!ok) return;
	sent[provider].override = item;
	const record = receivedFor(item.messageId);
	let verified = false;
	try {
		verified = Boolean(record && verify(record.body, record));
	} catch {
		verified = false;
	}
	report.check(verified, `${provider}: the sandbox received ${says}`, () => short(record && record.body, 600));
}
