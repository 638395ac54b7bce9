#!/usr/bin/env node
'use strict';

/**
 * No function over MAX_LINES lines, in the shipped code and the code around it (part of
 * `npm run lint`). A long function is a list of steps waiting to be named: split it.
 *
 *   node scripts/function-lengths.js [--max N] [--top N]
 *
 * Reads every .js and .ts file under FOLDERS with the TypeScript compiler's parser (a dev
 * dependency) and measures each function, method and arrow function from its first line to
 * its last, nested functions included. Test files (*.test.js) are left out: a `describe` is a
 * list of tests, not a function to split. Exit code 1 when one is over.
 */

const fs = require('node:fs');
const path = require('node:path');

const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');
const FOLDERS = ['nodes', 'credentials', 'bench', 'sandbox', 'scripts', 'test/e2e', 'test/attack', 'test/helpers'];
const FILES = ['index.js', 'gulpfile.js'];
const MAX_LINES = 80;

/** Every .js and .ts file below `folder`, tests and declaration files left out. */
function sourceFiles(folder) {
	const found = [];
	for (const entry of fs.readdirSync(folder, { withFileTypes: true })) {
		const full = path.join(folder, entry.name);
		if (entry.isDirectory()) {
			if (entry.name !== 'node_modules') found.push(...sourceFiles(full));
		} else if (/\.(js|ts)$/.test(entry.name) && !/\.(test\.js|d\.ts)$/.test(entry.name)) {
			found.push(full);
		}
	}
	return found;
}

/** What a function is called in the report: its name, or what it is assigned to, or "(anonymous)". */
function nameOf(node) {
	if (node.name && ts.isIdentifier(node.name)) return node.name.text;
	if (node.name && ts.isStringLiteral(node.name)) return node.name.text;
	const parent = node.parent;
	if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
	if (parent && ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
	if (parent && ts.isCallExpression(parent)) return `(callback of ${parent.expression.getText().slice(0, 40)})`;
	return '(anonymous)';
}

/** [{ file, line, name, lines }] for every function in the file. */
function functionLengths(file) {
	const text = fs.readFileSync(file, 'utf8');
	const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
	const lengths = [];
	const visit = (node) => {
		if (ts.isFunctionLike(node) && 'body' in node && node.body) {
			const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
			const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
			lengths.push({ file: path.relative(ROOT, file), line: first + 1, name: nameOf(node), lines: last - first + 1 });
		}
		ts.forEachChild(node, visit);
	};
	visit(source);
	return lengths;
}

function main(argv) {
	const option = (name, fallback) => (argv.includes(name) ? Number(argv[argv.indexOf(name) + 1]) : fallback);
	const max = option('--max', MAX_LINES);
	const top = option('--top', 0);
	const files = [...FOLDERS.flatMap((folder) => sourceFiles(path.join(ROOT, folder))), ...FILES.map((file) => path.join(ROOT, file))];
	const all = files.filter((file) => fs.existsSync(file)).flatMap(functionLengths).sort((a, b) => b.lines - a.lines);
	for (const each of all.slice(0, top)) console.log(`${String(each.lines).padStart(5)}  ${each.file}:${each.line} ${each.name}`);
	const over = all.filter((each) => each.lines > max);
	for (const each of over) console.error(`${each.file}:${each.line}: ${each.name} is ${each.lines} lines (at most ${max}): split it`);
	console.log(`function lengths: ${all.length} functions in ${files.length} files, the longest ${all[0] ? all[0].lines : 0} lines; ${over.length} over ${max}`);
	return over.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
