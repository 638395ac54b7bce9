'use strict';

/**
 * The end of a test run that starts processes: a stack of things to undo, run once in reverse
 * order on success, failure or a signal (SIGINT, SIGTERM, SIGHUP), then the report's closing
 * line "N passed, N failed" and the exit code (1 when a check failed, 130 after a signal).
 *
 *   const { onCleanup, finish } = runLifecycle(report, { beforeSummary: () => console.log(...) });
 *   onCleanup('stop n8n', () => n8n.stop());
 *   main().catch(...).finally(() => finish());
 */
/**
 * @param {object} report
 * @param {{ beforeSummary?: () => void }} [options]
 */
function runLifecycle(report, { beforeSummary } = {}) {
	const cleanups = [];
	let cleaning = null;
	let finishing = false;

	const onCleanup = (name, fn) => cleanups.push({ name, fn });

	function cleanup() {
		cleaning ||= (async () => {
			while (cleanups.length) {
				const { name, fn } = cleanups.pop();
				try {
					await fn();
				} catch (error) {
					report.fail(`cleanup: ${name}`, error);
				}
			}
		})();
		return cleaning;
	}

	async function finish(exitCode) {
		if (finishing) return;
		finishing = true;
		await cleanup();
		if (beforeSummary) beforeSummary();
		console.log(`total ${report.elapsed()}`);
		console.log(report.summary());
		process.exit(exitCode ?? (report.failed > 0 ? 1 : 0));
	}

	for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
		process.on(signal, () => {
			if (finishing) return;
			report.fail(`run interrupted by ${signal}`);
			console.log(`\n${signal}: stopping everything this run started...`);
			finish(130);
		});
	}

	return { onCleanup, finish };
}

module.exports = { runLifecycle };
