'use strict';

/**
 * The editor as a user drives it, in Debian's Chromium (playwright-core, headless, never a
 * downloaded browser; requests to anything but n8n are blocked):
 *   - from a WhatsApp Notify node, "Create new credential" for Gupshup, then, after choosing
 *     Meta as the Provider, for Meta: each form is that provider's, each credential is saved
 *     under a name that says its provider, and the credentials list shows both so;
 *   - "Execute workflow" on the SMS-fallback workflow (six messages, three fail, On Error
 *     "Continue (using error output)"): the saved execution's error output holds the three failed
 *     items with recipient, provider, error, errorKind and the input's fields, and the SMS goes
 *     to the two whose errorKind is not 'input'.
 * n8n 2.8.4 only (the editor's selectors are that version's).
 */

const rt = require('../../../scripts/n8n-runtime');
const { chromiumInstalled, launchChromium, pageOn } = require('../lib/browser');
const { savedRunData, outputItems, settleStatusCallbacks } = require('../lib/executions');
const { fallbackMessages, fallbackWorkflow } = require('../lib/workflows');

/** The providers whose credentials are created in the browser, with the word their names must hold. */
const NEW_CREDENTIALS = [
	{ provider: 'gupshup', option: 'Gupshup', word: 'Gupshup' },
	{ provider: 'meta', option: 'Meta WhatsApp Cloud API', word: 'Meta' },
];

function blankNotifyWorkflow() {
	const node = (name, type, position, parameters) => ({ id: rt.newId(), name, type, typeVersion: 1, position, parameters });
	const trigger = node('Run', 'n8n-nodes-base.manualTrigger', [0, 0], {});
	const notify = node('WhatsApp Notify', rt.NODE_TYPES.notify, [260, 0], {
		provider: NEW_CREDENTIALS[0].provider,
		recipient: '+15551234567',
		message: 'x',
	});
	return {
		id: rt.newId(),
		name: 'e2e editor: new credentials',
		nodes: [trigger, notify],
		connections: { [trigger.name]: { main: [[{ node: notify.name, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1' },
	};
}

/** Creates a credential from the open Notify panel: "Create new credential", fill, save, close. */
/**
 * Closes a dialog with its close button. On a busy machine a click that lands while the editor is
 * still redrawing the dialog (after the credential test) is lost: click again until it is gone.
 */
async function closeModal(modal) {
	for (let attempt = 1; ; attempt++) {
		try {
			if (await modal.isHidden()) return;
			await modal.locator('.el-dialog__headerbtn, button[aria-label="Close"]').first().click({ timeout: 15000 });
			await modal.waitFor({ state: 'hidden', timeout: 15000 });
			return;
		} catch (error) {
			if (attempt >= 4) throw error;
		}
	}
}

async function createCredential(page, kit, sandboxUrl) {
	await page.click('[data-test-id="node-credentials-select"]');
	await page.getByText('Create new credential').first().click();
	const modal = page.locator('[data-test-id="editCredential-modal"]');
	await modal.waitFor();
	const formFields = await modal.locator('[data-test-id^="parameter-input-"]:not([data-test-id="parameter-input-field"])').evaluateAll((elements) =>
		elements.map((element) => element.getAttribute('data-test-id').replace('parameter-input-', '')),
	);
	const data = kit.sandboxCredential(sandboxUrl);
	for (const [field, value] of Object.entries(data)) {
		if (!formFields.includes(field)) continue;
		const input = modal.locator(`[data-test-id="parameter-input-${field}"] input, [data-test-id="parameter-input-${field}"] textarea`).first();
		await input.fill(String(value));
	}
	const name = await modal.locator('[data-test-id="credential-name"]').innerText();
	await modal.locator('[data-test-id="credential-save-button"]').click();
	// Attached, not visible: n8n 2.39 keeps the result in a collapsed banner.
	await modal.getByText(/Connection tested successfully|Couldn’t connect/).first().waitFor({ state: 'attached' });
	const tested = (await modal.textContent()) || '';
	await closeModal(modal);
	return { name: name.trim(), formFields, testedOk: tested.includes('Connection tested successfully') };
}

/** A page on the editor (only n8n reachable), signed in as the owner. */
async function signedInPage(browser, { n8n, report }) {
	const page = await pageOn(browser, new URL(n8n.localUrl).origin);
	await page.goto(`${n8n.localUrl}/signin`);
	await page.fill('input[name="emailOrLdapLoginId"]', rt.OWNER.email);
	await page.fill('input[name="password"]', rt.OWNER.password);
	await page.click('[data-test-id="form-submit-button"]');
	await page.waitForURL((url) => !url.pathname.startsWith('/signin'));
	report.pass(`signed in to the editor as ${rt.OWNER.email}`);
	return page;
}

/** Credentials created from a WhatsApp Notify node, each of its provider's type and named after it. */
async function credentialsFromNode(page, { report, n8n, sandbox, kits, short }, blankNotify) {
	const notify = blankNotify.nodes[1];
	await page.goto(`${n8n.localUrl}/workflow/${blankNotify.id}/${notify.id}`);
	await page.locator('[data-test-id="parameter-input-provider"]').waitFor();
	const created = [];
	for (const wanted of NEW_CREDENTIALS) {
		if (wanted !== NEW_CREDENTIALS[0]) {
			await page.click('[data-test-id="parameter-input-provider"]');
			await page.getByRole('option', { name: wanted.option, exact: true }).click();
		}
		const result = await report.attempt(`${wanted.provider}: create a credential from the node`, () =>
			createCredential(page, kits[wanted.provider], sandbox.url),
		);
		if (!result) continue;
		const ownFields = Object.keys(kits[wanted.provider].sandboxCredential(sandbox.url)).filter((field) => field !== 'baseUrl');
		report.check(
			ownFields.every((field) => result.formFields.includes(field)) && result.name.includes(wanted.word) && result.testedOk,
			`${wanted.provider}: "Create new credential" opened ${wanted.option}'s form (${result.formFields.join(', ')}), saved as "${result.name}", connection tested successfully`,
			() => short(result),
		);
		created.push({ ...wanted, name: result.name });
	}

	await page.goto(`${n8n.localUrl}/home/credentials`);
	await page.locator('[data-test-id="resources-list-item"]').first().waitFor();
	const listed = (await page.locator('[data-test-id="resources-list-item"]').allInnerTexts()).join('\n');
	const saved = await n8n.rest('GET', '/credentials');
	const all = Array.isArray(saved) ? saved : saved.data || [];
	for (const { provider, name, word } of created) {
		const record = all.find((credential) => credential.name === name);
		report.check(
			listed.includes(name) && record && record.type === kits[provider].credentialType && name.includes(word),
			`the credentials list shows "${name}", of type ${record && record.type}`,
			() => `list: ${short(listed, 400)}; saved: ${short(all.map((c) => [c.name, c.type]))}`,
		);
	}

}

/** "Execute workflow" on the SMS-fallback workflow: the saved execution's error output holds the three failed items. */
async function fallbackFromEditor(page, env, fallback) {
	const { report, n8n, waitFor, short } = env;
	await page.goto(`${n8n.localUrl}/workflow/${fallback.id}`);
	await page.locator('[data-test-id="canvas-node"]').first().waitFor();
	await page.click('[data-test-id="execute-workflow-button"]');
	const execution = await report.attempt('"Execute workflow": the execution is saved', () =>
		waitFor(
			async () => {
				const filter = encodeURIComponent(JSON.stringify({ workflowId: fallback.id }));
				const list = await n8n.rest('GET', `/executions?limit=5&filter=${filter}`);
				return list.results.find((e) => e.status === 'success' || e.status === 'error') || null;
			},
			{ timeoutMs: 60000, intervalMs: 500, what: 'the manual execution of the fallback workflow' },
		),
	);
	if (!execution) return;
	const { runData } = await savedRunData(n8n, execution.id);
	const failed = outputItems(runData, 'WhatsApp Notify', 1);
	const [, refused, invalid, , failing] = fallbackMessages();
	const keeps = (item, message, errorKind) =>
		item.recipient === message.to &&
		item.errorKind === errorKind &&
		item.provider === 'twilio' &&
		typeof item.error === 'string' &&
		item.customer === message.customer &&
		item.to === message.to &&
		item.text === message.text;
	report.check(
		execution.mode === 'manual' &&
			failed.length === 3 &&
			keeps(failed[0], refused, 'provider') &&
			keeps(failed[1], invalid, 'input') &&
			keeps(failed[2], failing, 'unreachable'),
		`execution ${execution.id} (${execution.mode}, ${execution.status}): 3 error items with recipient, provider, error, errorKind and the input's fields: ${failed
			.map((item) => `${item.recipient} ${item.customer} ${item.errorKind}`)
			.join(', ')}`,
		() => short(failed, 1200),
	);
	report.check(
		outputItems(runData, 'SMS fallback', 0).length === 2,
		'"SMS fallback" ran once for each of the two that are not a bad input',
		() => short(Object.keys(runData)),
	);
	await report.attempt('the status callbacks of these sends settled', () => settleStatusCallbacks(env));
}

module.exports = {
	name: 'in the editor (Chromium): new credentials named after their provider; the SMS fallback in a saved execution',
	pinnedN8nOnly: true,
	timing: 'editor',

	async run(env) {
		const { report, n8n, sink, credentials } = env;
		if (!chromiumInstalled(report)) return;
		// Saved over REST, as the editor saves them: manual workflows, which the run does not publish.
		const save = async (workflow) => ({ ...workflow, id: (await n8n.rest('POST', '/workflows', { ...workflow, id: undefined })).id });
		const blankNotify = await save(blankNotifyWorkflow());
		const fallback = await save(
			fallbackWorkflow({ provider: 'twilio', credential: credentials.twilio, sinkUrl: sink.url, trigger: 'manual' }),
		);
		const browser = await launchChromium();
		try {
			const page = await signedInPage(browser, env);
			await credentialsFromNode(page, env, blankNotify);
			await fallbackFromEditor(page, env, fallback);
		} finally {
			await browser.close();
		}
	},
};
