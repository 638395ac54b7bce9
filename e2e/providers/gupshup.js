'use strict';

const { SANDBOX_CREDENTIALS } = require('../../sandbox/server');

const { apiKey, sourceNumber, appName, appId, webhookToken } = SANDBOX_CREDENTIALS.gupshup;
const JSON_TYPE = { 'content-type': 'application/json' };

module.exports = {
	credentialType: 'gupshupApi',
	credentialData: (sandboxUrl) => ({ apiKey, sourceNumber, appName, appId, baseUrl: sandboxUrl, webhookToken }),
	// Gupshup signs nothing: its callback URL carries the token.
	triggerUrl: (n8nBase, webhookId) => `${n8nBase}/webhook/${webhookId}/status?token=${webhookToken}`,
	countedCallbacks: new Set(['delivered', 'read', 'failed']),
	undeliverableCode: 1002,
	invalidError: 'Invalid Destination',
	sentText: (body) => JSON.parse(body.message || '{}').text,
	override: {
		override: {
			_config: { sourceNumber: '+15550001111' },
			message: { type: 'image', originalUrl: 'https://example.com/a.png', previewUrl: 'https://example.com/a.png' },
		},
		verify: (body) => {
			const message = JSON.parse(body.message);
			return (
				body.source === '15550001111' &&
				message.type === 'image' &&
				message.originalUrl === 'https://example.com/a.png' &&
				message.text === 'e2e override via gupshup' &&
				!('_config' in body)
			);
		},
		says: 'source 15550001111 (from _config), message {type image, originalUrl} merged with the text',
	},
	forgeries({ original, url, marker }) {
		const body = original('delivered');
		const bare = url.replace(/\?.*$/, '');
		const id = marker();
		return {
			forged: [
				['no token', bare, { body: JSON.stringify(body), headers: JSON_TYPE }],
				['wrong ?token=', `${bare}?token=not-the-token`, { body: JSON.stringify(body), headers: JSON_TYPE }],
				['wrong X-Webhook-Token', bare, { body: JSON.stringify(body), headers: { ...JSON_TYPE, 'x-webhook-token': 'nope' } }],
			],
			markerId: id,
			genuine: [url, { body: JSON.stringify({ ...body, payload: { ...body.payload, gsId: id } }), headers: JSON_TYPE }],
		};
	},
};
