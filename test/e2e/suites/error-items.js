'use strict';

/**
 * A batch of five, two of which fail (one refused by the provider, one not E.164), through
 * WhatsApp Notify with On Error "Continue (using error output)", for every provider: the saved
 * execution's error output holds exactly those two, each with the input item's own fields
 * (`customer`, `to`, `text`), `error`, `errorCode`, `provider` and `recipient`, and the "SMS
 * fallback" node after it posted each recipient to the sink. Runs in every n8n version.
 */

const { savedRunData, outputItems, settleStatusCallbacks } = require('../lib/executions');
const { fallbackMessages, fallbackWorkflow } = require('../lib/workflows');

const workflows = {};

/** What each failed message's error item must hold; the refusal's text and code are the provider's. */
function expectedFailures(provider) {
	const [, refused, invalid] = fallbackMessages();
	return [
		{ ...refused, provider, recipient: refused.to, error: new RegExp(`refused item 1 \\(\\${refused.to}\\)`), code: 'provider' },
		{ ...invalid, provider, recipient: invalid.to, error: /^Invalid recipient "\(457\)-746-846" in item 2/, code: null },
	];
}

function matches(item, expected) {
	return (
		item.customer === expected.customer &&
		item.to === expected.to &&
		item.text === expected.text &&
		item.provider === expected.provider &&
		item.recipient === expected.recipient &&
		typeof item.error === 'string' &&
		expected.error.test(item.error) &&
		(expected.code === null ? item.errorCode === null : item.errorCode !== null && item.errorCode !== undefined)
	);
}

module.exports = {
	name: 'failed items keep what an SMS fallback needs (error output, saved executions, every provider)',
	timing: 'fallback',

	workflows({ providers, credentials, sink }) {
		return providers.map((provider) => {
			workflows[provider] = fallbackWorkflow({
				provider,
				credential: credentials[provider],
				sinkUrl: sink.url,
				trigger: 'webhook',
				path: `fallback-${provider}`,
			});
			return workflows[provider];
		});
	},

	async run(env) {
		const { providers, report, n8n, httpPost, settledExecutions, sink, short } = env;
		for (const provider of providers) {
			const workflow = workflows[provider];
			const response = await httpPost(`${n8n.localUrl}/webhook/fallback-${provider}`, { body: { messages: fallbackMessages() } });
			report.check(response.status === 200, `${provider}: POST /webhook/fallback-${provider} (5 messages) -> ${response.status}`);
			const stats = await report.attempt(`${provider}: the batch execution settles`, () =>
				settledExecutions(workflow.id, 1, `${provider} fallback execution`),
			);
			if (!stats) continue;
			const execution = stats.results[0];
			const { status, runData } = await savedRunData(n8n, execution.id);
			const sent = outputItems(runData, 'WhatsApp Notify', 0);
			const failed = outputItems(runData, 'WhatsApp Notify', 1);
			report.check(
				status === 'success' && sent.length === 3 && sent.every((item) => item.status === 'sent' && item.provider === provider),
				`${provider}: execution ${execution.id} ${status}: 3 items sent on the success output`,
				() => short(sent),
			);
			const expected = expectedFailures(provider);
			report.check(
				failed.length === 2 && failed.every((item, index) => matches(item, expected[index])),
				`${provider}: 2 items on the error output, each with the input's customer, to and text, error, errorCode, provider and recipient: ${failed
					.map((item) => `${item.recipient} [${item.errorCode}]`)
					.join(', ')}`,
				() => short(failed, 1200),
			);
			const sms = sink.find((body) => String(body.executionId) === String(execution.id) && typeof body.reason === 'string');
			report.check(
				sms.length === 2 && expected.every((e) => sms.some((body) => body.customer === e.customer && body.to === e.recipient)),
				`${provider}: "SMS fallback" posted {{ $json.recipient }} for both: ${sms.map((body) => `${body.to} (${body.customer})`).join(', ')}`,
				() => short(sms),
			);
		}
		// The three sent messages of each batch bring status callbacks: let them land before the next suite counts.
		await report.attempt('the status callbacks of these sends settled', () => settleStatusCallbacks(env));
	},
};
