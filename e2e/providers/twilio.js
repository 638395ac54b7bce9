'use strict';

const crypto = require('node:crypto');

const { twilioSignature } = require('../../sandbox/providers/twilio');
const { SANDBOX_CREDENTIALS } = require('../../sandbox/server');

const { accountSid, authToken, fromNumber } = SANDBOX_CREDENTIALS.twilio;
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

module.exports = {
	credentialType: 'twilioWhatsAppApi',
	credentialData: (sandboxUrl) => ({ accountSid, authToken, fromNumber, messagingServiceSid: '', baseUrl: sandboxUrl }),
	triggerUrl: (n8nBase, webhookId) => `${n8nBase}/webhook/${webhookId}/status`,
	countedCallbacks: new Set(['delivered', 'read', 'undelivered', 'failed']),
	undeliverableCode: 63024,
	invalidError: '21211',
	sentText: (body) => body.Body,
	override: {
		override: { _config: { fromNumber: '+15550001111' }, MediaUrl: ['https://example.com/a.png'] },
		verify: (body) =>
			body.From === 'whatsapp:+15550001111' &&
			JSON.stringify([].concat(body.MediaUrl)) === JSON.stringify(['https://example.com/a.png']) &&
			body.Body === 'e2e override via twilio' &&
			!('_config' in body),
		says: 'From whatsapp:+15550001111 (from _config), MediaUrl [https://example.com/a.png], Body kept, no _config field',
	},
	forgeries({ original, url }) {
		const fields = original('delivered');
		const form = new URLSearchParams(fields).toString();
		const tampered = { ...fields, MessageStatus: 'read', SmsStatus: 'read' };
		const id = `SM${crypto.randomBytes(16).toString('hex')}`;
		const genuine = { ...fields, MessageSid: id, SmsSid: id };
		const signed = (signature) => ({ ...FORM, 'x-twilio-signature': signature });
		return {
			forged: [
				['no X-Twilio-Signature', url, { body: form, headers: FORM }],
				['signed with a wrong auth token', url, { body: form, headers: signed(twilioSignature('not-the-auth-token', url, fields)) }],
				[
					'fields changed after signing',
					url,
					{ body: new URLSearchParams(tampered).toString(), headers: signed(twilioSignature(authToken, url, fields)) },
				],
				['signed for another URL', url, { body: form, headers: signed(twilioSignature(authToken, `${url}x`, fields)) }],
			],
			markerId: id,
			genuine: [url, { body: new URLSearchParams(genuine).toString(), headers: signed(twilioSignature(authToken, url, genuine)) }],
		};
	},
	twilioSignature,
};
