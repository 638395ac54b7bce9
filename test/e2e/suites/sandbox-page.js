'use strict';

/**
 * The sandbox page (/_sandbox/) in Chromium, after real sends through n8n: one text message per
 * provider through WhatsApp Notify. The page must show each send (recipient, text, the provider's
 * answer) with every status callback it caused, each with the trigger URL it went to and n8n's
 * answer, as the sandbox recorded them; where each provider's callbacks go; no credential secret
 * anywhere in it; and "Reply as the customer" must fill the reply form for that send.
 * n8n 2.8.4 only: the page is the sandbox's, any n8n's sends show it the same way.
 */

const { TEST_NUMBERS } = require('../../../sandbox/server');
const { hideUrlSecrets } = require('../../../sandbox/lib/overview');
const { chromiumInstalled, launchChromium, pageOn } = require('../lib/browser');
const { settleStatusCallbacks } = require('../lib/executions');

const textOf = (provider) => `Sandbox page: your table at 8 is booked (${provider})`;

/** One send per provider through its send workflow; resolves to { provider: messageId }. */
async function sendEach({ report, providers, send, short }) {
	const sent = {};
	await Promise.all(
		providers.map(async (provider) => {
			const response = await report.attempt(`${provider}: send for the page`, () => send(provider, { to: TEST_NUMBERS.delivered, text: textOf(provider) }));
			const item = response && Array.isArray(response.body) ? response.body[0] : undefined;
			if (report.check(item && item.status === 'sent' && item.messageId, `${provider}: sent through n8n (messageId ${item && item.messageId})`, () => short(response))) {
				sent[provider] = item.messageId;
			}
		}),
	);
	return sent;
}

/** The send's card: its header and text, and one line per callback once the page has drawn them all. */
async function cardOf(page, messageId, callbackCount) {
	const card = page.locator(`article.send[data-message-id="${messageId}"]`);
	await card.waitFor();
	// The page polls the sandbox: wait until the card lists every callback the sandbox made.
	await card.locator('.send-callbacks li[data-event]').nth(callbackCount - 1).waitFor();
	return {
		header: await card.locator('header').innerText(),
		text: await card.locator('.text').innerText(),
		callbacks: await card.locator('.send-callbacks li[data-event]').evaluateAll((items) =>
			items.map((item) => ({ event: /** @type {any} */ (item).dataset.event, line: item.textContent })),
		),
	};
}

async function checkSend(page, { report, sandbox, short }, provider, messageId) {
	const made = sandbox.callbacks.filter((callback) => callback.messageId === messageId);
	if (!report.check(made.length >= 2, `${provider}: the sandbox sent ${made.length} callbacks for the send`, () => short(sandbox.callbacks.slice(-8)))) return;
	const shown = await report.attempt(`${provider}: the page shows the send and its ${made.length} callbacks`, () => cardOf(page, messageId, made.length));
	if (!shown) return;
	report.check(
		shown.header.includes(provider) && shown.header.includes(`to ${TEST_NUMBERS.delivered}`) && /HTTP 2\d\d/.test(shown.header) && shown.text === textOf(provider),
		`${provider}: its card names the recipient, the provider's answer and the text ("${shown.header.replace(/\s+/g, ' ')}")`,
		() => short(shown),
	);
	const expected = made.map((callback) => ({ event: callback.status, url: hideUrlSecrets(callback.url), answer: `HTTP ${callback.httpStatus}` }));
	report.check(
		made.every((callback) => callback.httpStatus === 200) &&
			shown.callbacks.length === made.length &&
			expected.every((each, index) => shown.callbacks[index].event === each.event && shown.callbacks[index].line.includes(each.url) && shown.callbacks[index].line.includes(each.answer)),
		`${provider}: each callback with the URL it went to and n8n's answer: ${expected.map((each) => `${each.event} ${each.answer}`).join(', ')}`,
		() => `page: ${short(shown.callbacks, 800)}; sandbox: ${short(expected, 800)}`,
	);
	const rows = await page.locator(`#callback-rows tr[data-message-id="${messageId}"]`).count();
	report.check(rows === made.length, `${provider}: the callbacks table lists them too (${rows})`);
}

/** Where each provider's callbacks go: the webhook given by hand and what triggers registered. */
async function checkProviders(page, { report, sandbox, providers, kits }) {
	for (const provider of providers) {
		const shown = await page.locator(`.provider[data-provider="${provider}"]`).innerText();
		const configured = sandbox.config().webhooks[provider];
		const registered = kits[provider].registeredUrls(sandbox.registrations[provider] ?? []);
		const wanted = [...(configured ? [configured] : []), ...registered].map(hideUrlSecrets);
		report.check(
			wanted.length > 0 && wanted.every((url) => shown.includes(url)),
			`${provider}: "Where callbacks go" shows ${wanted.join(', ')}`,
			() => shown,
		);
	}
}

/** Nothing secret in the page: none of the credentials' secret fields, no Basic auth. */
async function checkNoSecrets(page, { report, providers, kits, credentials }) {
	const html = await page.content();
	const secrets = providers.flatMap((provider) => kits[provider].secretFields.map((field) => credentials[provider].data[field]).filter(Boolean));
	const shown = secrets.filter((secret) => html.includes(secret));
	report.check(
		secrets.length > providers.length && shown.length === 0 && !/Basic [A-Za-z0-9+/=]{10,}/.test(html),
		`no secret in the page (${secrets.length} credential secrets looked for, ${html.length} characters)`,
		() => `shown: ${shown.length} of them`,
	);
}

/** "Reply as the customer" on a send fills the reply form: its provider, its recipient as the sender, its id. */
async function checkReplyForm(page, { report }, provider, messageId) {
	await page.locator(`article.send[data-message-id="${messageId}"] .reply-button`).click();
	const form = page.locator('#reply-form');
	const values = {
		provider: await form.locator('[name="provider"]').inputValue(),
		from: await form.locator('[name="from"]').inputValue(),
		replyTo: await form.locator('[name="replyTo"]').inputValue(),
	};
	report.check(
		values.provider === provider && values.from === TEST_NUMBERS.delivered && values.replyTo === messageId,
		`"Reply as the customer" fills the reply form: ${JSON.stringify(values)}`,
	);
}

module.exports = {
	name: 'the sandbox page (Chromium): each send through n8n with its callbacks and their answers, where callbacks go, no secret',
	pinnedN8nOnly: true,
	timing: 'sandbox page',

	async run(env) {
		const { report, sandbox } = env;
		if (!chromiumInstalled(report)) return;
		const sent = await sendEach(env);
		// Every callback sent and answered, and the status executions they started finished.
		await report.attempt('the status callbacks of these sends settled', () => settleStatusCallbacks(env));
		const browser = await launchChromium();
		try {
			const page = await pageOn(browser, new URL(sandbox.url).origin);
			await page.goto(sandbox.pageUrl);
			for (const [provider, messageId] of Object.entries(sent)) await checkSend(page, env, provider, messageId);
			await report.attempt('"Where callbacks go"', () => checkProviders(page, env));
			await report.attempt('no secret in the page', () => checkNoSecrets(page, env));
			const [provider, messageId] = Object.entries(sent)[0] ?? [];
			if (provider) await report.attempt('the reply form', () => checkReplyForm(page, env, provider, messageId));
		} finally {
			await browser.close();
		}
	},
};
