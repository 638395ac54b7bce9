'use strict';

const { metaSignature } = require('../../sandbox/providers/meta');
const { SANDBOX_CREDENTIALS } = require('../../sandbox/server');

const { accessToken, phoneNumberId, businessAccountId, appSecret, verifyToken, apiVersion } = SANDBOX_CREDENTIALS.meta;
const JSON_TYPE = { 'content-type': 'application/json' };

/** The same callback with another wamid on its status. */
function withMessageId(body, id) {
	const [change] = body.entry[0].changes;
	const status = { ...change.value.statuses[0], id };
	return { ...body, entry: [{ ...body.entry[0], changes: [{ ...change, value: { ...change.value, statuses: [status] } }] }] };
}

module.exports = {
	credentialType: 'metaWhatsAppCloudApi',
	credentialData: (sandboxUrl) => ({ accessToken, phoneNumberId, businessAccountId, appSecret, verifyToken, apiVersion, baseUrl: sandboxUrl }),
	triggerUrl: (n8nBase, webhookId) => `${n8nBase}/webhook/${webhookId}/status`,
	countedCallbacks: new Set(['delivered', 'read', 'failed']),
	undeliverableCode: 131026,
	invalidError: '131030',
	sentText: (body) => body.text && body.text.body,
	override: {
		override: { _config: { phoneNumberId: '109876543210' }, text: { preview_url: true }, biz_opaque_callback_data: 'order-A-17' },
		verify: (body, record) =>
			record.path === `/${apiVersion}/109876543210/messages` &&
			body.text.body === 'e2e override via meta' &&
			body.text.preview_url === true &&
			body.biz_opaque_callback_data === 'order-A-17' &&
			body.to === '+15557654321' &&
			!('_config' in body),
		says: 'sent from phone number id 109876543210 (from _config), text.preview_url merged with the body, biz_opaque_callback_data kept',
	},
	forgeries({ original, url, marker }) {
		const raw = JSON.stringify(original('delivered'));
		const id = marker();
		const genuine = JSON.stringify(withMessageId(JSON.parse(raw), id));
		const signed = (signature) => ({ ...JSON_TYPE, 'x-hub-signature-256': signature });
		return {
			forged: [
				['no X-Hub-Signature-256', url, { body: raw, headers: JSON_TYPE }],
				['signed with a wrong App Secret', url, { body: raw, headers: signed(metaSignature('not-the-app-secret', raw)) }],
				['body changed after signing', url, { body: raw.replace('"delivered"', '"read"'), headers: signed(metaSignature(appSecret, raw)) }],
			],
			markerId: id,
			genuine: [url, { body: genuine, headers: signed(metaSignature(appSecret, genuine)) }],
		};
	},
};
