/**
 * WhatsApp Notify's sends through n8n-core with each provider's send endpoint intercepted by nock:
 * where each provider's send goes and what it answers, and `sendThrough(provider, parameters)`,
 * which runs one item and returns the body the provider received (parsed) or the node's error.
 */
const nock = require('nock');

const { runNotify } = require('./engine');
const { CREDENTIALS, expectNoSecrets, TWILIO } = require('./credentials');

const CREDENTIAL_TYPE = { twilio: 'twilioWhatsAppApi', smooch: 'smoochApi', gupshup: 'gupshupApi', meta: 'metaWhatsAppCloudApi' };

/** Where each provider's send goes, and how its answer names the message. */
const ENDPOINTS = {
	twilio: { host: 'https://api.twilio.com', path: `/2010-04-01/Accounts/${TWILIO.accountSid}/Messages.json`, reply: [201, { sid: 'SM5ef8732a3c49700934481addd5ce1659', status: 'queued' }] },
	smooch: { host: 'https://api.smooch.io', path: '/v1.1/apps/app123/notifications', reply: [201, { notification: { _id: 'e7e5d9d7-4aef-4f1f-b4e5-7d2c3a4e5f60' } }] },
	gupshup: { host: 'https://api.gupshup.io', path: '/wa/api/v1/msg', reply: [202, { status: 'submitted', messageId: 'ee4a68a0-1203-4c85-8dc3-49d0b3226a35' }] },
	meta: { host: 'https://graph.facebook.com', path: '/v24.0/106540352242922/messages', reply: [200, { messaging_product: 'whatsapp', contacts: [{ input: '+16505551234', wa_id: '16505551234' }], messages: [{ id: 'wamid.HBgLMTY1MDM4Nzk0MzkVAgARGBI3' }] }] },
};

const RECIPIENT = '+16505551234';

/**
 * Sends one item through `provider` (to RECIPIENT) and returns { received: the body the provider
 * got, parsed; items; error; sent: whether the send endpoint was called }.
 */
async function sendThrough(provider, parameters, { path = ENDPOINTS[provider].path, credentials = CREDENTIALS[CREDENTIAL_TYPE[provider]] } = {}) {
	/** @type {any} */
	let received;
	const endpoint = ENDPOINTS[provider];
	const scope = nock(endpoint.host)
		.post(path, (body) => {
			received = body;
			return true;
		})
		.reply(...endpoint.reply);
	const { items, error } = await runNotify({
		parameters: { provider, recipient: RECIPIENT, ...parameters },
		credentials: { [CREDENTIAL_TYPE[provider]]: credentials },
	});
	if (!error) expect(scope.isDone()).toBe(true);
	expectNoSecrets(error ?? items);
	return { received, items, error, sent: scope.isDone() };
}

module.exports = { CREDENTIAL_TYPE, ENDPOINTS, RECIPIENT, sendThrough };
