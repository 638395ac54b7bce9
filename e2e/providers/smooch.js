'use strict';

const { SANDBOX_CREDENTIALS } = require('../../sandbox/server');

const { appId, keyId, secret, integrationId, webhookSecret } = SANDBOX_CREDENTIALS.smooch;
const JSON_TYPE = { 'content-type': 'application/json' };

module.exports = {
	credentialType: 'smoochApi',
	credentialData: (sandboxUrl) => ({ appId, keyId, secret, integrationId, region: 'custom', baseUrl: sandboxUrl, webhookSecret }),
	triggerUrl: (n8nBase, webhookId) => `${n8nBase}/webhook/${webhookId}/status`,
	countedCallbacks: new Set(['notification:delivery:user', 'notification:delivery:failure', 'conversation:read']),
	undeliverableCode: 131026,
	invalidError: 'bad_request',
	sentText: (body) => body.message && body.message.text,
	override: {
		override: {
			_config: { integrationId: 'e2e-other-integration' },
			message: { type: 'image', mediaUrl: 'https://example.com/a.png' },
			metadata: { orderId: 'A-17' },
		},
		verify: (body) =>
			body.destination.integrationId === 'e2e-other-integration' &&
			body.message.type === 'image' &&
			body.message.mediaUrl === 'https://example.com/a.png' &&
			body.message.text === 'e2e override via smooch' &&
			body.metadata.orderId === 'A-17' &&
			!('_config' in body),
		says: 'destination.integrationId e2e-other-integration (from _config), message.type image + mediaUrl merged with the text, metadata kept',
	},
	forgeries({ original, url, marker }) {
		const body = original('notification:delivery:user');
		const id = marker();
		return {
			forged: [
				['no X-API-Key', url, { body: JSON.stringify(body), headers: JSON_TYPE }],
				['wrong X-API-Key', url, { body: JSON.stringify(body), headers: { ...JSON_TYPE, 'x-api-key': 'not-the-webhook-secret' } }],
			],
			markerId: id,
			genuine: [
				url,
				{
					body: JSON.stringify({ ...body, notification: { ...body.notification, _id: id } }),
					headers: { ...JSON_TYPE, 'x-api-key': webhookSecret },
				},
			],
		};
	},
};
