'use strict';

/**
 * The sandbox page's files (sandbox/page/), served under /_sandbox/. Read at each request, so an
 * edit shows on reload. The policy header keeps the page to its own files: no external asset, no
 * inline script, requests to the sandbox only.
 */

const fs = require('fs');
const path = require('path');

const PAGE_DIR = path.join(__dirname, '..', 'page');

/** The page's path under /_sandbox/ → its file and type. */
const ASSETS = Object.freeze({
	'': { file: 'index.html', type: 'text/html; charset=utf-8' },
	'page.js': { file: 'page.js', type: 'text/javascript; charset=utf-8' },
	'page.css': { file: 'page.css', type: 'text/css; charset=utf-8' },
});

const POLICY = [
	"default-src 'none'",
	"script-src 'self'",
	"style-src 'self'",
	"connect-src 'self'",
	"img-src 'self' data:",
	"base-uri 'none'",
	"form-action 'none'",
	"frame-ancestors 'none'",
].join('; ');

const isPageAsset = (name) => Object.hasOwn(ASSETS, name);

/** Answers one of the page's files. */
function sendPageAsset(res, name) {
	const { file, type } = ASSETS[name];
	const content = fs.readFileSync(path.join(PAGE_DIR, file));
	res.writeHead(200, {
		'Content-Type': type,
		'Content-Length': content.length,
		'Content-Security-Policy': POLICY,
		'X-Content-Type-Options': 'nosniff',
		'Cache-Control': 'no-store',
	});
	res.end(content);
}

module.exports = { isPageAsset, sendPageAsset };
