'use strict';

/**
 * The e2e suite's check list: prints every check as it happens and keeps the tally for the
 * closing line "N passed, N failed".
 */

function createReport({ write = (line) => console.log(line), startedAt = Date.now() } = {}) {
	let passed = 0;
	let failed = 0;
	const failures = [];
	const elapsed = () => `${((Date.now() - startedAt) / 1000).toFixed(1)}s`;

	const report = {
		get passed() {
			return passed;
		},
		get failed() {
			return failed;
		},
		failures,
		elapsed,
		/** A heading with the time since the run started. */
		section(title) {
			write(`\n[${elapsed()}] == ${title}`);
		},
		info(text) {
			write(`        ${text}`);
		},
		pass(name) {
			passed += 1;
			write(`  ok    ${name}`);
			return true;
		},
		fail(name, detail) {
			failed += 1;
			failures.push(name);
			const text = detail instanceof Error ? detail.message : detail;
			write(`  FAIL  ${name}${text ? `\n        ${String(text).split('\n').join('\n        ')}` : ''}`);
			return false;
		},
		/** Records one check; `detail` (string or function) explains a failure. */
		check(condition, name, detail) {
			if (condition) return report.pass(name);
			return report.fail(name, typeof detail === 'function' ? detail() : detail);
		},
		/** Runs fn; a throw counts as one failed check named `name`. Resolves to fn's value or undefined. */
		async attempt(name, fn) {
			try {
				return await fn();
			} catch (error) {
				report.fail(name, error);
				return undefined;
			}
		},
		summary() {
			return `${passed} passed, ${failed} failed`;
		},
	};
	return report;
}

module.exports = { createReport };
