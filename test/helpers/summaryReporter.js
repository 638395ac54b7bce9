/** Ends jest's output with one plain line, `unit: N passed, N failed`, that CI reads. */
class SummaryReporter {
	onRunComplete(_contexts, results) {
		const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
		process.stdout.write(`\nunit: ${results.numPassedTests} passed, ${failed} failed\n`);
	}
}

module.exports = SummaryReporter;
