'use strict';

/**
 * Providers that verify a Callback URL with a GET before they send anything there (Meta: its
 * kit has handshakeRequest): the published Status Trigger must echo the challenge for the right
 * verify token, refuse anything else with 403, and start no execution either way; the sandbox
 * plays the provider's side (sandbox.handshake). The other providers' triggers refuse a GET.
 */

module.exports = {
	name: 'the GET handshake on the Status Trigger URL',

	async run(env) {
		const { providers, kits } = env;
		const verifying = providers.filter((provider) => kits[provider].handshakeRequest);
		for (const provider of verifying) await checkHandshake(env, provider);
		// Any verifying provider's handshake, sent to a provider that makes none.
		const handshake = verifying.length ? kits[verifying[0]].handshakeRequest : null;
		for (const provider of providers.filter((each) => !kits[each].handshakeRequest)) {
			const url = handshake ? handshake(env.triggerUrls[provider]).url : env.triggerUrls[provider];
			const answer = await fetch(url);
			env.report.check(answer.status === 405, `${provider}: a GET on its trigger (it makes no handshake) -> ${answer.status}`);
		}
	},
};

async function checkHandshake({ report, sandbox, triggerUrls, statusWorkflows, executionStats, short, kits }, provider) {
	const workflowId = statusWorkflows[provider].id;
	const before = await executionStats(workflowId);

	const verified = await sandbox.handshake(provider);
	report.check(
		verified.ok && verified.httpStatus === 200 && verified.body === verified.challenge,
		`${provider}: GET ${verified.url.replace(/^https?:\/\/[^/]+/, '')} with the verify token and challenge ${verified.challenge} -> ${verified.httpStatus} "${short(verified.body, 40)}"`,
		() => short(verified),
	);
	const wrongToken = await sandbox.handshake(provider, { verifyToken: 'not-the-verify-token' });
	report.check(
		!wrongToken.ok && wrongToken.httpStatus === 403 && !String(wrongToken.body).includes(wrongToken.challenge),
		`${provider}: the same GET with a wrong verify token -> ${wrongToken.httpStatus} "${short(wrongToken.body, 60)}"`,
		() => short(wrongToken),
	);

	const { url, challenge } = kits[provider].handshakeRequest(triggerUrls[provider]);
	const direct = await fetch(url);
	const contentType = direct.headers.get('content-type') || '';
	report.check(
		direct.status === 200 && (await direct.text()) === challenge && contentType.startsWith('text/plain'),
		`${provider}: the challenge comes back as plain text (Content-Type ${contentType}), never as HTML`,
	);
	const bare = await fetch(triggerUrls[provider]);
	report.check(bare.status === 403, `${provider}: a GET without the handshake's parameters -> ${bare.status}`);

	const after = await executionStats(workflowId);
	report.check(
		after.total === before.total,
		`${provider}: executions ${before.total} -> ${after.total}: handshakes start none`,
		() => `before ${before.total}, after ${after.total}`,
	);
}
