#!/usr/bin/env node
'use strict';

/**
 * The docs say only what is true of this repository (part of `npm test`, and `npm run check:docs`):
 *
 *   node scripts/check-docs.js [--no-run] [file.md ...]
 *
 * In README.md, docs/**\/*.md and the repository's other pages (or the files given), every relative link and image must reach
 * a file or folder of the repository, and every #anchor a heading of the page it points at
 * (named as GitHub names them). Every command block marked runnable (a fence whose info string
 * is "sh runnable") is run with bash from the repository's root and must exit 0. Only cheap,
 * offline, deterministic commands get the marker (docs/development.md, "Checking the docs").
 * Exit code 1 when something is wrong, with one line per problem.
 */

const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
/** How long one runnable block may take: a guard against a hung command, not a speed check. */
const RUN_TIMEOUT_MS = 120_000;
const RUNNABLE = 'runnable';

/** Folders whose pages are not the project's own (dependencies, builds, installed n8n, local state). */
const SKIPPED = new Set(['node_modules', 'dist', 'coverage']);

/** README.md, docs/ and every other .md page of the repository, as paths relative to `root`. */
function defaultFiles(root) {
	const found = [];
	const walk = (folder) => {
		for (const entry of fs.readdirSync(path.join(root, folder), { withFileTypes: true })) {
			if (entry.name.startsWith('.') || SKIPPED.has(entry.name)) continue;
			const relative = folder ? path.posix.join(folder, entry.name) : entry.name;
			if (entry.isDirectory()) walk(relative);
			else if (entry.name.endsWith('.md')) found.push(relative);
		}
	};
	walk('');
	return found.sort();
}

/**
 * A page split into prose lines and fenced blocks. Prose keeps its line numbers; a fenced
 * block is `{ info, body, line }` (`line`: its opening fence, 1-based).
 */
function parsePage(text) {
	const prose = [];
	const blocks = [];
	/** @type {{ marker: string, info: string, lines: string[], line: number } | null} */
	let open = null;
	text.split('\n').forEach((line, index) => {
		const fence = /^ {0,3}(`{3,}|~{3,})\s*(.*)$/.exec(line);
		if (open) {
			if (fence && fence[1][0] === open.marker[0] && fence[1].length >= open.marker.length && fence[2] === '') {
				blocks.push({ info: open.info, body: open.lines.join('\n'), line: open.line });
				open = null;
			} else open.lines.push(line);
		} else if (fence) {
			open = { marker: fence[1], info: fence[2].trim(), lines: [], line: index + 1 };
		} else prose.push({ text: line, line: index + 1 });
	});
	if (open) blocks.push({ info: open.info, body: open.lines.join('\n'), line: open.line, unclosed: true });
	return { prose, blocks };
}

/** A heading's anchor as GitHub makes it: markup dropped, lower case, punctuation gone, spaces to hyphens. */
function slugify(heading) {
	return heading
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/[`*]/g, '')
		.trim()
		.toLowerCase()
		.replace(/[^\p{L}\p{N}\p{M}\s_-]/gu, '')
		.replace(/\s/g, '-');
}

/** The anchors a page offers: its ATX headings (repeats get -1, -2, … as on GitHub) and <a id|name>. */
function anchorsOf(prose) {
	const anchors = new Set();
	const seen = new Map();
	for (const { text } of prose) {
		const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text);
		if (heading) {
			const slug = slugify(heading[1]);
			const count = seen.get(slug) ?? 0;
			seen.set(slug, count + 1);
			anchors.add(count === 0 ? slug : `${slug}-${count}`);
		}
		for (const match of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) anchors.add(match[1]);
	}
	return anchors;
}

/** Every link target in the prose, with its line: inline links and images, reference definitions, HTML href/src. */
function linksOf(prose) {
	const links = [];
	for (const { text, line } of prose) {
		const withoutCode = text.replace(/(`+)[^`]*?\1/g, '');
		const patterns = [
			/!?\[(?:[^[\]]|\[[^\]]*\])*\]\(\s*<?([^)\s>]*)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g,
			/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/g,
			/<(?:a|img)\s[^>]*?(?:href|src)="([^"]+)"/g,
		];
		for (const pattern of patterns) {
			for (const match of withoutCode.matchAll(pattern)) links.push({ target: match[1], line });
		}
	}
	return links;
}

const isExternal = (target) => /^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//');

/** What is wrong with one relative link of `file`, or null. */
function checkLink(root, file, target, anchorsFor) {
	const hash = target.indexOf('#');
	const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
	const anchor = hash === -1 ? null : decodeURIComponent(target.slice(hash + 1));
	const resolved = pathPart === ''
		? file
		: path.posix.normalize(pathPart.startsWith('/') ? pathPart.slice(1) : path.posix.join(path.posix.dirname(file), pathPart));
	if (resolved.startsWith('..')) return `it leaves the repository (${resolved})`;
	const full = path.join(root, resolved);
	if (!fs.existsSync(full)) return `no such file: ${resolved}`;
	if (anchor === null || anchor === '') return null;
	if (!resolved.endsWith('.md')) return /^L\d+(-L\d+)?$/.test(anchor) ? null : `#${anchor} points into ${resolved}, which is not a page`;
	return anchorsFor(resolved).has(anchor) ? null : `no heading for #${anchor} in ${resolved}`;
}

/** Runs one runnable block with bash from the repository's root; what went wrong, or null. */
function runBlock(root, body) {
	const result = spawnSync('bash', ['-e', '-o', 'pipefail', '-c', body], {
		cwd: root,
		encoding: 'utf8',
		timeout: RUN_TIMEOUT_MS,
		env: { ...process.env, NO_COLOR: '1' },
	});
	if (result.error) return `could not run: ${result.error.message}`;
	if (result.status === 0) return null;
	const output = `${result.stderr}${result.stdout}`.trim().split('\n').slice(-5).join(' | ');
	return `exit ${result.status ?? result.signal}${output ? `: ${output}` : ''}`;
}

/**
 * Checks the pages (relative paths under `root`); returns one line per problem, empty when all is well.
 * `run: false` checks the links only.
 */
function checkDocs({ root = ROOT, files = defaultFiles(root), run = true } = {}) {
	const pages = new Map();
	const pageOf = (file) => {
		if (!pages.has(file)) pages.set(file, parsePage(fs.readFileSync(path.join(root, file), 'utf8')));
		return pages.get(file);
	};
	const anchorCache = new Map();
	const anchorsFor = (file) => {
		if (!anchorCache.has(file)) anchorCache.set(file, anchorsOf(pageOf(file).prose));
		return anchorCache.get(file);
	};
	const problems = [];
	for (const file of files) {
		const { prose, blocks } = pageOf(file);
		for (const { target, line } of linksOf(prose)) {
			if (isExternal(target)) continue;
			const problem = target === '' ? 'an empty link' : checkLink(root, file, target, anchorsFor);
			if (problem) problems.push(`${file}:${line}: link "${target}": ${problem}`);
		}
		for (const block of blocks) {
			if (block.unclosed) problems.push(`${file}:${block.line}: a code block is never closed`);
			const words = block.info.split(/\s+/);
			if (!run || !words.slice(1).includes(RUNNABLE)) continue;
			if (words[0] !== 'sh') {
				problems.push(`${file}:${block.line}: a runnable block must be "sh runnable", not "${block.info}"`);
				continue;
			}
			const problem = runBlock(root, block.body);
			if (problem) problems.push(`${file}:${block.line}: runnable block failed, ${problem}`);
		}
	}
	return problems;
}

function main() {
	const args = process.argv.slice(2);
	const run = !args.includes('--no-run');
	const given = args.filter((arg) => !arg.startsWith('--'));
	const files = given.length ? given.map((file) => path.relative(ROOT, path.resolve(file)).split(path.sep).join('/')) : defaultFiles(ROOT);
	const problems = checkDocs({ files, run });
	for (const problem of problems) console.error(problem);
	console.log(`check-docs: ${files.length} pages, ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
	process.exitCode = problems.length ? 1 : 0;
}

if (require.main === module) main();

module.exports = { checkDocs, defaultFiles, parsePage, slugify, anchorsOf, linksOf };
