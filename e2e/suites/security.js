'use strict';

/**
 * Callers who are not the provider, and provider hosts that redirect (issue 7), in a real n8n:
 * forged callbacks with object and array fields, a Twilio signature made for another host,
 * triggers whose credential has no secret, and a send whose Base URL answers 307 to another
 * host. None of the callbacks may start an execution, failed or not; the redirect must not carry
 * the credential anywhere; no answer or error may show a secret.
 */

const crypto = require('node:crypto');

const rt = require('../../scripts/n8n-runtime');
const { SANDBOX_CREDENTIALS } = require('../../sandbox/server');
const { recordingServer } = require('../../test/helpers/recordingServer');
const { PROVIDERS, sendWorkflow, statusWorkflow } = require('../lib/workflows');

/** The field of each credential that checks callbacks. */
const CALLBACK_SECRET = { twilio: 'authToken', smooch: 'webhookSecret', gupshup: 'webhookToken', meta: 'appSecret' };

/** Every secret the sandbox credentials hold: none may show up in an answer. */
const SECRETS = Object.values(SANDBOX_CREDENTIALS).flatMap((values) =>
	Object.entries(values)
		.filter(([key]) => /token|secret|key/i.test(key) && !/keyId/.test(key))
		.map(([, value]) => value)
		.filter((value) => typeof value === 'string' && value.length >= 8),
);

const state = { noSecret: {}, redirecting: {}, triggerIds: {} };

module.exports = {
	name: 'security: forged and foreign-host callbacks, credentials without a secret, redirecting provider hosts',

	async credentials({ credentials }) {
		state.elsewhere = await recordingServer((_request, response) =>
			response.writeHead(201, { 'content-type': 'application/json' }).end('{"sid":"SMelsewhere","messageId":"elsewhere","notification":{"_id":"elsewhere"},"messages":[{"id":"elsewhere"}]}'),
		);
		state.redirector = await recordingServer((request, response) => response.writeHead(307, { location: `${state.elsewhere.url}${request.url}` }).end());
		const made = [];
		for (const provider of PROVIDERS) {
			const base = credentials[provider];
			state.noSecret[provider] = { ...base, id: rt.newId(), name: `${base.name} without ${CALLBACK_SECRET[provider]}`, data: { ...base.data, [CALLBACK_SECRET[provider]]: '' } };
			state.redirecting[provider] = { ...base, id: rt.newId(), name: `${base.name} behind a redirect`, data: { ...base.data, baseUrl: state.redirector.url } };
			made.push(state.noSecret[provider], state.redirecting[provider]);
		}
		return made;
	},

	workflows({ sink }) {
		const workflows = [];
		state.workflows = {};
		for (const provider of PROVIDERS) {
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

	async run({ report, n8n, httpPost, triggerUrls, statusWorkflows, executionStats, short, twilioSignature, waitFor }) {
		try {
			await forgedCallbacks({ report, httpPost, triggerUrls, statusWorkflows, executionStats, short, twilioSignature, n8n });
			await redirectedSends({ report, httpPost, n8n, short, executionStats, waitFor });
		} finally {
			await Promise.all([state.elsewhere.close(), state.redirector.close()]);
		}
	},
};

async function forgedCallbacks({ report, httpPost, triggerUrls, statusWorkflows, executionStats, short, twilioSignature, n8n }) {
	const json = { 'content-type': 'application/json' };
	const hostile = [
		['Twilio: JSON with MessageStatus {"toString":1} and a made-up signature', 'twilio', triggerUrls.twilio, { body: JSON.stringify({ MessageSid: 'SM1', MessageStatus: { toString: 1 } }), headers: { ...json, 'x-twilio-signature': 'c2lnbmF0dXJl' } }],
		['Twilio: JSON with an array status', 'twilio', triggerUrls.twilio, { body: JSON.stringify({ MessageSid: ['SM1'], MessageStatus: ['delivered'] }), headers: { ...json, 'x-twilio-signature': 'c2lnbmF0dXJl' } }],
		['Smooch: fields as objects, no X-API-Key', 'smooch', triggerUrls.smooch, { body: JSON.stringify({ trigger: { toString: 1 }, notification: { _id: [] } }), headers: json }],
		['Gupshup: fields as objects, token in Authorization', 'gupshup', triggerUrls.gupshup.replace(/\?.*$/, ''), { body: JSON.stringify({ app: {}, type: { a: 1 }, payload: [] }), headers: { ...json, authorization: `Bearer ${SANDBOX_CREDENTIALS.gupshup.webhookToken}` } }],
	];
	if (triggerUrls.meta) {
		hostile.push(['Meta: statuses as objects, a made-up signature', 'meta', triggerUrls.meta, { body: JSON.stringify({ object: 'whatsapp_business_account', entry: [{ changes: { toString: 1 } }] }), headers: { ...json, 'x-hub-signature-256': `sha256=${'0'.repeat(64)}` } }]);
	}
	// A signature Twilio would make for the same path on another host, with that host named in the headers.
	const foreignUrl = triggerUrls.twilio.replace(/^https?:\/\/[^/]+/, 'https://attacker.example.org');
	const fields = { MessageSid: `SM${crypto.randomBytes(16).toString('hex')}`, MessageStatus: 'delivered', To: 'whatsapp:+14155550100' };
	hostile.push([
		'Twilio: signed for the same path on another host, Host and X-Forwarded-* naming it',
		'twilio',
		triggerUrls.twilio,
		{
			body: new URLSearchParams(fields).toString(),
			headers: {
				'content-type': 'application/x-www-form-urlencoded',
				'x-forwarded-host': 'attacker.example.org',
				'x-forwarded-proto': 'https',
				'x-twilio-signature': twilioSignature(SANDBOX_CREDENTIALS.twilio.authToken, foreignUrl, fields),
			},
		},
	]);

	const targets = Object.fromEntries(PROVIDERS.map((provider) => [provider, [statusWorkflows[provider].id, state.workflows[provider].unverified.id]]));
	const before = {};
	for (const ids of Object.values(targets)) for (const id of ids) before[id] = (await executionStats(id)).total;

	for (const [what, , url, request] of hostile) {
		const response = await httpPost(url, { ...request, json: false });
		report.check(response.status === 401 && !SECRETS.some((secret) => response.text.includes(secret)), `${what} -> ${response.status} ${short(response.text, 60)}`);
	}
	for (const provider of PROVIDERS) {
		const url = triggerUrls[provider].replace(/\/webhook\/[^/]+\/status/, `/webhook/${state.triggerIds[provider]}/status`).replace(/\?.*$/, '');
		const body = provider === 'twilio' ? new URLSearchParams(fields).toString() : JSON.stringify({ trigger: 'notification:delivery:user', notification: { _id: 'x' }, app: {}, type: 'message-event', payload: { type: 'delivered', id: 'x' } });
		const headers = { 'content-type': provider === 'twilio' ? 'application/x-www-form-urlencoded' : 'application/json' };
		const response = await httpPost(url, { body, headers, json: false });
		report.check(
			response.status === 401 && /no callback secret/.test(response.text),
			`${provider}: a trigger whose credential has no ${CALLBACK_SECRET[provider]} -> ${response.status} ${short(response.text, 80)}`,
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
	const elsewhereHost = new URL(state.elsewhere.url).host;
	for (const provider of PROVIDERS) {
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
