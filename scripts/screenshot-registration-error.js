#!/usr/bin/env node
'use strict';

/**
 * docs/images/registration-error.png: the toast n8n's editor shows when publishing a Status
 * Trigger workflow fails at registration, as a user sees it. Meta's sandbox refuses the listing
 * the trigger makes first with Meta's own answer to an expired token (HTTP 401, code 190).
 *
 *   npm run dev -- --port 5791 --sandbox-port 5792      (in another terminal)
 *   node scripts/screenshot-registration-error.js --url http://localhost:5791 --sandbox http://127.0.0.1:5792
 *
 * Drives Debian's Chromium (/usr/bin/chromium) with playwright-core, headless, offline (requests
 * to anything but n8n are blocked), as scripts/screenshots.js does. Not run by CI.
 */

const path = require('node:path');
const { parseArgs } = require('node:util');

const rt = require('./n8n-runtime');
const { SANDBOX_CREDENTIALS } = require('../sandbox/server');

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'];
const say = (text) => console.log(`[screenshot] ${text}`);

const { values } = parseArgs({ options: { url: { type: 'string' }, sandbox: { type: 'string' }, out: { type: 'string' } } });
const url = (values.url || 'http://localhost:5791').replace(/\/+$/, '');
const sandboxUrl = (values.sandbox || 'http://127.0.0.1:5792').replace(/\/+$/, '');
const out = path.resolve(rt.ROOT, values.out || 'docs/images/registration-error.png');

async function rest(cookie, method, route, body) {
	const response = await fetch(`${url}/rest${route}`, {
		method,
		headers: { cookie, 'content-type': 'application/json' },
		body: body ? JSON.stringify(body) : undefined,
	});
	const json = /** @type {any} */ (await response.json());
	if (!response.ok) throw new Error(`${method} ${route} answered ${response.status}: ${JSON.stringify(json)}`);
	return json.data ?? json;
}

/** A Meta credential whose token has expired (the sandbox answers 190), and a workflow whose trigger registers itself. */
async function prepare(cookie) {
	const { phoneNumberId, businessAccountId, appSecret, apiVersion } = SANDBOX_CREDENTIALS.meta;
	const credential = await rest(cookie, 'POST', '/credentials', {
		name: 'Meta (expired token)',
		type: 'metaWhatsAppCloudApi',
		data: { accessToken: 'EAAG-expired-temporary-token', phoneNumberId, businessAccountId, appSecret, verifyToken: '', apiVersion, baseUrl: sandboxUrl },
	});
	return await rest(cookie, 'POST', '/workflows', {
		name: 'Order statuses (Meta)',
		active: false,
		settings: { executionOrder: 'v1' },
		connections: {},
		nodes: [
			{
				id: 'a1b2c3d4-0000-4000-8000-000000000001',
				name: 'WhatsApp Status Trigger',
				type: rt.NODE_TYPES.statusTrigger,
				typeVersion: 1,
				position: [0, 0],
				webhookId: 'b7f0c1e2-6d3a-4c5b-9e8f-0a1b2c3d4e5f',
				parameters: { provider: 'meta', registerCallback: true, options: {} },
				credentials: { metaWhatsAppCloudApi: { id: credential.id, name: credential.name } },
			},
		],
	});
}

async function main() {
	const cookie = await rt.login(url, rt.OWNER);
	const workflow = await prepare(cookie);
	say(`workflow ${workflow.id} created`);
	const { chromium } = require('playwright-core');
	const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
	try {
		const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
		const origin = new URL(url).origin;
		await context.route('**/*', (route) => (route.request().url().startsWith(origin) ? route.continue() : route.abort()));
		const page = await context.newPage();
		page.setDefaultTimeout(30000);
		await page.goto(`${url}/signin`);
		await page.fill('input[name="emailOrLdapLoginId"]', rt.OWNER.email);
		await page.fill('input[name="password"]', rt.OWNER.password);
		await page.click('[data-test-id="form-submit-button"]');
		await page.waitForURL((address) => !address.pathname.startsWith('/signin'));
		await page.goto(`${url}/workflow/${workflow.id}`);
		await page.waitForSelector('[data-test-id="canvas-node"]');
		await page.click('[data-test-id="workflow-open-publish-modal-button"]');
		await page.click('[data-test-id="workflow-publish-button"]');
		const toast = page.locator('.el-notification').filter({ hasText: 'refused' }).first();
		await toast.waitFor();
		const text = await toast.innerText();
		if (!/Access Token/.test(text)) throw new Error(`the toast does not say what to do: ${text}`);
		say(`toast: ${text.replace(/\s+/g, ' ')}`);
		await page.keyboard.press('Escape');
		await page.waitForTimeout(500);
		await page.screenshot({ path: out });
		say(`saved ${path.relative(rt.ROOT, out)}`);
	} finally {
		await browser.close();
		await rest(cookie, 'DELETE', `/workflows/${workflow.id}`).catch(() => undefined);
	}
}

main().catch((error) => {
	console.error(`[screenshot] failed: ${error.stack || error.message}`);
	process.exit(1);
});
