'use strict';

/** Each provider's forged callbacks (from its kit) get 401 and start no execution; a genuine one right after starts one. */

const crypto = require('node:crypto');

module.exports = {
	name: 'forged callbacks get 401 and start no execution',

	timing: 'forged',

	async run(env) {
		const { report, providers, sent, expectedRuns } = env;
		for (const provider of providers) {
			if (!sent[provider].ordinary || expectedRuns[provider] === undefined) {
				report.fail(`${provider}: forged callbacks`, 'skipped: the ordinary send or its callbacks failed above');
				continue;
			}
			await report.attempt(`${provider}: forged callbacks`, () => forgedThenGenuine(env, provider));
		}
	},
};

async function forgedThenGenuine({ report, sandbox, sink, httpPost, short, settledExecutions, statusWorkflows, triggerUrls, sent, expectedRuns, kits }, provider) {
	/** The body of the callback the sandbox sent for the ordinary send with this status. */
	const original = (status) =>
		sandbox.callbacks.find((c) => c.provider === provider && c.status === status && c.messageId === sent[provider].ordinary.messageId).body;
	const marker = () => `e2e-marker-${provider}-${crypto.randomBytes(4).toString('hex')}`;
	const plan = kits[provider].forgeries({ original, url: triggerUrls[provider], marker });
	const workflowId = statusWorkflows[provider].id;
	const before = await settledExecutions(workflowId, expectedRuns[provider], `${provider} executions before`);
	for (const [what, to, request] of plan.forged) {
		const response = await httpPost(to, { ...request, json: false });
		report.check(
			response.status === 401,
			`${provider}: forged callback (${what}) -> ${response.status} ${short(response.text, 70)}`,
			() => `HTTP ${response.status}: ${short(response.text)}`,
		);
	}
	// A genuine callback afterwards: once its execution is in, any execution the forged ones
	// had started would be too. Exactly one more execution means they started none.
	const [to, request] = plan.genuine;
	const response = await httpPost(to, { ...request, json: false });
	report.check(response.status === 200, `${provider}: a genuine callback right after -> ${response.status}`);
	await sink.waitFor((body) => body.provider === provider && body.event.messageId === plan.markerId, { what: `${provider} marker event at the sink` });
	const after = await settledExecutions(workflowId, before.total + 1, `${provider} executions after`);
	report.check(
		after.total === before.total + 1,
		`${provider}: executions ${before.total} -> ${after.total}: only the genuine callback started one`,
		() => `before ${before.total}, after ${after.total}`,
	);
}
