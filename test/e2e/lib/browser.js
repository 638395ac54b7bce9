'use strict';

/**
 * Debian's Chromium for the browser suites (playwright-core, headless; never a downloaded
 * browser), with pages that reach one origin only: everything else is blocked, so a run stays
 * offline whatever a page asks for.
 */

const fs = require('node:fs');

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
const VIEWPORT = { width: 1440, height: 900 };

/** Fails the suite's first check (and says how to fix it) when Chromium is not installed. */
function chromiumInstalled(report) {
	if (fs.existsSync(CHROMIUM)) return true;
	report.fail('Chromium', `${CHROMIUM} is missing: apt-get install chromium (the suite never downloads a browser)`);
	return false;
}

function launchChromium() {
	const { chromium } = require('playwright-core');
	return chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
}

/** A page that may reach `origin` (and data: and blob: URLs) and nothing else. */
async function pageOn(browser, origin) {
	const context = await browser.newContext({ viewport: VIEWPORT });
	await context.route('**/*', (route) => {
		const url = route.request().url();
		return url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:') ? route.continue() : route.abort();
	});
	const page = await context.newPage();
	page.setDefaultTimeout(60000);
	return page;
}

module.exports = { chromiumInstalled, launchChromium, pageOn };
