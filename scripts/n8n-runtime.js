'use strict';
/**
 * Runs this package inside a real, pinned n8n: shared by the dev command and the e2e suite.
 *
 *   const rt = require('./scripts/n8n-runtime');
 *   rt.ensureN8n();                                   // installs n8n into .tools/n8n once
 *   rt.installPackage(userFolder);                    // build + pack + install as a community package
 *   rt.importCredentials(userFolder, [...]);          // n8n import:credentials
 *   rt.importWorkflows(userFolder, [...]);            // n8n import:workflow + publish:workflow
 *   const n8n = await rt.startN8n({ userFolder, setupOwner: true });
 *   ...
 *   await n8n.stop();
 *
 * Everything binds to 127.0.0.1. See scripts/N8N-NOTES.md for the reasons behind the settings.
 */

const { spawn, spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const { npmInstall, progressLogger } = require('./npm-install');

const ROOT = path.resolve(__dirname, '..');

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
	return { version, major: Number(version.split('.')[0]), toolDir, ignoreScripts: false, rebuild: [], node: null, env: {}, ...recipe };
}

// The n8n every function below works with; useN8n() switches it (once, at the start of a run).
let profile = n8nProfile(DEFAULT_N8N_VERSION);
let N8N_VERSION = profile.version;
let TOOL_DIR = profile.toolDir;

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
	N8N_VERSION = profile.version;
	TOOL_DIR = profile.toolDir;
	return profile;
}
const PACKAGE_NAME = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')).name;

const NODE_TYPES = {
	notify: `${PACKAGE_NAME}.whatsAppNotify`,
	statusTrigger: `${PACKAGE_NAME}.whatsAppStatusTrigger`,
};

const OWNER = { email: 'dev@example.com', password: 'Sandbox-Pass1', firstName: 'Dev', lastName: 'Sandbox' };

/** The line n8n prints once the server is up AND the published workflows have been activated. */
const READY_LINE = 'Editor is now accessible via';

/**
 * The processes of queue mode (`n8n <command>`) and the line each prints once it is ready.
 * A worker serves no HTTP (no /healthz to poll); a webhook processor serves /healthz.
 */
const PROCESS_KINDS = {
	start: { readyLine: READY_LINE, http: true },
	webhook: { readyLine: 'Webhook listener waiting for requests', http: true },
	worker: { readyLine: 'n8n worker is now ready', http: false },
};

// n8n's own flags for installing a community package (CommunityPackagesService in 2.8.4).
const N8N_NPM_INSTALL_ARGS = [
	'--audit=false',
	'--fund=false',
	'--bin-links=false',
	'--install-strategy=shallow',
	'--ignore-scripts=true',
	'--package-lock=false',
];

// ---------------------------------------------------------------------------------------------
// Small helpers

function log(options, message) {
	if (options && options.quiet) return;
	const write = options && typeof options.log === 'function' ? options.log : (text) => process.stderr.write(`${text}\n`);
	write(`[n8n-runtime] ${message}`);
}

/**
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, quiet?: boolean, input?: string, what?: string }} [options]
 */
function run(command, args, { cwd, env, quiet, input, what } = {}) {
	const result = spawnSync(command, args, {
		cwd,
		env: env || process.env,
		input,
		encoding: 'utf8',
		stdio: quiet ? ['pipe', 'pipe', 'pipe'] : ['pipe', 'inherit', 'inherit'],
		maxBuffer: 64 * 1024 * 1024,
	});
	if (result.error) throw result.error;
	if (result.status !== 0) {
		const output = `${result.stdout || ''}${result.stderr || ''}`.trim();
		const error = new Error(
			`${what || `${command} ${args.join(' ')}`} failed (exit ${result.status}${result.signal ? `, ${result.signal}` : ''})${
				output ? `:\n${output}` : ''
			}`,
		);
		throw Object.assign(error, { output });
	}
	return result;
}

/** A random id in n8n's style (16 alphanumerics), used when a workflow or credential has none. */
function newId() {
	const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
	const bytes = crypto.randomBytes(16);
	let id = '';
	for (const byte of bytes) id += alphabet[byte % alphabet.length];
	return id;
}

/** A TCP port that was free on 127.0.0.1 a moment ago. */
function findFreePort() {
	return new Promise((resolve, reject) => {
		const server = net.createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = /** @type {import('net').AddressInfo} */ (server.address());
			server.close(() => resolve(port));
		});
	});
}

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---------------------------------------------------------------------------------------------
// n8n itself

function n8nPackageDir() {
	return path.join(TOOL_DIR, 'node_modules', 'n8n');
}

/** The JS entry of the n8n CLI (run with this Node: `node <bin> start`). */
function n8nBin() {
	return path.join(n8nPackageDir(), 'bin', 'n8n');
}

/** Where the registry's `node` package for this n8n goes (only for versions that need another Node). */
function nodeToolDir() {
	return path.join(ROOT, '.tools', `node-${profile.node}`);
}

/** The Node binary that runs this n8n: the one running us, or the `node` package's binary. */
function nodeBin() {
	return profile.node ? path.join(nodeToolDir(), 'node_modules', 'node', 'bin', 'node') : process.execPath;
}

/** Installs the registry's `node` package (binary and headers) for this n8n, once. */
function ensureNode(options) {
	if (!profile.node || fs.existsSync(nodeBin())) return nodeBin();
	fs.mkdirSync(nodeToolDir(), { recursive: true });
	const manifest = { name: 'node-tool', private: true, dependencies: { node: profile.node } };
	fs.writeFileSync(path.join(nodeToolDir(), 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
	log(options, `installing Node ${profile.node} (the npm "node" package) into ${nodeToolDir()}...`);
	run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
		cwd: nodeToolDir(),
		quiet: options.quiet,
		what: `npm install node@${profile.node}`,
	});
	if (!fs.existsSync(nodeBin())) throw new Error(`node@${profile.node} did not put a binary at ${nodeBin()}`);
	return nodeBin();
}

/** npm's environment for compiling native modules against this n8n's Node (its binary and headers first). */
function nativeBuildEnv() {
	if (!profile.node) return process.env;
	const binary = path.join(nodeToolDir(), 'node_modules', 'node', 'node_modules', `node-${process.platform}-${process.arch}`);
	return {
		...process.env,
		PATH: `${path.dirname(nodeBin())}${path.delimiter}${process.env.PATH}`,
		// Wins over a user's nodedir in ~/.npmrc, which points at the system Node's headers.
		npm_config_nodedir: binary,
	};
}

function installedN8nVersion() {
	try {
		return JSON.parse(fs.readFileSync(path.join(n8nPackageDir(), 'package.json'), 'utf8')).version;
	} catch {
		return null;
	}
}

function isN8nInstalled() {
	return (
		installedN8nVersion() === N8N_VERSION &&
		fs.existsSync(n8nBin()) &&
		fs.existsSync(nodeBin()) &&
		fs.existsSync(path.join(TOOL_DIR, `.installed-${N8N_VERSION}`))
	);
}

/** Serialises installs between processes (two jest workers, dev command + e2e). */
async function withInstallLock(options, fn) {
	fs.mkdirSync(path.dirname(TOOL_DIR), { recursive: true });
	const lockDir = `${TOOL_DIR}.lock`;
	const started = Date.now();
	for (;;) {
		try {
			fs.mkdirSync(lockDir);
			fs.writeFileSync(path.join(lockDir, 'pid'), String(process.pid));
			break;
		} catch (error) {
			if (error.code !== 'EEXIST') throw error;
			let owner = NaN;
			try {
				owner = Number(fs.readFileSync(path.join(lockDir, 'pid'), 'utf8'));
			} catch {
				/* being written */
			}
			let alive = false;
			if (owner) {
				try {
					process.kill(owner, 0);
					alive = true;
				} catch {
					alive = false;
				}
			}
			if (owner && !alive) {
				fs.rmSync(lockDir, { recursive: true, force: true });
				continue;
			}
			if (Date.now() - started > 15 * 60 * 1000) throw new Error(`Timed out waiting for the install lock ${lockDir}`);
			if ((Date.now() - started) % 30000 < 1000) log(options, `waiting for another n8n install (lock ${lockDir})...`);
			await sleep(1000);
		}
	}
	try {
		return await fn();
	} finally {
		fs.rmSync(lockDir, { recursive: true, force: true });
	}
}

/**
 * Installs the pinned n8n into .tools/n8n unless it is already there; returns the CLI path.
 * The tool folder gets its own package.json with the xlsx override (n8n's own xlsx
 * dependency points at a CDN tarball this machine cannot reach).
 */
async function ensureN8n(options = {}) {
	if (isN8nInstalled()) return n8nBin();
	return withInstallLock(options, async () => {
		if (isN8nInstalled()) return n8nBin();
		ensureNode(options);
		fs.mkdirSync(TOOL_DIR, { recursive: true });
		for (const entry of fs.readdirSync(TOOL_DIR)) {
			if (entry.startsWith('.installed-')) fs.rmSync(path.join(TOOL_DIR, entry), { force: true });
		}
		// No marker: any node_modules here is from an install that was interrupted or is of another
		// version. npm does not rerun the install script of a package it has already unpacked, so
		// resuming can leave sqlite3 unbuilt ("SQLite package has not been found installed"): start clean.
		fs.rmSync(path.join(TOOL_DIR, 'node_modules'), { recursive: true, force: true });
		const manifest = {
			name: 'n8n-tool',
			private: true,
			description: 'Pinned n8n for the dev command and the e2e suite; not part of the package',
			dependencies: { n8n: N8N_VERSION },
			overrides: profile.overrides,
		};
		fs.writeFileSync(path.join(TOOL_DIR, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
		log(options, `installing n8n@${N8N_VERSION} into ${TOOL_DIR} (2.5 to 18 minutes on 2 cores, the busier the longer; ~2.3 GB; npm's log: ${TOOL_DIR}/npm-install.log)...`);
		const started = Date.now();
		// Progress goes to options.onProgress (the dev command draws it), else a log line every 30 s.
		await npmInstall(['install', '--no-audit', '--no-fund', ...(profile.ignoreScripts ? ['--ignore-scripts'] : [])], {
			cwd: TOOL_DIR,
			logFile: path.join(TOOL_DIR, 'npm-install.log'),
			onProgress: options.onProgress || progressLogger((line) => log(options, line)),
			what: `npm install n8n@${N8N_VERSION}`,
		});
		if (profile.rebuild.length) {
			run('npm', ['rebuild', ...profile.rebuild], {
				cwd: TOOL_DIR,
				env: nativeBuildEnv(),
				quiet: options.quiet,
				what: `npm rebuild ${profile.rebuild.join(' ')} for Node ${profile.node || process.version}`,
			});
		}
		if (installedN8nVersion() !== N8N_VERSION || !fs.existsSync(n8nBin())) {
			throw new Error(`n8n@${N8N_VERSION} did not end up in ${TOOL_DIR}`);
		}
		fs.writeFileSync(path.join(TOOL_DIR, `.installed-${N8N_VERSION}`), `${new Date().toISOString()}\n`);
		log(options, `n8n installed in ${Math.round((Date.now() - started) / 1000)}s`);
		return n8nBin();
	});
}

// ---------------------------------------------------------------------------------------------
// Environment

/**
 * The environment for every n8n process (server and CLI) of one user folder.
 * Inherited N8N_*, DB_*, EXECUTIONS_*, QUEUE_* and similar variables are dropped so a
 * developer's shell cannot change what runs; pass them in `extra` instead.
 */
function n8nEnv(userFolder, extra = {}) {
	/** @type {NodeJS.ProcessEnv} */
	const env = {};
	const dropped = /^(N8N_|DB_|EXECUTIONS_|QUEUE_|WEBHOOK_URL$|GENERIC_TIMEZONE$|E2E_TESTS$|NODE_ENV$|NODE_CONFIG_DIR$|NODES_|CREDENTIALS_|EXTERNAL_HOOK_FILES$|NODE_FUNCTION_ALLOW_)/;
	for (const [key, value] of Object.entries(process.env)) {
		if (!dropped.test(key)) env[key] = value;
	}
	Object.assign(env, {
		// NODE_ENV=test (set by jest) makes n8n refuse to load nodes; unset means "development".
		NODE_ENV: 'production',
		N8N_USER_FOLDER: path.resolve(userFolder),
		DB_TYPE: 'sqlite',
		// Nothing that phones home or nags.
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_WHATS_NEW_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_DYNAMIC_BANNERS_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		// Community packages: load what is in .n8n/nodes, never reach the registry on our behalf.
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_REINSTALL_MISSING_PACKAGES: 'false',
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		// Plain http on loopback: the editor's cookie must not require https.
		N8N_SECURE_COOKIE: 'false',
		N8N_LISTEN_ADDRESS: '127.0.0.1',
		N8N_RUNNERS_BROKER_LISTEN_ADDRESS: '127.0.0.1',
		N8N_LOG_OUTPUT: 'console',
		N8N_LOG_LEVEL: 'info',
		EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
		EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
		GENERIC_TIMEZONE: 'UTC',
		NO_COLOR: '1',
		...profile.env,
	});
	for (const [key, value] of Object.entries(extra || {})) {
		if (value === undefined || value === null) delete env[key];
		else env[key] = String(value);
	}
	return env;
}

/** Runs an n8n CLI command against a user folder (the n8n server of that folder must not be running). */
function n8nCli(userFolder, args, options = {}) {
	if (!isN8nInstalled()) throw new Error(`n8n@${N8N_VERSION} is not installed; call ensureN8n() first`);
	fs.mkdirSync(userFolder, { recursive: true });
	const result = run(nodeBin(), [n8nBin(), ...args], {
		// n8n loads a .env from its working directory: run it where there is none of ours.
		cwd: userFolder,
		env: n8nEnv(userFolder, options.env),
		quiet: true,
		what: `n8n ${args.join(' ')}`,
	});
	return `${result.stdout || ''}${result.stderr || ''}`;
}

// ---------------------------------------------------------------------------------------------
// The package

/**
 * Builds and packs the project, then installs the tarball into <userFolder>/.n8n/nodes exactly
 * the way n8n 2.8.4 installs a community package: unpack into node_modules/<name>, strip
 * dev/peer/optional dependencies from its package.json, `npm install` inside it with n8n's
 * flags, and record it in nodes/package.json. (A plain `npm install <tgz>` would also install
 * the peer dependency n8n-workflow, a second copy next to n8n's own.)
 */
function installPackage(userFolder, options = {}) {
	const nodesDir = path.join(path.resolve(userFolder), '.n8n', 'nodes');
	if (options.build !== false) {
		log(options, 'npm run build');
		run('npm', ['run', 'build'], { cwd: ROOT, quiet: true, what: 'npm run build' });
	}
	const packDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wa-notify-pack-'));
	try {
		// The build just ran; --ignore-scripts skips the prepack rebuild.
		const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', packDir], {
			cwd: ROOT,
			quiet: true,
			what: 'npm pack',
		});
		const [info] = JSON.parse(packed.stdout);
		const tarball = path.join(packDir, info.filename);
		log(options, `packed ${info.filename} (${info.entryCount} files)`);

		fs.mkdirSync(nodesDir, { recursive: true });
		const manifestPath = path.join(nodesDir, 'package.json');
		if (!fs.existsSync(manifestPath)) {
			fs.writeFileSync(manifestPath, JSON.stringify({ name: 'installed-nodes', private: true, dependencies: {} }, null, 2));
		}
		const packageDir = path.join(nodesDir, 'node_modules', info.name);
		fs.rmSync(packageDir, { recursive: true, force: true });
		fs.mkdirSync(packageDir, { recursive: true });
		run('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1'], { quiet: true, what: 'unpacking the tarball' });

		const pkgPath = path.join(packageDir, 'package.json');
		const { devDependencies, peerDependencies, optionalDependencies, ...pkg } = JSON.parse(fs.readFileSync(pkgPath, 'utf8'));
		fs.writeFileSync(pkgPath, JSON.stringify(pkg, null, 2));
		run('npm', ['install', ...N8N_NPM_INSTALL_ARGS], {
			cwd: packageDir,
			quiet: true,
			what: `npm install inside ${packageDir}`,
		});

		const manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
		manifest.dependencies = { ...(manifest.dependencies || {}), [info.name]: info.version };
		fs.writeFileSync(manifestPath, JSON.stringify(manifest, null, 2));
		log(options, `installed ${info.name}@${info.version} into ${packageDir}`);
		return { name: info.name, version: info.version, packageDir, nodesDir };
	} finally {
		fs.rmSync(packDir, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------------------------
// Credentials and workflows (CLI, before start)

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
			const command = profile.cli === 'publish' ? ['publish:workflow'] : ['update:workflow', '--active=true'];
			n8nCli(userFolder, [...command, `--id=${workflow.id}`], options);
		}
		result.push({ id: workflow.id, name: workflow.name, active: activate });
	}
	return result;
}

// ---------------------------------------------------------------------------------------------
// URLs

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

// ---------------------------------------------------------------------------------------------
// The server

/** Every n8n this process started and has not seen exit yet: child process -> its stop(). */
const running = new Map();
let exitHookInstalled = false;
function installExitHook() {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	// Last resort when the parent dies without calling stop(): no orphaned n8n.
	process.on('exit', () => {
		for (const child of running.keys()) {
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				/* already gone */
			}
		}
	});
}

function tailOf(file, offset, lines = 40) {
	try {
		const text = fs.readFileSync(file, 'utf8').slice(offset);
		return text.split('\n').slice(-lines).join('\n');
	} catch {
		return '';
	}
}

async function httpOk(url, timeoutMs = 2000) {
	try {
		const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
		return response.ok;
	} catch {
		return false;
	}
}

function staticTypesFile(userFolder) {
	return path.join(path.resolve(userFolder), '.cache', 'n8n', 'public', 'types', 'nodes.json');
}

function installedCommunityPackages(userFolder) {
	const dir = path.join(path.resolve(userFolder), '.n8n', 'nodes', 'node_modules');
	try {
		return fs.readdirSync(dir).filter((name) => name.startsWith('n8n-nodes-'));
	} catch {
		return [];
	}
}

/**
 * Starts n8n on 127.0.0.1 and resolves once /healthz answers, the published workflows have
 * been activated (n8n's "Editor is now accessible" line) and the expected node types are loaded.
 *
 * options:
 *   userFolder      required; N8N_USER_FOLDER (database, key, .n8n/nodes)
 *   port            default: a free port
 *   brokerPort      task-runner broker port; default: a free port (n8n's default 5679 collides
 *                   between two instances)
 *   host            host name used in the URLs n8n shows (WEBHOOK_URL, editor); default 127.0.0.1
 *   env             extra environment (wins over the defaults; null/undefined removes a variable)
 *   setupOwner      create (or log into) the owner dev@example.com / Sandbox-Pass1
 *   command         'start' (default: the main process), 'webhook' (a webhook processor) or 'worker'
 *                   (queue mode: pass EXECUTIONS_MODE=queue, Redis and Postgres settings in env)
 *   args            more CLI arguments, e.g. ['--concurrency=5'] for a worker
 *   expectNodeTypes node types that must be loaded; default: ours when the package is installed
 *                   (checked for the main process only: the others write no type list)
 *   expectActive    workflow ids that must have been activated at start
 *   timeoutMs       default 120000
 *   logFile         default <userFolder>/n8n.log (appended)
 *
 * Returns { url, port, webhookUrl(path), process, logFile, activated, cookie, rest(), stop() }.
 */
async function startN8n(options = {}) {
	if (!options.userFolder) throw new Error('startN8n needs a userFolder');
	if (!isN8nInstalled()) throw new Error(`n8n@${N8N_VERSION} is not installed; call ensureN8n() first`);
	const userFolder = path.resolve(options.userFolder);
	fs.mkdirSync(userFolder, { recursive: true });
	const port = options.port || (await findFreePort());
	let brokerPort = options.brokerPort || (await findFreePort());
	while (brokerPort === port) brokerPort = await findFreePort();
	const host = options.host || '127.0.0.1';
	const url = `http://${host}:${port}`;
	const localUrl = `http://127.0.0.1:${port}`;
	const timeoutMs = options.timeoutMs || 120000;
	const logFile = options.logFile || path.join(userFolder, 'n8n.log');

	const command = options.command || 'start';
	const kind = PROCESS_KINDS[command];
	if (!kind) throw new Error(`Unknown n8n command "${command}": ${Object.keys(PROCESS_KINDS).join(', ')}`);
	const expectNodeTypes =
		command !== 'start' ? [] : options.expectNodeTypes ||
		(installedCommunityPackages(userFolder).includes(PACKAGE_NAME) ? Object.values(NODE_TYPES) : []);
	// Written anew at every start; remove the old one so a stale copy cannot pass the check.
	if (command === 'start') fs.rmSync(staticTypesFile(userFolder), { force: true });

	const env = n8nEnv(userFolder, {
		N8N_PORT: port,
		N8N_HOST: host,
		N8N_PROTOCOL: 'http',
		WEBHOOK_URL: `${url}/`,
		N8N_EDITOR_BASE_URL: `${url}/`,
		N8N_RUNNERS_BROKER_PORT: brokerPort,
		...options.env,
	});

	fs.appendFileSync(logFile, `\n===== n8n ${N8N_VERSION} ${command} ${new Date().toISOString()} on ${localUrl} =====\n`);
	const offset = fs.statSync(logFile).size;
	const fd = fs.openSync(logFile, 'a');
	const started = Date.now();
	const child = spawn(nodeBin(), [n8nBin(), command, ...(options.args || [])], {
		cwd: userFolder,
		env,
		detached: true, // own process group: stop() takes the task runner down with it
		stdio: ['ignore', fd, fd],
	});
	fs.closeSync(fd);
	installExitHook();
	running.set(child, (graceOptions) => stop(graceOptions));
	/** @type {{ code: number | null, signal: string | null } | null} */
	let exited = null;
	const exitPromise = new Promise((resolve) => {
		child.on('exit', (code, signal) => {
			exited = { code, signal };
			running.delete(child);
			resolve(exited);
		});
	});

	let stopping = null;
	async function stop({ timeoutMs: graceMs = 15000 } = {}) {
		if (stopping) return stopping;
		stopping = (async () => {
			if (exited) return exited;
			try {
				process.kill(-child.pid, 'SIGTERM');
			} catch {
				/* gone */
			}
			let timer;
			const result = await Promise.race([
				exitPromise,
				new Promise((resolve) => {
					timer = setTimeout(() => resolve(null), graceMs);
				}),
			]);
			clearTimeout(timer);
			// Kill the whole group in any case: the task runner must not outlive n8n.
			try {
				process.kill(-child.pid, 'SIGKILL');
			} catch {
				/* gone */
			}
			return result || (await exitPromise);
		})();
		return stopping;
	}

	const fail = async (message) => {
		await stop({ timeoutMs: 5000 });
		throw new Error(`${message}\n--- ${logFile} ---\n${tailOf(logFile, offset)}`);
	};

	// 1. The HTTP server answers, 2. the ready line (workflows activated) is in the log.
	let healthy = false;
	for (;;) {
		if (exited) return fail(`n8n exited during start (code ${exited.code}, signal ${exited.signal})`);
		if (Date.now() - started > timeoutMs) return fail(`n8n did not get ready within ${timeoutMs} ms`);
		if (!healthy) healthy = !kind.http || (await httpOk(`${localUrl}/healthz`));
		if (healthy && tailOf(logFile, offset, 1e6).includes(kind.readyLine)) break;
		await sleep(250);
	}
	if (kind.http && !(await httpOk(`${localUrl}/healthz/readiness`))) return fail('n8n is up but /healthz/readiness is not ok');

	// 3. Our node types are known (n8n writes the editor's type list at start).
	if (expectNodeTypes.length) {
		let missing = expectNodeTypes;
		for (;;) {
			try {
				const known = new Set(JSON.parse(fs.readFileSync(staticTypesFile(userFolder), 'utf8')).map((type) => type.name));
				missing = expectNodeTypes.filter((name) => !known.has(name));
			} catch {
				/* not written yet */
			}
			if (!missing.length) break;
			if (Date.now() - started > timeoutMs) return fail(`n8n did not load the node types ${missing.join(', ')}`);
			await sleep(250);
		}
	}

	const startLog = tailOf(logFile, offset, 1e6);
	const activated = [...startLog.matchAll(/Activated workflow .*\(ID: ([^)]+)\)/g)].map((match) => match[1]);
	const activationErrors = [...startLog.matchAll(/Issue on initial workflow activation try of .*\(ID: ([^)]+)\)/g)].map(
		(match) => match[1],
	);
	const notActive = (options.expectActive || []).filter((id) => !activated.includes(id));
	if (notActive.length) return fail(`workflows not activated at start: ${notActive.join(', ')}`);

	const handle = {
		url,
		localUrl,
		port,
		brokerPort,
		userFolder,
		logFile,
		process: child,
		pid: child.pid,
		bootMs: Date.now() - started,
		activated,
		activationErrors,
		cookie: null,
		/** Production webhook URL for a path as printed by productionWebhookPath(). */
		webhookUrl: (webhookPath) => `${localUrl}/webhook/${String(webhookPath).replace(/^\/+/, '')}`,
		/** The log written since this start. */
		readLog: () => tailOf(logFile, offset, 1e6),
		/** Calls n8n's internal REST API (/rest/...) with the owner's cookie. */
		rest: async (method, restPath, body) => {
			if (!handle.cookie) throw new Error('rest() needs setupOwner: true (or handle.login())');
			const response = await fetch(`${localUrl}/rest${restPath}`, {
				method,
				headers: { cookie: handle.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
				body: body === undefined ? undefined : JSON.stringify(body),
			});
			const text = await response.text();
			let parsed;
			try {
				parsed = JSON.parse(text);
			} catch {
				parsed = text;
			}
			if (!response.ok) {
				const error = new Error(`${method} /rest${restPath} answered ${response.status}: ${text.slice(0, 500)}`);
				throw Object.assign(error, { status: response.status });
			}
			return parsed && typeof parsed === 'object' && 'data' in parsed ? parsed.data : parsed;
		},
		login: async (credentials = OWNER) => {
			handle.cookie = await login(localUrl, credentials);
			return handle.cookie;
		},
		/** Publishes a workflow on the running instance (live, no restart). */
		activateWorkflow: async (workflowId) => {
			const workflow = await handle.rest('GET', `/workflows/${workflowId}`);
			return handle.rest('POST', `/workflows/${workflowId}/activate`, { versionId: workflow.versionId });
		},
		deactivateWorkflow: async (workflowId) => handle.rest('POST', `/workflows/${workflowId}/deactivate`, {}),
		/** Executions, newest first (each without its data unless includeData). */
		executions: async ({ workflowId = undefined, includeData = false } = {}) => {
			const filter = workflowId ? `?filter=${encodeURIComponent(JSON.stringify({ workflowId }))}` : '';
			const list = (await handle.rest('GET', `/executions${filter}`)).results;
			if (!includeData) return list;
			return Promise.all(list.map((execution) => handle.rest('GET', `/executions/${execution.id}`)));
		},
		stop,
		exited: exitPromise,
	};

	if (options.setupOwner) {
		try {
			handle.cookie = await setupOwner(localUrl, options.owner || OWNER);
		} catch (error) {
			await stop({ timeoutMs: 5000 });
			throw error;
		}
	}
	return handle;
}

/**
 * Stops every n8n this process started, including one whose startN8n() has not resolved yet
 * (a signal that arrives while n8n boots has no handle to call stop() on).
 */
async function stopAll(options) {
	await Promise.all([...running.values()].map((stop) => stop(options)));
}

async function login(baseUrl, { email, password }) {
	const response = await fetch(`${baseUrl}/rest/login`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: email, password }),
	});
	if (!response.ok) throw new Error(`login as ${email} failed: ${response.status} ${await response.text()}`);
	return authCookie(response);
}

function authCookie(response) {
	const cookies = response.headers.getSetCookie ? response.headers.getSetCookie() : [response.headers.get('set-cookie')];
	const auth = cookies.filter(Boolean).find((cookie) => cookie.startsWith('n8n-auth='));
	if (!auth) throw new Error('n8n did not set the n8n-auth cookie');
	return auth.split(';')[0];
}

/**
 * Creates the instance owner through the editor's setup endpoint (first start of a folder), or
 * logs in when the folder already has one. Returns the n8n-auth cookie ("n8n-auth=...").
 */
async function setupOwner(baseUrl, owner = OWNER) {
	const response = await fetch(`${baseUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(owner),
	});
	if (response.ok) return authCookie(response);
	const text = await response.text();
	if (response.status === 400 && /already setup/i.test(text)) return login(baseUrl, owner);
	throw new Error(`owner setup failed: ${response.status} ${text}`);
}

module.exports = {
	// Getters: useN8n() changes them.
	get N8N_VERSION() {
		return N8N_VERSION;
	},
	get TOOL_DIR() {
		return TOOL_DIR;
	},
	get n8nProfile() {
		return profile;
	},
	DEFAULT_N8N_VERSION,
	N8N_VERSIONS,
	useN8n,
	n8nVersionArg,
	resolveN8nVersion,
	ROOT,
	PACKAGE_NAME,
	NODE_TYPES,
	OWNER,
	ensureN8n,
	isN8nInstalled,
	n8nBin,
	n8nEnv,
	n8nCli,
	installPackage,
	importCredentials,
	importWorkflows,
	startN8n,
	setupOwner,
	login,
	stopAll,
	productionWebhookPath,
	findFreePort,
	newId,
};
