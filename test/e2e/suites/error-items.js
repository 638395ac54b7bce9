'use strict';

/**
 * A batch of six, three of which fail, one of each errorKind (refused by the provider:
 * 'provider'; not E.164: 'input'; a 500 from the provider: 'unreachable'), through WhatsApp
 * Notify with On Error "Continue (using error output)", for every provider: the saved execution's
 * error output holds exactly those three, each with the input item's own fields (`customer`,
 * `to`, `text`), `error`, `errorKind`, `errorCode`, `provider` and `recipient`; the Filter after it
 * drops the 'input' one, and the "SMS fallback" node posts the other two recipients to the sink.
 * Runs in every n8n version.
 */

const { savedRunData, outputItems, settleStatusCallbacks } = require('../lib/executions');
const { fallbackMessages, fallbackWorkflow } = require('../lib/workflows');

const workflows = {};

/** What each failed message's error item must hold; the refusal's text and code are the provider's. */
function expectedFailures(provider) {
	const [, refused, invalid, , failing] = fallbackMessages();
	return [
		{ ...refused, provider, recipient: refused.to, error: new RegExp(`refused item 1 \\(\\${refused.to}\\)`), kind: 'provider', code: 'provider' },
		{ ...invalid, provider, recipient: invalid.to, error: /^Invalid recipient "\(457\)-746-846" in item 2/, kind: 'input', code: null },
		{ ...failing, provider, recipient: failing.to, error: new RegExp(`item 4 \\(\\${failing.to}\\)`), kind: 'unreachable', code: 'any' },
	];
}

function matches(item, expected) {
	return (
		item.customer === expected.customer &&
		item.to === expected.to &&
		item.text === expected.text &&
		item.provider === expected.provider &&
		item.recipient === expected.recipient &&
		item.errorKind === expected.kind &&
		typeof item.error === 'string' &&
		expected.error.test(item.error) &&
		(expected.code === 'any' ||
			(expected.code === null ? item.errorCode === null : item.errorCode !== null && item.errorCode !== undefined))
	);
}

module.exports = {
	name: 'failed items keep what an SMS fallback needs and say their errorKind (error output, saved executions, every provider)',
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
			report.check(response.status === 200, `${provider}: POST /webhook/fallback-${provider} (6 messages) -> ${response.status}`);
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
				failed.length === 3 && failed.every((item, index) => matches(item, expected[index])),
				`${provider}: 3 items on the error output, each with the input's customer, to and text, error, errorKind, errorCode, provider and recipient: ${failed
					.map((item) => `${item.recipient} ${item.errorKind} [${item.errorCode}]`)
					.join(', ')}`,
				() => short(failed, 1200),
			);
			const sms = sink.find((body) => String(body.executionId) === String(execution.id) && typeof body.reason === 'string');
			const smsFor = expected.filter((e) => e.kind !== 'input');
			report.check(
				sms.length === 2 &&
					smsFor.every((e) => sms.some((body) => body.customer === e.customer && body.to === e.recipient && body.errorKind === e.kind)),
				`${provider}: the Filter on errorKind kept the 'provider' and 'unreachable' items; "SMS fallback" posted {{ $json.recipient }} for them only: ${sms
					.map((body) => `${body.to} (${body.customer}, ${body.errorKind})`)
					.join(', ')}`,
				() => short(sms),
			);
		}
		// The three sent messages of each batch bring status callbacks: let them land before the next suite counts.
		await report.attempt('the status callbacks of these sends settled', () => settleStatusCallbacks(env));
	},
};
