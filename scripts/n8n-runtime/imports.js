'use strict';

/** Credentials and workflows put into a user folder with n8n's CLI (while its n8n is stopped), and webhook paths. */

const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const { current } = require('./profile');
const { n8nCli } = require('./toolchain');

/** A random id in n8n's style (16 alphanumerics), used when a workflow or credential has none. */
function newId() {
	const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
	const bytes = crypto.randomBytes(16);
	let id = '';
	for (const byte of bytes) id += alphabet[byte % alphabet.length];
	return id;
}

function writeImportFile(userFolder, kind, data) {
	const dir = path.join(path.resolve(userFolder), '.imports');
	fs.mkdirSync(dir, { recursive: true });
	const file = path.join(dir, `${kind}-${Date.now()}-${process.pid}.json`);
	fs.writeFileSync(file, JSON.stringify(data, null, 2), { mode: 0o600 });
	return file;
}

/**
 * Imports credentials with `n8n import:credentials`. Each: { id?, name, type, data: {...} };
 * `data` in clear text is encrypted by n8n with the folder's key. Returns them with their ids.
 * Run it while that folder's n8n is stopped (it writes the SQLite database).
 */
function importCredentials(userFolder, credentials, options = {}) {
	const list = (Array.isArray(credentials) ? credentials : [credentials]).map((credential) => ({
		...credential,
		id: credential.id || newId(),
	}));
	for (const credential of list) {
		if (!credential.name || !credential.type || typeof credential.data !== 'object') {
			throw new Error(`A credential needs name, type and a data object: ${JSON.stringify(credential.name)}`);
		}
	}
	const file = writeImportFile(userFolder, 'credentials', list);
	try {
		const output = n8nCli(userFolder, ['import:credentials', `--input=${file}`], options);
		if (!/Successfully imported/.test(output)) throw new Error(`n8n import:credentials did not succeed:\n${output}`);
	} finally {
		fs.rmSync(file, { force: true });
	}
	return list.map(({ id, name, type }) => ({ id, name, type }));
}

/**
 * Imports workflows with `n8n import:workflow`, then publishes (activates) those with
 * `active: true` (or all of them with options.activate === true) via `n8n publish:workflow`.
 * Import always leaves workflows inactive in n8n 2.x, and publishing from the CLI only takes
 * effect at the next start: call this while that folder's n8n is stopped.
 * Returns [{ id, name, active }].
 */
function importWorkflows(userFolder, workflows, options = {}) {
	const list = (Array.isArray(workflows) ? workflows : [workflows]).map((workflow) => ({
		settings: {},
		...workflow,
		id: workflow.id || newId(),
	}));
	for (const workflow of list) {
		if (!workflow.name || !Array.isArray(workflow.nodes) || typeof workflow.connections !== 'object') {
			throw new Error(`A workflow needs name, nodes and connections: ${JSON.stringify(workflow.name)}`);
		}
	}
	const file = writeImportFile(userFolder, 'workflows', list);
	try {
		const output = n8nCli(userFolder, ['import:workflow', `--input=${file}`], options);
		if (!/Successfully imported/.test(output)) throw new Error(`n8n import:workflow did not succeed:\n${output}`);
	} finally {
		fs.rmSync(file, { force: true });
	}
	const result = [];
	for (const workflow of list) {
		const activate = options.activate === undefined ? workflow.active === true : Boolean(options.activate);
		if (activate) {
			// 1.x has no publish:workflow; its update:workflow --active=true is what 2.x deprecated.
			const command = current().cli === 'publish' ? ['publish:workflow'] : ['update:workflow', '--active=true'];
			n8nCli(userFolder, [...command, `--id=${workflow.id}`], options);
		}
		result.push({ id: workflow.id, name: workflow.name, active: activate });
	}
	return result;
}

/**
 * The production path of a webhook (after /webhook/), as n8n 2.8.4 computes it:
 * - node with webhookId, path not a full path: `<webhookId>/<path>` (trigger nodes such as ours)
 * - node with webhookId and isFullPath (the Webhook node): `<path>` (or the webhookId if empty)
 * - node without webhookId: `<workflowId>/<encoded lower-case node name>/<path>`
 * A path with route parameters (`:id`) is always prefixed by the webhookId.
 */
function productionWebhookPath({ workflowId = undefined, node, path: webhookPath = '', isFullPath = false }) {
	let full = isFullPath;
	if ((webhookPath.startsWith(':') || webhookPath.includes('/:')) && node.webhookId) full = false;
	let result;
	if (node.webhookId === undefined) {
		result = `${workflowId}/${encodeURIComponent(node.name.toLowerCase())}/${webhookPath}`;
	} else if (full) {
		result = webhookPath || node.webhookId;
	} else {
		result = `${node.webhookId}/${webhookPath}`;
	}
	return result.replace(/^\/+/, '');
}

module.exports = { newId, importCredentials, importWorkflows, productionWebhookPath };
