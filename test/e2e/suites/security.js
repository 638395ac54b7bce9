'use strict';

/**
 * Callers who are not the provider, and provider hosts that redirect (issue 7), in a real n8n:
 * forged callbacks with object and array fields, a Twilio signature made for another host,
 * triggers whose credential has no secret, and a send whose Base URL answers 307 to another
 * host. None of the callbacks may start an execution, failed or not; the redirect must not carry
 * the credential anywhere; no answer or error may show a secret.
 */

const crypto = require('node:crypto');

const rt = require('../../../scripts/n8n-runtime');
const { sandboxProviders } = require('../../../sandbox/providers');
const { recordingServer } = require('../../helpers/recordingServer');
const { providerNames, sendWorkflow, statusWorkflow } = require('../lib/workflows');

const kit = (provider) => sandboxProviders()[provider];

/** Every secret the sandbox credentials hold: none may show up in an answer. */
const sandboxSecrets = () =>
	Object.values(sandboxProviders()).flatMap((each) => each.secretFields.map((field) => each.sandboxCredential('')[field]));

const state = { noSecret: {}, redirecting: {}, triggerIds: {} };

module.exports = {
	name: 'security: forged and foreign-host callbacks, credentials without a secret, redirecting provider hosts',

	async credentials({ credentials }) {
		state.elsewhere = await recordingServer((_request, response) =>
			response.writeHead(201, { 'content-type': 'application/json' }).end('{"sid":"SMelsewhere","messageId":"elsewhere","notification":{"_id":"elsewhere"},"messages":[{"id":"elsewhere"}]}'),
		);
		state.redirector = await recordingServer((request, response) => response.writeHead(307, { location: `${state.elsewhere.url}${request.url}` }).end());
		const made = [];
		for (const provider of providerNames()) {
			const base = credentials[provider];
			state.noSecret[provider] = { ...base, id: rt.newId(), name: `${base.name} without ${kit(provider).callbackSecret}`, data: { ...base.data, [kit(provider).callbackSecret]: '' } };
			state.redirecting[provider] = { ...base, id: rt.newId(), name: `${base.name} behind a redirect`, data: { ...base.data, baseUrl: state.redirector.url } };
			made.push(state.noSecret[provider], state.redirecting[provider]);
		}
		return made;
	},

	workflows({ sink }) {
		const workflows = [];
		state.workflows = {};
		for (const provider of providerNames()) {
			state.triggerIds[provider] = crypto.randomUUID();
			const unverified = statusWorkflow({ provider, credential: state.noSecret[provider], webhookId: state.triggerIds[provider], sinkUrl: sink.url });
			unverified.name = `e2e status without a secret (${provider})`;
			const redirected = sendWorkflow({ provider, credential: state.redirecting[provider], path: `send-redirected-${provider}` });
			redirected.name = `e2e send behind a redirect (${provider})`;
			state.workflows[provider] = { unverified, redirected };
			workflows.push(unverified, redirected);
		}
		return workflows;
	},

	async run({ report, n8n, httpPost, triggerUrls, statusWorkflows, executionStats, short, waitFor }) {
		try {
			await forgedCallbacks({ report, httpPost, triggerUrls, statusWorkflows, executionStats, short, n8n });
			await redirectedSends({ report, httpPost, n8n, short, executionStats, waitFor });
		} finally {
			await Promise.all([state.elsewhere.close(), state.redirector.close()]);
		}
	},
};

async function forgedCallbacks({ report, httpPost, triggerUrls, statusWorkflows, executionStats, short, n8n }) {
	const json = { 'content-type': 'application/json' };
	const SECRETS = sandboxSecrets();
	const hostile = providerNames().flatMap((provider) =>
		kit(provider)
			.hostileCallbacks({ url: triggerUrls[provider], json })
			.map(([what, { url = triggerUrls[provider], ...request }]) => [what, provider, url, request]),
	);

	const targets = Object.fromEntries(providerNames().map((provider) => [provider, [statusWorkflows[provider].id, state.workflows[provider].unverified.id]]));
	const before = {};
	for (const ids of Object.values(targets)) for (const id of ids) before[id] = (await executionStats(id)).total;

	for (const [what, , url, request] of hostile) {
		const response = await httpPost(url, { ...request, json: false });
		report.check(response.status === 401 && !SECRETS.some((secret) => response.text.includes(secret)), `${what} -> ${response.status} ${short(response.text, 60)}`);
	}
	for (const provider of providerNames()) {
		const url = triggerUrls[provider].replace(/\/webhook\/[^/]+\/status/, `/webhook/${state.triggerIds[provider]}/status`).replace(/\?.*$/, '');
		// Refused before the body is read, whatever it holds.
		const form = kit(provider).callbackEncoding === 'form';
		const body = form ? 'status=delivered&id=x' : JSON.stringify({ status: 'delivered', id: 'x' });
		const headers = { 'content-type': form ? 'application/x-www-form-urlencoded' : 'application/json' };
		const response = await httpPost(url, { body, headers, json: false });
		report.check(
			response.status === 401 && /no callback secret/.test(response.text),
			`${provider}: a trigger whose credential has no ${kit(provider).callbackSecret} -> ${response.status} ${short(response.text, 80)}`,
		);
	}

	// Executions are saved as they finish: give any that a forged call started time to appear.
	await new Promise((resolve) => setTimeout(resolve, 2000));
	for (const [provider, ids] of Object.entries(targets)) {
		const after = {};
		for (const id of ids) after[id] = (await executionStats(id)).total;
		report.check(
			ids.every((id) => after[id] === before[id]),
			`${provider}: no execution started, failed or not (${ids.map((id) => `${before[id]} -> ${after[id]}`).join(', ')})`,
		);
	}
	const log = n8n.readLog();
	report.check(!SECRETS.some((secret) => log.includes(secret)), 'no credential secret in the n8n log');
}

async function redirectedSends({ report, httpPost, n8n, short, executionStats, waitFor }) {
	const SECRETS = sandboxSecrets();
	const elsewhereHost = new URL(state.elsewhere.url).host;
	for (const provider of providerNames()) {
		const redirectsBefore = state.redirector.requests.length;
		const workflowId = state.workflows[provider].redirected.id;
		const response = await httpPost(`${n8n.localUrl}/webhook/send-redirected-${provider}`, { body: { to: '+14155550100', text: 'e2e redirect' } });
		report.check(response.status === 500, `${provider}: the provider host answers 307 to ${elsewhereHost} -> the send workflow fails (HTTP ${response.status})`);
		const failed = await waitFor(
			async () => (await executionStats(workflowId)).results.find((execution) => execution.status === 'error'),
			{ what: `the failed execution of ${state.workflows[provider].redirected.name}`, timeoutMs: 15000 },
		);
		const execution = await n8n.rest('GET', `/executions/${failed.id}`);
		const data = typeof execution.data === 'string' ? execution.data : JSON.stringify(execution.data);
		report.check(
			data.includes(`HTTP 307, a redirect to ${elsewhereHost}`) && !SECRETS.some((secret) => data.includes(secret)),
			`${provider}: execution ${failed.id} says "refused item 0 (+14155550100): HTTP 307, a redirect to ${elsewhereHost}", no secret in it`,
			() => short(data, 600),
		);
		report.check(state.redirector.requests.length === redirectsBefore + 1, `${provider}: one request to the redirecting host`);
	}
	report.check(state.elsewhere.requests.length === 0, `the host redirected to got no request at all (${state.elsewhere.requests.length}), so no credential`);
}
