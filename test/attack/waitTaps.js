'use strict';

/**
 * Forged and replayed taps on Send and Wait's buttons (issue 21), at a version 2 Status Trigger
 * through n8n-core, each tap a genuine provider callback (signed as the sandbox's kit signs it):
 * seeded mutations of a genuine wait token, a token of another account, a token pointing n8n at
 * another host, a tap from another number, and the same tap delivered twice. Every one must get
 * 401 and call no resume URL; only the first genuine tap may resume, once. Then answers posted
 * straight to the waiting node's resume URL without the trigger's signature must be refused.
 */

const nock = require('nock');

const { checkInbound } = require('../../sandbox/lib/inbound');
const { runNotifyWebhook, runStatusWebhook } = require('../helpers/engine');
const { forgetUsedTaps, makeWaitToken, signAnswer, waitKey } = require('../../dist/nodes/shared/waitToken');
const { PROVIDERS } = require('../../dist/nodes/providers');
const { mulberry32, pick } = require('./fuzz');

const PUBLISHED = 'https://n8n.example.com/webhook/trigger-id/status';
const RESUME_HOST = 'https://n8n.example.com';
const CUSTOMER = '+15551234567';

/** The sandbox's credential for a provider: the trigger's, and the one the kit signs callbacks with. */
const credentialOf = (kit) => kit.sandboxCredential('https://sandbox.example.com');

/** A genuine callback of the provider for a tap on `button` from `from`, as the trigger receives it. */
function tapRequest(kit, provider, from, button) {
	const target = new URL(kit.callbackUrl(PUBLISHED, credentialOf(kit)));
	const message = { ...checkInbound({ provider, from, button }, kit.inbound.businessNumber), provider };
	const built = kit.inbound.build(target.toString(), undefined, message);
	const raw = built.body;
	const body = kit.callbackEncoding === 'form' || built.headers['Content-Type'] === 'application/x-www-form-urlencoded' ? Object.fromEntries(new URLSearchParams(raw)) : JSON.parse(raw);
	return { body, rawBody: Buffer.from(raw), headers: built.headers, query: Object.fromEntries(target.searchParams), url: target.pathname + target.search };
}

/** Seeded ways to spoil a genuine token: each must read as forged. */
function spoiled(token, random) {
	const at = 5 + Math.floor(random() * (token.length - 5));
	const other = (char) => (char === 'A' ? 'B' : 'A');
	const [prefix, mac, tag, signature, ...url] = token.split('.');
	return pick(random, [
		token.slice(0, at) + other(token[at]) + token.slice(at + 1),
		token.slice(0, at),
		`${token}x`,
		[prefix, mac, tag, signature, 'http://169.254.169.254/latest/meta-data?approved=true'].join('.'),
		[prefix, mac, tag, signature.split('').reverse().join(''), ...url].join('.'),
		[prefix, 'A'.repeat(22), tag, signature, ...url].join('.'),
		[prefix, mac, 'AAAAAAAAAAA', signature, ...url].join('.'),
		`${prefix}.`,
		`${prefix}.${'\u0000'.repeat(40)}`,
		token.toUpperCase(),
	]);
}

/**
 * `attack`: { check, section, line, short }; `kits`: the sandbox's provider kits; `seed`; `taps` per provider.
 */
async function forgedAndReplayedTaps(attack, { kits, seed, taps }) {
	const { check, section, line } = attack;
	const random = mulberry32(seed + 21);
	section(`Send and Wait taps: ${taps} forged taps per provider, a foreign account, another number, a replay`);
	let resumeCalls = 0;
	nock(RESUME_HOST)
		.post(/^\/webhook-waiting\//)
		.reply(() => {
			resumeCalls++;
			return [200, { resumed: true }];
		})
		.persist();
	const tally = { refused: 0, resumed: 0 };
	for (const provider of ['meta', 'twilio', 'smooch', 'gupshup']) {
		const kit = kits[provider];
		const credentials = { [kit.credentialType]: credentialOf(kit) };
		const key = waitKey(PROVIDERS[provider], credentialOf(kit));
		const signedUrl = `${RESUME_HOST}/webhook-waiting/41/0f5a0c4e-2d1b-4f6a-9c3e-7b8d9e0f1a2b?approved=true&signature=${'ab'.repeat(32)}`;
		const token = makeWaitToken(key, signedUrl, CUSTOMER);
		const tap = (id, from = CUSTOMER) => runStatusWebhook({ parameters: { provider }, credentials, request: tapRequest(kit, provider, from, { id, title: 'Approve' }), typeVersion: 2 });
		// A button id without the wait prefix is no tap on Send and Wait's buttons: it may reach Received, but resumes nothing.
		const refused = async (what, id, from) => {
			const before = resumeCalls;
			const { response, result, outputs } = await tap(id, from);
			const tapped = outputs.received.some((message) => message.button?.id.startsWith('wnw1.'));
			const ok = resumeCalls === before && (response.statusCode === 401 ? !result.workflowData : !id.startsWith('wnw1.') && !tapped);
			if (ok) tally.refused++;
			check(ok, `${provider}: ${what} refused`, `answered ${response.statusCode}, resume calls ${resumeCalls - before}, id ${JSON.stringify(id.slice(0, 60))}`);
		};
		forgetUsedTaps();
		for (let index = 0; index < taps; index++) await refused(`forged tap #${index}`, spoiled(token, random));
		const otherKey = waitKey(PROVIDERS[provider], { ...credentialOf(kit), ...Object.fromEntries(PROVIDERS[provider].waitKeySettings.slice(-1).map((field) => [field, 'another-secret'])) });
		await refused('a token of another account', makeWaitToken(otherKey, signedUrl, CUSTOMER));
		await refused('a tap from another number', token, '+447700900123');
		const replayed = tapRequest(kit, provider, CUSTOMER, { id: token, title: 'Approve' });
		const call = () => runStatusWebhook({ parameters: { provider }, credentials, request: replayed, typeVersion: 2 });
		const before = resumeCalls;
		const first = await call();
		const again = await call();
		const once = first.response.statusCode !== 401 && again.response.statusCode === 401 && resumeCalls === before + 1;
		if (once) tally.resumed++;
		check(once, `${provider}: the genuine tap resumed once, its replay got 401`, `first ${first.response.statusCode}, again ${again.response.statusCode}, resume calls ${resumeCalls - before}`);

		// Straight at the waiting node's resume URL: an answer without the trigger's signature, or with a wrong one.
		const answer = { token, from: CUSTOMER, profileName: null, answeredAt: '2026-12-07T10:00:00.000Z', messageId: 'm', title: 'Approve', provider };
		const parameters = { provider, operation: 'sendAndWait', recipient: CUSTOMER, message: 'Approve?', responseType: 'approval' };
		for (const [what, headers] of [
			['no signature', {}],
			['a wrong signature', { 'x-whatsapp-notify-signature': '0'.repeat(64) }],
			['another account’s signature', { 'x-whatsapp-notify-signature': signAnswer(otherKey, answer) }],
		]) {
			const { result, response } = await runNotifyWebhook({ parameters, credentials, request: { body: answer, headers, query: { approved: 'true', signature: 'ab'.repeat(32) }, url: '/webhook-waiting/41/0f5a0c4e-2d1b-4f6a-9c3e-7b8d9e0f1a2b?approved=true' } });
			check(response.statusCode === 401 && !result.workflowData, `${provider}: an answer with ${what} at the resume URL refused`, `answered ${response.statusCode}`);
		}
	}
	nock.cleanAll();
	line(`refused or kept from any wait ${tally.refused} forged taps; ${tally.resumed} genuine taps resumed once each (replays refused)`);
}

module.exports = { forgedAndReplayedTaps };
