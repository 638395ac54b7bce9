'use strict';

/**
 * The tools n8n runs with: the n8n install in .tools (its Node when it needs another), commands
 * run to completion, n8n's environment and its CLI.
 */

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const { npmInstall, progressLogger } = require('../npm-install');
const { ROOT, current } = require('./profile');

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

function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

function n8nPackageDir() {
	return path.join(current().toolDir, 'node_modules', 'n8n');
}

/** The JS entry of the n8n CLI (run with this Node: `node <bin> start`). */
function n8nBin() {
	return path.join(n8nPackageDir(), 'bin', 'n8n');
}

/** Where the registry's `node` package for this n8n goes (only for versions that need another Node). */
function nodeToolDir() {
	return path.join(ROOT, '.tools', `node-${current().node}`);
}

/** The Node binary that runs this n8n: the one running us, or the `node` package's binary. */
function nodeBin() {
	return current().node ? path.join(nodeToolDir(), 'node_modules', 'node', 'bin', 'node') : process.execPath;
}

/** Installs the registry's `node` package (binary and headers) for this n8n, once. */
function ensureNode(options) {
	if (!current().node || fs.existsSync(nodeBin())) return nodeBin();
	fs.mkdirSync(nodeToolDir(), { recursive: true });
	const manifest = { name: 'node-tool', private: true, dependencies: { node: current().node } };
	fs.writeFileSync(path.join(nodeToolDir(), 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
	log(options, `installing Node ${current().node} (the npm "node" package) into ${nodeToolDir()}...`);
	run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
		cwd: nodeToolDir(),
		quiet: options.quiet,
		what: `npm install node@${current().node}`,
	});
	if (!fs.existsSync(nodeBin())) throw new Error(`node@${current().node} did not put a binary at ${nodeBin()}`);
	return nodeBin();
}

/** npm's environment for compiling native modules against this n8n's Node (its binary and headers first). */
function nativeBuildEnv() {
	if (!current().node) return process.env;
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
		installedN8nVersion() === current().version &&
		fs.existsSync(n8nBin()) &&
		fs.existsSync(nodeBin()) &&
		fs.existsSync(path.join(current().toolDir, `.installed-${current().version}`))
	);
}

/** Serialises installs between processes (two jest workers, dev command + e2e). */
async function withInstallLock(options, fn) {
	fs.mkdirSync(path.dirname(current().toolDir), { recursive: true });
	const lockDir = `${current().toolDir}.lock`;
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
			if (Date.now() - started > 45 * 60 * 1000) throw new Error(`Timed out waiting for the install lock ${lockDir}`);
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
		fs.mkdirSync(current().toolDir, { recursive: true });
		for (const entry of fs.readdirSync(current().toolDir)) {
			if (entry.startsWith('.installed-')) fs.rmSync(path.join(current().toolDir, entry), { force: true });
		}
		// No marker: any node_modules here is from an install that was interrupted or is of another
		// version. npm does not rerun the install script of a package it has already unpacked, so
		// resuming can leave sqlite3 unbuilt ("SQLite package has not been found installed"): start clean.
		fs.rmSync(path.join(current().toolDir, 'node_modules'), { recursive: true, force: true });
		const manifest = {
			name: 'n8n-tool',
			private: true,
			description: 'Pinned n8n for the dev command and the e2e suite; not part of the package',
			dependencies: { n8n: current().version },
			overrides: current().overrides,
		};
		fs.writeFileSync(path.join(current().toolDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
		log(options, `installing n8n@${current().version} into ${current().toolDir} (2 to 4 minutes, ~2.3 GB; npm's log: ${current().toolDir}/npm-install.log)...`);
		const started = Date.now();
		// Progress goes to options.onProgress (the dev command draws it), else a log line every 30 s.
		await npmInstall(['install', '--no-audit', '--no-fund', ...(current().ignoreScripts ? ['--ignore-scripts'] : [])], {
			cwd: current().toolDir,
			logFile: path.join(current().toolDir, 'npm-install.log'),
			onProgress: options.onProgress || progressLogger((line) => log(options, line)),
			what: `npm install n8n@${current().version}`,
		});
		if (current().rebuild.length) {
			run('npm', ['rebuild', ...current().rebuild], {
				cwd: current().toolDir,
				env: nativeBuildEnv(),
				quiet: options.quiet,
				what: `npm rebuild ${current().rebuild.join(' ')} for Node ${current().node || process.version}`,
			});
		}
		if (installedN8nVersion() !== current().version || !fs.existsSync(n8nBin())) {
			throw new Error(`n8n@${current().version} did not end up in ${current().toolDir}`);
		}
		fs.writeFileSync(path.join(current().toolDir, `.installed-${current().version}`), `${new Date().toISOString()}\n`);
		log(options, `n8n installed in ${Math.round((Date.now() - started) / 1000)}s`);
		return n8nBin();
	});
}

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
		...current().env,
	});
	for (const [key, value] of Object.entries(extra || {})) {
		if (value === undefined || value === null) delete env[key];
		else env[key] = String(value);
	}
	return env;
}

/** Runs an n8n CLI command against a user folder (the n8n server of that folder must not be running). */
function n8nCli(userFolder, args, options = {}) {
	if (!isN8nInstalled()) throw new Error(`n8n@${current().version} is not installed; call ensureN8n() first`);
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

module.exports = { log, run, sleep, n8nBin, nodeBin, isN8nInstalled, ensureN8n, n8nEnv, n8nCli };
