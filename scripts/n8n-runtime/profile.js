'use strict';

/** Which n8n runs: the pinned and tested versions, what each needs to install, and the one in use. */

const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

/** The n8n the project pins: the dev command, the bench and the default e2e run use it. */
const DEFAULT_N8N_VERSION = '2.8.4';

/**
 * The n8n versions the e2e suite is run against (`npm run test:e2e -- --n8n <version>`) and what
 * each needs to install on this machine (no internet but the npm registry):
 *   overrides      npm overrides in the tool folder's package.json. n8n's `xlsx` is a CDN tarball
 *                  URL; 1.123's @n8n/expression-runtime wants isolated-vm ^6.2, which needs
 *                  Node >= 22 (5.0.4 supports Node 18+); 2.39's linkedom wants `cssomnom`, which
 *                  the registry does not have (an empty package stands in).
 *   node           a Node version from the registry's `node` package (it ships the binary and
 *                  headers), for n8n versions whose engines want a newer Node than the system's
 *   ignoreScripts  install with --ignore-scripts, then `npm rebuild` only `rebuild` (the native
 *                  modules n8n needs), compiled for `node`: other install scripts fetch binaries
 *                  from outside the registry
 *   cli            'publish' (2.x: `n8n publish:workflow`) or 'update' (1.x: `n8n update:workflow --active=true`)
 *   env            settings only this version knows (an unknown module name stops older ones)
 *   queueEnv       settings for queue mode (test/e2e/queue.js): what this version needs to answer
 *                  status callbacks in time on a small machine (docs/scaling.md)
 */
const N8N_VERSIONS = {
	'2.8.4': { overrides: { xlsx: '0.18.5' }, cli: 'publish' },
	'1.123.81': { overrides: { xlsx: '0.18.5', 'isolated-vm': '5.0.4' }, cli: 'update' },
	'2.39.10': {
		node: '24.21.0',
		overrides: { xlsx: '0.18.5', cssomnom: 'npm:empty-npm-package@1.0.0' },
		ignoreScripts: true,
		rebuild: ['sqlite3', 'isolated-vm'],
		cli: 'publish',
		// Its MCP registry module fetches api.n8n.io every start; nothing here uses it.
		env: { N8N_DISABLED_MODULES: 'mcp-registry' },
		// Its default vm engine builds a V8 isolate for every webhook call of a trigger other than the
		// static Webhook node and for every execution: about 40 ms of CPU per callback on the webhook
		// processor and 15 more on the worker (bench/n8n-queue.js). The legacy engine builds none.
		// It also removes a finished job from Redis at once (keep 0): a webhook processor that starts
		// waiting for a job after a fast worker finished it never answers ("Respond: When Last Node
		// Finishes"); kept jobs let it see the job is done.
		queueEnv: { N8N_EXPRESSION_ENGINE: 'legacy', N8N_EXECUTIONS_QUEUE_KEEP_LAST_COMPLETED: '1000', N8N_EXECUTIONS_QUEUE_KEEP_LAST_FAILED: '1000' },
	},
};

/** The tested version a name like "1.123", "1.123.x" or "2.39.10" stands for; any other x.y.z as given. */
function resolveN8nVersion(name) {
	const wanted = String(name || DEFAULT_N8N_VERSION).replace(/\.x$/, '');
	if (N8N_VERSIONS[wanted]) return wanted;
	const known = Object.keys(N8N_VERSIONS).find((version) => version.startsWith(`${wanted}.`));
	if (known) return known;
	if (!/^\d+\.\d+\.\d+$/.test(wanted)) {
		throw new Error(`Unknown n8n version "${name}": give x.y.z, or one of ${Object.keys(N8N_VERSIONS).join(', ')}`);
	}
	return wanted;
}

/** What running `version` takes: its tool folder, its Node and install recipe (N8N_VERSIONS). */
function n8nProfile(version) {
	const recipe = N8N_VERSIONS[version] || { overrides: { xlsx: '0.18.5' }, cli: Number(version.split('.')[0]) >= 2 ? 'publish' : 'update' };
	// The pinned version keeps its historical folder (and N8N_TOOL_DIR); others get their own.
	const toolDir =
		version === DEFAULT_N8N_VERSION
			? process.env.N8N_TOOL_DIR
				? path.resolve(process.env.N8N_TOOL_DIR)
				: path.join(ROOT, '.tools', 'n8n')
			: path.join(ROOT, '.tools', `n8n-${version}`);
	return { version, major: Number(version.split('.')[0]), toolDir, ignoreScripts: false, rebuild: [], node: null, env: {}, queueEnv: {}, ...recipe };
}

// The n8n every module of the runtime works with; useN8n() switches it (once, at the start of a run).
let profile = n8nProfile(DEFAULT_N8N_VERSION);

/** The profile of the n8n in use: { version, major, toolDir, node, overrides, ignoreScripts, rebuild, cli, env, queueEnv }. */
const current = () => profile;

/** The version a command line asks for with `--n8n <version>` or `--n8n=<version>`; undefined without one. */
function n8nVersionArg(argv) {
	const at = argv.findIndex((arg) => arg === '--n8n' || arg.startsWith('--n8n='));
	if (at < 0) return undefined;
	const version = argv[at].startsWith('--n8n=') ? argv[at].slice('--n8n='.length) : argv[at + 1];
	if (!version) throw new Error('--n8n needs a version, e.g. --n8n 1.123.81');
	return version;
}

/** Makes every function of this module use another n8n version (see N8N_VERSIONS). Returns its profile. */
function useN8n(version) {
	profile = n8nProfile(resolveN8nVersion(version));
	return profile;
}
module.exports = { ROOT, DEFAULT_N8N_VERSION, n8nProfile, resolveN8nVersion, n8nVersionArg, useN8n, current };
