'use strict';

/** A send the provider refuses (the 400 test number) fails the send workflow with the provider's error. */

const { TEST_NUMBERS } = require('../../../sandbox/server');

module.exports = {
	name: 'a refused send (400 test number) fails the send workflow with the provider error',

	timing: 'refused',

	async run(env) {
		await Promise.all(env.providers.map((provider) => refusedSend(env, provider)));
	},
};

async function refusedSend({ report, send, short, sandbox, n8n, waitFor, executionStats, sendWorkflows, kits }, provider) {
	const to = TEST_NUMBERS.invalid;
	const response = await report.attempt(`${provider}: send to ${to}`, () => send(provider, { to, text: 'e2e refused' }));
	if (!response) return;
	report.check(
		response.status === 500 && response.body && response.body.message === 'Error in workflow',
		`${provider}: POST /webhook/send-${provider} (${to}) -> ${response.status} ${short(response.body, 80)}`,
		() => `HTTP ${response.status}: ${short(response.body)}`,
	);
	const refusal = sandbox.received.find((r) => r.provider === provider && r.status === 400);
	report.check(Boolean(refusal), `${provider}: the sandbox answered 400 ${short(refusal && refusal.response, 120)}`);
	const workflow = sendWorkflows[provider];
	const execution = await report.attempt(`${provider}: the failed execution is recorded`, async () => {
		const stats = await waitFor(
			async () => {
				const s = await executionStats(workflow.id);
				return s.results.find((e) => e.status === 'error') ? s : null;
			},
			{ what: `an error execution of ${workflow.name}`, timeoutMs: 15000 },
		);
		const failed = stats.results.find((e) => e.status === 'error');
		return n8n.rest('GET', `/executions/${failed.id}`);
	});
	if (!execution) return;
	const data = typeof execution.data === 'string' ? execution.data : JSON.stringify(execution.data);
	const expected = `refused item 0 (${to})`;
	const match = new RegExp(`[^"]*refused item 0 \\(\\${to}\\)[^"]*`).exec(data);
	report.check(
		execution.status === 'error' && data.includes(expected) && data.includes(kits[provider].invalidError),
		`${provider}: execution ${execution.id} status error: "${match ? match[0] : '?'}"`,
		() => `status ${execution.status}; data ${short(data, 800)}`,
	);
}
