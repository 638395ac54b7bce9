'use strict';

/**
 * A saved execution as n8n's REST API returns it (`GET /rest/executions/<id>`): its `data` is a
 * flatted string, read here with the flatted that n8n itself writes it with.
 */

const path = require('node:path');

const rt = require('../../../scripts/n8n-runtime');

function flatted() {
	return require(require.resolve('flatted', { paths: [path.join(rt.TOOL_DIR, 'node_modules')] }));
}

/** The run data of a saved execution: { [nodeName]: taskData[] }. */
async function savedRunData(n8n, executionId) {
	const execution = await n8n.rest('GET', `/executions/${executionId}`);
	const data = typeof execution.data === 'string' ? flatted().parse(execution.data) : execution.data;
	return { status: execution.status, mode: execution.mode, runData: data.resultData.runData };
}

/** One output of a node's first run in that run data, as JSON items. */
function outputItems(runData, nodeName, output) {
	const items = runData[nodeName]?.[0]?.data?.main?.[output] ?? [];
	return items.map((item) => item.json);
}

/**
 * Waits until the sandbox has sent every status callback it owes for a suite's sends and no
 * status execution is still running, so that the suites after it count executions from a still point.
 */
async function settleStatusCallbacks({ providers, sandbox, statusWorkflows, executionStats, withTimeout, waitFor }) {
	await withTimeout(sandbox.idle(), 30000, 'the sandbox to send its pending callbacks');
	for (const provider of providers) {
		await waitFor(async () => ((await executionStats(statusWorkflows[provider].id)).running === 0 ? true : null), {
			timeoutMs: 30000,
			intervalMs: 200,
			what: `${provider} status executions to finish`,
		});
	}
}

module.exports = { savedRunData, outputItems, settleStatusCallbacks };
