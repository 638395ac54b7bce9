/**
 * Send and Wait for Reply through n8n-core: the node sends its question with one reply button
 * per answer, each id a wait token carrying n8n's signed resume URL (the signature n8n itself
 * checks), and the execution waits. A Status Trigger (version 2) receiving the tap resumes it by
 * posting the answer to that URL, here intercepted by nock and handed to the Notify node's own
 * webhook: the node continues with { data: { approved } } or { data: { choice, text } } and who
 * answered. Forged, replayed and misdirected taps are refused (401) and resume nothing; a tap on
 * a wait that ended goes to Received.
 */
const nock = require('nock');
const { Container } = require('@n8n/di');
const { InstanceSettings } = require('n8n-core');
const { generateUrlSignature, prepareUrlForSigning } = require('n8n-core/dist/utils/signature-helpers');

const { metaSignature } = require('../../sandbox/providers/meta');
const { forgetUsedTaps, readWaitToken, waitKey } = require('../../dist/nodes/shared/waitToken');
const { meta } = require('../../dist/nodes/providers/meta');
const { providersOffline } = require('../helpers/offline');
const { runNotify, runNotifyWebhook, runStatusWebhook } = require('../helpers/engine');

const RECIPIENT = '+16505551234';
const CREDENTIAL = { accessToken: 'meta-token', phoneNumberId: '106540352242922', appSecret: 'meta-app-secret', verifyToken: 'v', apiVersion: 'v24.0' };
const CREDENTIALS = { metaWhatsAppCloudApi: CREDENTIAL };
const QUESTION = 'Refund of 40 EUR for order 1042: approve?';

providersOffline();
afterEach(() => {
	nock.cleanAll();
	forgetUsedTaps();
});

/** @param {Record<string, string>} [values] */
const approval = (values = { approvalType: 'double', approveLabel: 'Approve', disapproveLabel: 'Decline' }) => ({
	provider: 'meta',
	operation: 'sendAndWait',
	recipient: RECIPIENT,
	message: QUESTION,
	responseType: 'approval',
	approvalOptions: { values },
	replyTriggerSetup: 'manual',
	options: { limitWaitTime: { values: { limitType: 'afterTimeInterval', resumeAmount: 45, resumeUnit: 'minutes' } } },
});

const choices = {
	provider: 'meta',
	operation: 'sendAndWait',
	recipient: RECIPIENT,
	message: 'Your appointment is tomorrow at 10:00.',
	responseType: 'choices',
	choices: { choice: [{ label: 'Confirm', value: 'confirmed' }, { label: 'Reschedule' }, { label: 'Cancel', value: 'cancelled' }] },
	replyTriggerSetup: 'manual',
};

/** Runs the node with Meta's send intercepted; returns the run, the body Meta received and the buttons. */
async function sendQuestion(parameters) {
	/** @type {any} */
	let sent;
	nock('https://graph.facebook.com')
		.post('/v24.0/106540352242922/messages', (body) => {
			sent = body;
			return true;
		})
		.reply(200, { messaging_product: 'whatsapp', contacts: [{ input: RECIPIENT, wa_id: RECIPIENT.slice(1) }], messages: [{ id: 'wamid.QUESTION' }] });
	const outcome = await runNotify({ parameters, credentials: CREDENTIALS });
	const buttons = sent?.interactive.action.buttons.map(({ reply }) => reply) ?? [];
	return { ...outcome, sent, buttons };
}

/** Meta's callback for a tap on `button`, from `from`, signed with the App Secret. */
function tap(button, { from = RECIPIENT.slice(1), messageId = 'wamid.REPLY1' } = {}) {
	const body = {
		object: 'whatsapp_business_account',
		entry: [
			{
				id: '102290129340398',
				changes: [
					{
						field: 'messages',
						value: {
							messaging_product: 'whatsapp',
							metadata: { display_phone_number: '15550783881', phone_number_id: CREDENTIAL.phoneNumberId },
							contacts: [{ profile: { name: 'Sheena Nelson' }, wa_id: from }],
							messages: [{ context: { from: '15550783881', id: 'wamid.QUESTION' }, from, id: messageId, timestamp: '1739321025', type: 'interactive', interactive: { type: 'button_reply', button_reply: button } }],
						},
					},
				],
			},
		],
	};
	const raw = JSON.stringify(body);
	return { body, rawBody: Buffer.from(raw), headers: { 'X-Hub-Signature-256': metaSignature(CREDENTIAL.appSecret, raw) } };
}

/**
 * The resume URL's host, played by the Notify node's own webhook (as n8n's waiting webhooks call
 * it once the URL's signature checks); `ended` plays n8n's answer for a wait that is over.
 */
function n8nWaitingWebhooks(parameters, { ended = false } = {}) {
	const calls = [];
	nock('https://n8n.example.com')
		.post(/^\/webhook-waiting\//)
		.reply(async function (uri, body) {
			calls.push({ uri, body, headers: this.req.headers });
			if (ended) return [200, '<html>No action required</html>', { 'content-type': 'text/html' }];
			const url = new URL(uri, 'https://n8n.example.com');
			const request = { body, headers: this.req.headers, query: Object.fromEntries(url.searchParams), url: uri };
			const { result, response } = await runNotifyWebhook({ parameters, credentials: CREDENTIALS, request });
			calls[calls.length - 1].result = result;
			return result.noWebhookResponse ? [response.statusCode, response.body] : [200, result.webhookResponse];
		})
		.persist();
	return calls;
}

const trigger = (request) => runStatusWebhook({ parameters: { provider: 'meta' }, credentials: CREDENTIALS, request, typeVersion: 2 });

describe('sending the question', () => {
	test('one reply button per answer, disapprove first as in n8n’s own; the execution waits until the limit', async () => {
		const before = Date.now();
		const { buttons, sent, run } = await sendQuestion(approval());
		expect(sent.type).toBe('interactive');
		expect(sent.interactive.body.text).toBe(QUESTION);
		expect(buttons.map((button) => button.title)).toEqual(['Decline', 'Approve']);
		expect(run.waitTill.getTime()).toBeGreaterThanOrEqual(before + 45 * 60_000);
		expect(run.waitTill.getTime()).toBeLessThan(Date.now() + 46 * 60_000);
	});

	test('each button id carries n8n’s resume URL for this execution, node and answer, signed as n8n checks it', async () => {
		const { buttons } = await sendQuestion(approval());
		const key = waitKey(meta, CREDENTIAL);
		const urls = buttons.map((button) => new URL(readWaitToken(key, button.id).resumeUrl));
		expect(urls.map((url) => `${url.pathname}?approved=${url.searchParams.get('approved')}`)).toEqual([
			'/webhook-waiting/exec-1/notify?approved=false',
			'/webhook-waiting/exec-1/notify?approved=true',
		]);
		// n8n 2.8's check: HMAC-SHA256 of host, path and query without `signature`, with the instance's secret.
		const secret = Container.get(InstanceSettings).hmacSignatureSecret;
		for (const url of urls) {
			const given = url.searchParams.get('signature');
			url.searchParams.delete('signature');
			expect(given).toBe(generateUrlSignature(prepareUrlForSigning(url), secret));
		}
		for (const button of buttons) expect(button.id.length).toBeLessThanOrEqual(256);
	});

	test('without a limit the execution waits indefinitely, as n8n’s own', async () => {
		const { run } = await sendQuestion({ ...approval({ approvalType: 'single' }), options: {} });
		expect(run.waitTill.getFullYear()).toBe(3000);
	});

	test('a label WhatsApp would refuse stops the node before anything is sent', async () => {
		const { error, sent } = await sendQuestion(approval({ approvalType: 'single', approveLabel: 'Yes, approve the refund now' }));
		expect(sent).toBeUndefined();
		expect(error.message).toContain('longer than WhatsApp');
	});

	test('a resume URL too long for WhatsApp’s 256-character button id: refused, saying why, nothing sent', async () => {
		const sent = nock('https://graph.facebook.com').post(/messages/).reply(200, {});
		const webhookWaitingBaseUrl = `https://${'n8n-'.repeat(30)}example.com/webhook-waiting`;
		const outcome = await runNotify({ parameters: approval(), credentials: CREDENTIALS, webhookWaitingBaseUrl });
		expect(outcome.error.message).toMatch(/resume URL makes button ids of \d+ characters, over WhatsApp's 256/);
		expect(sent.isDone()).toBe(false);
	});

	test('a credential without the App Secret cannot sign the buttons: refused, naming the field', async () => {
		const { accessToken, phoneNumberId, apiVersion } = CREDENTIAL;
		const outcome = await runNotify({ parameters: approval(), credentials: { metaWhatsAppCloudApi: { accessToken, phoneNumberId, apiVersion } } });
		expect(outcome.error.message).toContain('has no appSecret');
	});
});

describe('a Status Trigger that registered itself must be there to end the wait', () => {
	const automatic = () => ({ ...approval(), replyTriggerSetup: 'automatic' });
	const override = (phoneNumber) =>
		nock('https://graph.facebook.com')
			.get('/v24.0/106540352242922')
			.query({ fields: 'webhook_configuration' })
			.reply(200, { webhook_configuration: { ...(phoneNumber ? { phone_number: phoneNumber } : {}), application: 'https://crm.example.com/meta' }, id: '106540352242922' });

	test('Meta: the number’s override is a Status Trigger’s URL: the question goes out', async () => {
		const lookup = override('https://n8n.example.com/webhook/3f1c0a2e/status');
		const { sent, run } = await sendQuestion(automatic());
		expect(lookup.isDone()).toBe(true);
		expect(sent.type).toBe('interactive');
		expect(run.waitTill).toBeInstanceOf(Date);
	});

	test('Meta: no override (the app’s URL has the messages): refused before anything is sent, saying what to do', async () => {
		override(undefined);
		const { sent, error } = await sendQuestion(automatic());
		expect(sent).toBeUndefined();
		expect(error.message).toContain('No WhatsApp Status Trigger registered with this Meta WhatsApp Cloud API account gets its customers');
		expect(error.description).toContain('Set Up by Hand');
	});

	test('Twilio: Event Streams carry no button id, so a trigger that registered itself cannot end it: refused', async () => {
		const { TWILIO } = require('../helpers/credentials');
		nock('https://events.twilio.com')
			.get('/v1/Sinks')
			.query(true)
			.reply(200, { sinks: [{ sid: 'DG' + 'a'.repeat(32), description: 'n8n WhatsApp Status Trigger 0123456789abcdef', sink_type: 'webhook', sink_configuration: { destination: 'https://n8n.example.com/webhook/x/status' } }], meta: {} })
			.get('/v1/Subscriptions')
			.query(true)
			.reply(200, { subscriptions: [], meta: {} });
		const parameters = { ...automatic(), provider: 'twilio' };
		const outcome = await runNotify({ parameters, credentials: { twilioWhatsAppApi: TWILIO } });
		expect(outcome.error.message).toContain('No WhatsApp Status Trigger registered with this Twilio account');
		expect(outcome.error.description).toContain('A message comes in');
	});
});

describe('a tap resumes the waiting execution', () => {
	test('Approve: the node continues with data.approved and who answered; the tap is not on Received', async () => {
		const { buttons } = await sendQuestion(approval());
		const calls = n8nWaitingWebhooks(approval());
		const { outputs, response } = await trigger(tap(buttons[1]));
		expect(calls).toHaveLength(1);
		expect(calls[0].result.workflowData[0][0].json).toEqual({
			data: { approved: true },
			answeredBy: { phone: RECIPIENT, name: 'Sheena Nelson' },
			answeredAt: '2025-02-12T00:43:45.000Z',
			provider: 'meta',
			replyMessageId: 'wamid.REPLY1',
		});
		expect(outputs.received).toEqual([]);
		expect(response.statusCode).toBe(200);
	});

	test('Decline: data.approved is false', async () => {
		const { buttons } = await sendQuestion(approval());
		const calls = n8nWaitingWebhooks(approval());
		await trigger(tap(buttons[0]));
		expect(calls[0].result.workflowData[0][0].json.data).toEqual({ approved: false });
	});

	test('Choices: data.choice is the value (or the label), data.text the title tapped', async () => {
		const { buttons } = await sendQuestion(choices);
		const calls = n8nWaitingWebhooks(choices);
		await trigger(tap(buttons[1], { messageId: 'wamid.A' }));
		await trigger(tap(buttons[2], { messageId: 'wamid.B' }));
		expect(calls.map((call) => call.result.workflowData[0][0].json.data)).toEqual([
			{ choice: 'Reschedule', text: 'Reschedule' },
			{ choice: 'cancelled', text: 'Cancel' },
		]);
	});
});

describe('taps that must resume nothing', () => {
	test('a replayed tap (the same callback again) is refused with 401', async () => {
		const { buttons } = await sendQuestion(approval());
		const calls = n8nWaitingWebhooks(approval());
		const request = tap(buttons[1]);
		await trigger(request);
		const replay = await trigger(request);
		expect(replay.response.statusCode).toBe(401);
		expect(replay.result.workflowData).toBeUndefined();
		expect(calls).toHaveLength(1);
	});

	test('a forged token (one character changed) is refused with 401 and n8n is never called', async () => {
		const { buttons } = await sendQuestion(approval());
		const calls = n8nWaitingWebhooks(approval());
		const id = buttons[1].id;
		const forged = { ...buttons[1], id: id.replace('approved=true', 'approved=fals') };
		const { response } = await trigger(tap(forged));
		expect(response.statusCode).toBe(401);
		expect(calls).toHaveLength(0);
	});

	test('a token made with another account’s key is refused', async () => {
		const { buttons } = await sendQuestion(approval());
		const calls = n8nWaitingWebhooks(approval());
		const other = { ...CREDENTIALS, metaWhatsAppCloudApi: { ...CREDENTIAL, phoneNumberId: '999999999999' } };
		const { response } = await runStatusWebhook({ parameters: { provider: 'meta' }, credentials: other, request: tap(buttons[1]), typeVersion: 2 });
		expect(response.statusCode).toBe(401);
		expect(calls).toHaveLength(0);
	});

	test('a tap from another number than the recipient is refused', async () => {
		const { buttons } = await sendQuestion(approval());
		const calls = n8nWaitingWebhooks(approval());
		const { response } = await trigger(tap(buttons[1], { from: '447700900123' }));
		expect(response.statusCode).toBe(401);
		expect(calls).toHaveLength(0);
	});

	test('a signed answer posted to another answer’s URL is refused by the node', async () => {
		const { buttons } = await sendQuestion(approval());
		const key = waitKey(meta, CREDENTIAL);
		const approveUrl = new URL(readWaitToken(key, buttons[1].id).resumeUrl);
		const { signAnswer } = require('../../dist/nodes/shared/waitToken');
		const answer = { token: buttons[0].id, from: RECIPIENT, profileName: null, answeredAt: '2026-01-01T00:00:00.000Z', messageId: 'm', title: 'Decline', provider: 'meta' };
		const { result, response } = await runNotifyWebhook({
			parameters: approval(),
			credentials: CREDENTIALS,
			request: { body: answer, headers: { 'x-whatsapp-notify-signature': signAnswer(key, answer) }, query: Object.fromEntries(approveUrl.searchParams), url: approveUrl.pathname + approveUrl.search },
		});
		expect(result.workflowData).toBeUndefined();
		expect(response.statusCode).toBe(401);
	});

	test('an answer without the trigger’s signature is refused by the node', async () => {
		const { buttons } = await sendQuestion(approval());
		const url = new URL(readWaitToken(waitKey(meta, CREDENTIAL), buttons[1].id).resumeUrl);
		const answer = { token: buttons[1].id, from: RECIPIENT, profileName: null, answeredAt: '2026-01-01T00:00:00.000Z', messageId: 'm', title: 'Approve', provider: 'meta' };
		const { result, response } = await runNotifyWebhook({ parameters: approval(), credentials: CREDENTIALS, request: { body: answer, headers: {}, query: Object.fromEntries(url.searchParams), url: url.pathname + url.search } });
		expect(result.workflowData).toBeUndefined();
		expect(response.statusCode).toBe(401);
	});

	test('a tap on a wait that ended (answered or timed out) is answered 200 and goes to Received', async () => {
		const { buttons } = await sendQuestion(approval());
		const calls = n8nWaitingWebhooks(approval(), { ended: true });
		const { outputs, response } = await trigger(tap(buttons[1]));
		expect(calls).toHaveLength(1);
		expect(response.statusCode).not.toBe(401);
		expect(outputs.received).toEqual([expect.objectContaining({ type: 'button', button: { id: buttons[1].id, title: 'Approve' } })]);
	});
});
