'use strict';

/** The project, built and packed, installed into a user folder the way n8n installs a community package. */

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const { ROOT } = require('./profile');
const { log, run } = require('./toolchain');

// n8n's own flags for installing a community package (CommunityPackagesService in 2.8.4).
const N8N_NPM_INSTALL_ARGS = [
	'--audit=false',
	'--fund=false',
	'--bin-links=false',
	'--install-strategy=shallow',
	'--ignore-scripts=true',
	'--package-lock=false',
];

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

module.exports = { installPackage };
