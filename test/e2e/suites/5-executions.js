'use strict';

/**
 * Every callback the sandbox sent reached its production trigger, and each delivered, seen or
 * discarded one (its kit's statusWords) started exactly one execution; the send workflows ran
 * once per send.
 */

module.exports = {
	name: 'every callback reached its production trigger; one execution per delivered/seen/discarded',

	timing: 'executions',

	async run(env) {
		const { report, sandbox, providers, withTimeout } = env;
		await report.attempt('the sandbox sent all its callbacks', () => withTimeout(sandbox.idle(), 30000, 'the sandbox to be idle (no callbacks pending)'));
		for (const provider of providers) {
			checkCallbacksSent(env, provider);
			env.expectedRuns[provider] = sandbox.callbacks.filter(
				(c) => c.provider === provider && Object.hasOwn(env.kits[provider].statusWords, c.status),
			).length;
			await checkStatusExecutions(env, provider);
			await checkSendExecutions(env, provider);
		}
	},
};

function checkCallbacksSent({ report, sandbox, triggerUrls, n8nBase, short }, provider) {
	const callbacks = sandbox.callbacks.filter((c) => c.provider === provider);
	const wrong = callbacks.filter((c) => c.httpStatus !== 200 || c.url !== triggerUrls[provider]);
	report.check(
		callbacks.length > 0 && wrong.length === 0,
		`${provider}: ${callbacks.length} callbacks (${[...new Set(callbacks.map((c) => c.status))].join(', ')}) -> ${triggerUrls[provider].replace(n8nBase, '')}, all HTTP 200`,
		() => short(wrong.map((c) => [c.status, c.url, c.httpStatus, c.error])),
	);
}

async function checkStatusExecutions({ report, sink, short, settledExecutions, statusWorkflows, expectedRuns }, provider) {
	const expected = expectedRuns[provider];
	const stats = await report.attempt(`${provider}: status executions settle`, () =>
		settledExecutions(statusWorkflows[provider].id, expected, `${provider} status executions`),
	);
	if (!stats) return;
	const notSuccess = stats.results.filter((e) => e.status !== 'success');
	const atSink = sink.find((body) => body.provider === provider).length;
	report.check(
		stats.total === expected && notSuccess.length === 0 && atSink === expected,
		`${provider}: ${stats.total} trigger executions (all success, mode ${[...new Set(stats.results.map((e) => e.mode))].join('/')}) = ${expected} delivered/seen/discarded callbacks = ${atSink} events at the sink; "sent" callbacks started none`,
		() => `executions ${stats.total} (${short(stats.results.map((e) => e.status))}), expected ${expected}, sink ${atSink}`,
	);
}

async function checkSendExecutions({ report, short, executionStats, sendWorkflows }, provider) {
	const sendStats = await executionStats(sendWorkflows[provider].id);
	const byStatus = sendStats.results.reduce((counts, e) => ({ ...counts, [e.status]: (counts[e.status] || 0) + 1 }), {});
	report.check(
		sendStats.total === 4 && byStatus.success === 3 && byStatus.error === 1,
		`${provider}: send workflow ran 4 times (${JSON.stringify(byStatus)})`,
		() => short(sendStats.results.map((e) => [e.id, e.status, e.mode])),
	);
}
