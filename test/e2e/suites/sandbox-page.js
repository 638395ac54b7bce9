'use strict';

/**
 * The sandbox page (/_sandbox/) in Chromium, after real sends through n8n: per provider, a text
 * message and one with reply buttons, through WhatsApp Notify. The page must show each send
 * (recipient, text, the provider's answer) with every status callback it caused, each with the
 * trigger URL it went to and n8n's answer, as the sandbox recorded them; where each provider's
 * callbacks go; no credential secret anywhere in it. Then the customer answers from the page: a tap
 * on a send's button, and a typed reply ("Reply as the customer"), each sent by the sandbox
 * (POST /_sandbox/inbound) to the status trigger, whose answer the page shows under the send.
 * n8n 2.8.4 only: the page is the sandbox's, any n8n's sends show it the same way.
 */

const { TEST_NUMBERS } = require('../../../sandbox/server');
const { hideUrlSecrets } = require('../../../sandbox/lib/overview');
const { chromiumInstalled, launchChromium, pageOn } = require('../lib/browser');
const { settleStatusCallbacks } = require('../lib/executions');
const { sendWorkflow } = require('../lib/workflows');

const textOf = (provider) => `Sandbox page: your table at 8 is booked (${provider})`;
const BUTTONS = [
	{ title: 'Confirm', id: 'confirm-table-8pm' },
	{ title: 'Reschedule', id: 'reschedule-table' },
];
/** The webhook path of each provider's send-with-buttons workflow (its own: another suite has send-buttons-<provider>). */
const buttonsPath = (provider) => `sandbox-page-buttons-${provider}`;

/** The send workflow with the reply buttons above under its text. */
function buttonsWorkflow(provider, credential) {
	const workflow = sendWorkflow({ provider, credential, path: buttonsPath(provider) });
	Object.assign(workflow.nodes[1].parameters, { messageType: 'text', replyButtons: { button: BUTTONS } });
	return { ...workflow, name: `e2e sandbox page: buttons (${provider})` };
}

/** One send per provider through `post(provider, body)`; resolves to { provider: messageId }. */
async function sendEach({ report, providers, short }, what, post) {
	const sent = {};
	await Promise.all(
		providers.map(async (provider) => {
			const response = await report.attempt(`${provider}: ${what}`, () => post(provider, { to: TEST_NUMBERS.delivered, text: textOf(provider) }));
			const item = response && Array.isArray(response.body) ? response.body[0] : undefined;
			if (report.check(item && item.status === 'sent' && item.messageId, `${provider}: ${what} through n8n (messageId ${item && item.messageId})`, () => short(response))) {
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

/** The reply form's outcome once the sandbox has answered: { state: 'ok' | 'bad', text }. */
async function replyOutcome(page) {
	const result = page.locator('#reply-result[data-state="ok"], #reply-result[data-state="bad"]');
	await result.waitFor();
	return { state: await result.getAttribute('data-state'), text: await result.innerText() };
}

/**
 * The customer's message, played from the page, reached the status trigger: the form says where
 * it went and what was answered (n8n's 200), and the send's card shows it under the send.
 */
async function checkReplyArrived(page, { report, sandbox, short }, { provider, messageId, what }) {
	const outcome = await replyOutcome(page);
	const played = sandbox.callbacks.filter((callback) => callback.status === 'inbound' && callback.replyTo === messageId);
	report.check(
		outcome.state === 'ok' && /^Sent to \d+ callback URLs?: HTTP 200(, HTTP 200)*$/.test(outcome.text) && played.length > 0 && played.every((each) => each.httpStatus === 200),
		`${provider}: ${what}: "${outcome.text}"`,
		() => `${outcome.state}; sandbox: ${short(played)}`,
	);
	const line = page.locator(`article.send[data-message-id="${messageId}"] .send-callbacks li[data-event="inbound"]`).first();
	await line.waitFor();
	report.check((await line.innerText()).includes('HTTP 200'), `${provider}: the send's card shows the reply and n8n's answer`, async () => line.innerText());
}

/** A tap on the send's first button, from its card: its buttons are the ones sent; the tap reaches n8n. */
async function checkTap(page, env, provider, messageId) {
	const record = env.sandbox.received.find((each) => each.messageId === messageId);
	if (!env.report.check(record && Array.isArray(record.buttons), `${provider}: the sandbox recorded the send's buttons`, () => env.short(record, 1500))) return;
	const card = page.locator(`article.send[data-message-id="${messageId}"]`);
	await card.locator('.chip').first().waitFor();
	const chips = await card.locator('.chip').evaluateAll((items) => items.map((item) => [item.textContent, /** @type {any} */ (item).dataset.buttonId]));
	env.report.check(
		JSON.stringify(chips) === JSON.stringify(BUTTONS.map((button) => [button.title, button.id])),
		`${provider}: the card shows the buttons sent: ${chips.map(([title, id]) => `${title} (${id})`).join(', ')}`,
	);
	await card.locator('.chip').first().click();
	await checkReplyArrived(page, env, { provider, messageId, what: `a tap on "${BUTTONS[0].title}"` });
}

/** "Reply as the customer" fills the form for the send (provider, recipient as sender, its id); a typed reply reaches n8n. */
async function checkTypedReply(page, env, provider, messageId) {
	await page.locator(`article.send[data-message-id="${messageId}"] .reply-button`).click();
	const form = page.locator('#reply-form');
	const values = {
		provider: await form.locator('[name="provider"]').inputValue(),
		from: await form.locator('[name="from"]').inputValue(),
		replyTo: await form.locator('[name="replyTo"]').inputValue(),
	};
	env.report.check(
		values.provider === provider && values.from === TEST_NUMBERS.delivered && values.replyTo === messageId,
		`"Reply as the customer" fills the reply form: ${JSON.stringify(values)}`,
	);
	await form.locator('[name="text"]').fill('See you at 8');
	await form.locator('button[type="submit"]').click();
	await checkReplyArrived(page, env, { provider, messageId, what: 'a typed reply' });
}

module.exports = {
	name: 'the sandbox page (Chromium): each send through n8n with its callbacks and their answers, where callbacks go, no secret',
	pinnedN8nOnly: true,
	timing: 'sandbox page',

	workflows: ({ providers, credentials }) => providers.map((provider) => buttonsWorkflow(provider, credentials[provider])),

	async run(env) {
		const { report, sandbox, n8n, httpPost } = env;
		if (!chromiumInstalled(report)) return;
		const sent = await sendEach(env, 'a text', env.send);
		const withButtons = await sendEach(env, 'a text with reply buttons', (provider, body) => httpPost(`${n8n.localUrl}/webhook/${buttonsPath(provider)}`, { body }));
		// Every callback sent and answered, and the status executions they started finished.
		await report.attempt('the status callbacks of these sends settled', () => settleStatusCallbacks(env));
		const browser = await launchChromium();
		try {
			const page = await pageOn(browser, new URL(sandbox.url).origin);
			await page.goto(sandbox.pageUrl);
			for (const [provider, messageId] of Object.entries(sent)) await checkSend(page, env, provider, messageId);
			await report.attempt('"Where callbacks go"', () => checkProviders(page, env));
			await report.attempt('no secret in the page', () => checkNoSecrets(page, env));
			for (const [provider, messageId] of Object.entries(withButtons)) {
				await report.attempt(`${provider}: a tap from the page`, () => checkTap(page, env, provider, messageId));
			}
			const [provider, messageId] = Object.entries(sent)[0] ?? [];
			if (provider) await report.attempt('a typed reply from the page', () => checkTypedReply(page, env, provider, messageId));
		} finally {
			await browser.close();
		}
		await report.attempt('the executions the replies started finished', () => settleStatusCallbacks(env));
	},
};
