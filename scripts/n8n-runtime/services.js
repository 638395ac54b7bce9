'use strict';

/**
 * Redis and PostgreSQL for n8n's queue mode, the Debian way: installed with apt-get when
 * missing, started on free loopback ports with their data in a temp folder, stopped by stop()
 * (and killed at process exit if nobody called it). Nothing is left behind.
 *
 *   const redis = await startRedis({ dir });        // { host, port, pid, stop() }
 *   const pg = await startPostgres({ dir });        // { host, port, user, database, pid, query(sql), stop() }
 */

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { findFreePort } = require('./processes');
const { sleep } = require('./toolchain');

const PG_BIN = '/usr/lib/postgresql/15/bin';
const REDIS_SERVER = '/usr/bin/redis-server';

function run(command, args, options = {}) {
	const result = spawnSync(command, args, { encoding: 'utf8', ...options });
	if (result.error) throw result.error;
	if (result.status !== 0) {
		throw new Error(`${command} ${args.join(' ')} failed (exit ${result.status}):\n${`${result.stdout}${result.stderr}`.trim().slice(-2000)}`);
	}
	return result.stdout;
}

/** Installs Debian packages unless `present` is there already; needs root (or the packages preinstalled). */
function ensureDebianPackages(present, packages, log) {
	if (fs.existsSync(present)) return false;
	if (process.getuid && process.getuid() !== 0) {
		throw new Error(`${present} is missing: install it with "sudo apt-get install -y ${packages.join(' ')}"`);
	}
	log(`installing ${packages.join(', ')} with apt-get (missing ${present})`);
	const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
	run('apt-get', ['update'], { env });
	run('apt-get', ['install', '-y', '--no-install-recommends', ...packages], { env });
	if (!fs.existsSync(present)) throw new Error(`apt-get installed ${packages.join(' ')} but ${present} is still missing`);
	return true;
}

/** Children to kill if this process exits without stopping them. */
const leftovers = new Set();
process.on('exit', () => {
	for (const kill of leftovers) {
		try {
			kill();
		} catch {
			/* best effort */
		}
	}
});

async function startRedis({ dir, log = (_line) => {} }) {
	const installed = ensureDebianPackages(REDIS_SERVER, ['redis-server'], log);
	const port = await findFreePort();
	fs.mkdirSync(dir, { recursive: true });
	const logFile = path.join(dir, 'redis.log');
	// No persistence: the queue lives as long as the test.
	const child = spawn(
		REDIS_SERVER,
		['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', logFile, '--daemonize', 'no'],
		{ detached: true, stdio: 'ignore' },
	);
	let exited = null;
	const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));
	const kill = () => process.kill(-child.pid, 'SIGKILL');
	leftovers.add(kill);
	const stop = async () => {
		leftovers.delete(kill);
		if (exited) return exited;
		process.kill(-child.pid, 'SIGTERM');
		const timer = setTimeout(() => kill(), 5000);
		const result = await exit;
		clearTimeout(timer);
		return result;
	};
	const ready = () => fs.existsSync(logFile) && /Ready to accept connections/.test(fs.readFileSync(logFile, 'utf8'));
	for (const started = Date.now(); !ready(); await sleep(100)) {
		const why = exited ? `redis-server exited (${JSON.stringify(exited)})` : Date.now() - started > 20000 ? 'redis-server did not accept connections within 20 s' : '';
		if (why) {
			await stop();
			throw new Error(`${why}: ${fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').slice(-1000) : ''}`);
		}
	}
	const version = run(REDIS_SERVER, ['--version']).trim().match(/v=(\S+)/)?.[1];
	return { host: '127.0.0.1', port, version, installed, logFile, pid: child.pid, stop };
}

/**
 * PostgreSQL 15 from Debian's packages. Its tools refuse to run as root, so as root they run as
 * the `postgres` user (which the package creates) on a data folder that user owns.
 */
async function startPostgres({ dir = undefined, log = (_line) => {} }) {
	const installed = ensureDebianPackages(path.join(PG_BIN, 'initdb'), ['postgresql-15'], log);
	const asRoot = process.getuid && process.getuid() === 0;
	/** @type {(tool: string, args: string[]) => [string, string[]]} */
	const pg = (tool, args) => (asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(PG_BIN, tool), ...args]] : [path.join(PG_BIN, tool), args]);
	const port = await findFreePort();
	// Its own temp folder: the data folder must belong to the user postgres runs as.
	const root = fs.mkdtempSync(path.join(dir || os.tmpdir(), 'pg-'));
	const data = path.join(root, 'data');
	const logFile = path.join(root, 'postgres.log');
	if (asRoot) {
		fs.chmodSync(root, 0o755);
		run('chown', ['postgres:postgres', root]);
	}
	const user = 'postgres';
	run(...pg('initdb', ['-D', data, '-U', user, '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8']));
	const ctl = (args) => run(...pg('pg_ctl', ['-D', data, ...args]));
	// Loopback TCP only; the Unix socket goes into the data folder, not /var/run.
	ctl(['-l', logFile, '-w', '-t', '60', '-o', `-p ${port} -h 127.0.0.1 -k ${data}`, 'start']);
	let stopped = false;
	const kill = () => spawnSync(...pg('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']));
	leftovers.add(kill);
	const stop = async () => {
		if (stopped) return;
		stopped = true;
		leftovers.delete(kill);
		try {
			ctl(['-m', 'fast', '-w', 'stop']);
		} finally {
			fs.rmSync(root, { recursive: true, force: true });
		}
	};
	const database = 'n8n';
	try {
		run(...pg('createdb', ['-h', '127.0.0.1', '-p', String(port), '-U', user, database]));
	} catch (error) {
		await stop();
		throw error;
	}
	const version = run(path.join(PG_BIN, 'postgres'), ['--version']).trim();
	// pg_ctl starts the server in a session of its own: its backends share the server's process group.
	const pid = Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
	/** One SQL statement through psql: its rows, each an array of the columns' text. */
	const query = (sql) =>
		run(path.join(PG_BIN, 'psql'), ['-h', '127.0.0.1', '-p', String(port), '-U', user, '-d', database, '-AtF', '\t', '-c', sql])
			.split('\n')
			.filter(Boolean)
			.map((line) => line.split('\t'));
	return { host: '127.0.0.1', port, user, password: '', database, version, installed, logFile, pid, query, stop };
}

module.exports = { startRedis, startPostgres };
