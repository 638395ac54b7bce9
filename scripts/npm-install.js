'use strict';
/**
 * `npm install` that says what it is doing. n8n's install takes minutes, and minutes of silence
 * look like a hang. npm runs with --loglevel=info; its whole output goes to a log file, and its
 * own log lines tell how far it is:
 *   npm http fetch GET 200 https://registry.npmjs.org/<name> …          a manifest: resolving the tree
 *   npm http fetch GET 200 https://…/<name>-<version>.tgz …             a package downloaded
 *   npm http cache <name>@https://…/<name>-<version>.tgz … (cache hit)  a package from npm's cache
 *   npm info run <name>@<version> install <path> <command>              an install script starts
 *   npm info run <name>@<version> install { code: 0, signal: null }     … and ends
 * (sqlite3 compiles its native code in its install script: about a minute on 2 cores.)
 *
 * The install runs in its own process group, so a signal to our process can stop all of it
 * (npm, node-gyp, the compiler): stopInstalls(), and a kill on exit as the last resort.
 */

const { spawn } = require('node:child_process');
const fs = require('node:fs');

/** Installs this process started that have not exited. */
const installing = new Set();
let exitHookInstalled = false;

function killGroup(child, signal) {
	try {
		process.kill(-child.pid, signal);
	} catch {
		/* already gone */
	}
}

function installExitHook() {
	if (exitHookInstalled) return;
	exitHookInstalled = true;
	process.on('exit', () => {
		for (const child of installing) killGroup(child, 'SIGKILL');
	});
}

/** Updates `progress` from one line of npm's log; true when something changed. */
function readLogLine(line, progress) {
	const fetched = /^npm http fetch GET \d+ (\S+)/.exec(line);
	if (fetched) {
		if (fetched[1].endsWith('.tgz')) progress.packages += 1;
		else progress.manifests += 1;
		return true;
	}
	if (/^npm http cache \S+\.tgz /.test(line)) {
		progress.packages += 1;
		return true;
	}
	const script = /^npm info run (\S+)@\S+ \S+ (\{ code: )?/.exec(line);
	if (script) {
		if (script[2]) {
			progress.scripts.delete(script[1]);
			progress.scriptsDone += 1;
		} else progress.scripts.add(script[1]);
		return true;
	}
	return false;
}

/** What npm is doing, in a few words: "install scripts: sqlite3 (…)", "… unpacking packages: 1,234 so far", … */
function describeProgress(progress) {
	if (progress.scripts.size) return `install scripts: ${[...progress.scripts].join(', ')} (native code; ${progress.scriptsDone} done)`;
	if (progress.scriptsDone) return `install scripts: ${progress.scriptsDone} done`;
	if (progress.packages) return `downloading and unpacking packages: ${progress.packages.toLocaleString('en')} so far`;
	if (progress.manifests) return `resolving the dependency tree: ${progress.manifests.toLocaleString('en')} package manifests`;
	return 'starting npm';
}

/**
 * Runs `npm <args> --loglevel=info` in `cwd`, its output appended to `logFile`. Calls
 * onProgress(progress) whenever npm's log moves on; progress = { manifests, packages, scripts
 * (names of the install scripts running), scriptsDone, startedAt }. Rejects with the end of npm's warnings and
 * errors when npm fails.
 */
function npmInstall(args, { cwd, env = process.env, logFile, onProgress = (_progress) => {}, what = `npm ${args.join(' ')}` }) {
	const progress = { manifests: 0, packages: 0, scripts: new Set(), scriptsDone: 0, startedAt: Date.now() };
	const log = fs.createWriteStream(logFile, { flags: 'a' });
	log.write(`\n===== ${what} ${new Date().toISOString()} =====\n`);
	const problems = [];
	return new Promise((resolve, reject) => {
		const child = spawn('npm', [...args, '--loglevel=info'], {
			cwd,
			env,
			detached: true, // its own process group: stopInstalls() takes node-gyp and the compiler with it
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		installing.add(child);
		installExitHook();
		let pending = '';
		const onData = (chunk) => {
			log.write(chunk);
			pending += chunk.toString('utf8');
			const lines = pending.split('\n');
			pending = lines.pop();
			let changed = false;
			for (const line of lines) {
				if (readLogLine(line, progress)) changed = true;
				else if (/^npm (error|warn|ERR)/.test(line) && !/Unknown user config/.test(line)) problems.push(line);
			}
			if (changed) onProgress(progress);
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', onData);
		child.on('error', (error) => {
			installing.delete(child);
			log.end();
			reject(error);
		});
		child.on('close', (code, signal) => {
			installing.delete(child);
			log.end();
			if (code === 0) return resolve(progress);
			const tail = problems.slice(-30).join('\n');
			reject(new Error(`${what} failed (exit ${code}${signal ? `, ${signal}` : ''}); the whole log: ${logFile}${tail ? `\n${tail}` : ''}`));
		});
	});
}

/** Stops every install this process started (a signal arrived): SIGTERM to each process group. */
function stopInstalls() {
	for (const child of installing) killGroup(child, 'SIGTERM');
}

/** An onProgress that writes a line through `write` at most every `everyMs` (for logs, not terminals). */
function progressLogger(write, { everyMs = 30000 } = {}) {
	let last = Date.now();
	return (progress) => {
		if (Date.now() - last < everyMs) return;
		last = Date.now();
		write(`${Math.round((last - progress.startedAt) / 1000)}s: ${describeProgress(progress)}`);
	};
}

module.exports = { npmInstall, stopInstalls, describeProgress, progressLogger };
