'use strict';

/**
 * What the e2e suite knows about each provider when it plays against the sandbox: one file per
 * provider, next to this one, named as in the package's registry. A new provider's e2e coverage
 * is its file here; run.js and lib/workflows.js read everything from these.
 *
 * Each exports:
 *   credentialType, credentialData(sandboxUrl)     the n8n credential pointing at the sandbox
 *   triggerUrl(n8nBase, webhookId)                 the URL the sandbox calls (with any token in it)
 *   countedCallbacks                               sandbox callback words that start an execution
 *   undeliverableCode                              the discard's error code for TEST_NUMBERS.undeliverable
 *   invalidError                                   what the refusal of TEST_NUMBERS.invalid says
 *   sentText(body)                                 the message text in the request the sandbox received
 *   override { override, verify(body, record), says }  an override and _config case
 *   forgeries({ original, url, marker })           forged callbacks (each must get 401) and one genuine
 */

const fs = require('node:fs');

const E2E_PROVIDERS = Object.fromEntries(
	fs
		.readdirSync(__dirname)
		.filter((file) => file.endsWith('.js') && file !== 'index.js')
		.map((file) => [file.slice(0, -3), require(`./${file}`)]),
);

module.exports = { E2E_PROVIDERS };
