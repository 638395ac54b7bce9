/**
 * What `npm publish` would upload, checked: only dist/, index.js, the README and the license
 * (and package.json, which every package carries), and every file package.json points n8n at.
 * Run after a build (`npm pack` would rebuild it: --ignore-scripts keeps the listing clean).
 * Exits 1, listing the offenders, when anything else is in the tarball or something is missing.
 */
const { execFileSync } = require('child_process');
const path = require('path');

const ROOT = path.resolve(__dirname, '..');
const ALLOWED = [/^dist\//, /^index\.js$/, /^README\.md$/, /^LICENSE$/, /^package\.json$/];

function packedFiles() {
	const output = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
	const [tarball] = JSON.parse(output);
	return { name: `${tarball.name}-${tarball.version}.tgz`, size: tarball.size, files: tarball.files.map((file) => file.path) };
}

function main() {
	const { name, size, files } = packedFiles();
	const { main: entry, n8n } = require(path.join(ROOT, 'package.json'));
	const unexpected = files.filter((file) => !ALLOWED.some((pattern) => pattern.test(file)));
	const required = [entry, 'README.md', 'LICENSE', ...n8n.credentials, ...n8n.nodes];
	const missing = required.filter((file) => !files.includes(file));
	console.log(`${name}: ${files.length} files, ${(size / 1024).toFixed(1)} kB packed`);
	for (const file of unexpected) console.log(`  not allowed in the tarball: ${file}`);
	for (const file of missing) console.log(`  missing from the tarball: ${file}`);
	if (unexpected.length || missing.length) process.exit(1);
	console.log('  only dist/, index.js, README.md, LICENSE and package.json; every n8n entry present');
}

main();
