'use strict';
/**
 * Runs this package inside a real, pinned n8n: shared by the dev command, the e2e and queue
 * suites and the benchmark. One module per concern:
 *   profile.js    which n8n (the pinned and tested versions, their install recipes, useN8n)
 *   toolchain.js  the n8n install in .tools and its Node, commands, n8n's environment and CLI
 *   package.js    this project packed and installed as a community package
 *   imports.js    credentials and workflows imported with the CLI, webhook paths
 *   processes.js  n8n processes started, waited for, stopped
 *   rest.js       the owner and n8n's internal REST API
 *
 *   const rt = require('./scripts/n8n-runtime');
 *   await rt.ensureN8n();                             // installs n8n into .tools/n8n once
 *   rt.installPackage(userFolder);                    // build + pack + install as a community package
 *   rt.importCredentials(userFolder, [...]);          // n8n import:credentials
 *   rt.importWorkflows(userFolder, [...]);            // n8n import:workflow + publish:workflow
 *   const n8n = await rt.startN8n({ userFolder, setupOwner: true });
 *   ...
 *   await n8n.stop();
 *
 * Everything binds to 127.0.0.1. See scripts/N8N-NOTES.md for the reasons behind the settings.
 */

const { importCredentials, importWorkflows, newId, productionWebhookPath } = require('./imports');
const { installPackage } = require('./package');
const { NODE_TYPES, findFreePort, startN8n, stopAll } = require('./processes');
const { DEFAULT_N8N_VERSION, ROOT, current, n8nVersionArg, resolveN8nVersion, useN8n } = require('./profile');
const { OWNER, login } = require('./rest');
const { ensureN8n, isN8nInstalled, n8nEnv } = require('./toolchain');

module.exports = {
	// Getters: useN8n() changes them.
	get N8N_VERSION() {
		return current().version;
	},
	get TOOL_DIR() {
		return current().toolDir;
	},
	get n8nProfile() {
		return current();
	},
	DEFAULT_N8N_VERSION,
	useN8n,
	n8nVersionArg,
	resolveN8nVersion,
	ROOT,
	NODE_TYPES,
	OWNER,
	ensureN8n,
	isN8nInstalled,
	n8nEnv,
	installPackage,
	importCredentials,
	importWorkflows,
	startN8n,
	login,
	stopAll,
	productionWebhookPath,
	findFreePort,
	newId,
};
