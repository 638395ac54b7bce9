/**
 * The credentials the engine tests run WhatsApp Notify with, one per provider, by credential
 * type; their secrets, and the check that no output or error ever shows one.
 */
const TWILIO = { accountSid: 'AC0123456789abcdef0123456789abcdef', authToken: 'twilio-secret-token', fromNumber: '+14155238886' };
const SMOOCH = {
	appId: 'app123',
	keyId: 'app_key_1',
	secret: 'smooch-secret-value',
	integrationId: 'int-whatsapp',
	region: 'us',
	templateNamespace: 'c8ae5f90_307a_ca4c_b8f6_d1e2a2573574',
};
const GUPSHUP = { apiKey: 'gupshup-secret-key', sourceNumber: '+917834811114', appName: 'DemoApp' };
const META = {
	accessToken: 'EAAGm0PX4ZCpsBAMetaSecretToken',
	phoneNumberId: '106540352242922',
	businessAccountId: '102290129340398',
	appSecret: 'meta-app-secret',
	verifyToken: 'meta-verify-token',
	apiVersion: 'v24.0',
	baseUrl: 'https://graph.facebook.com',
};

const CREDENTIALS = { twilioWhatsAppApi: TWILIO, smoochApi: SMOOCH, gupshupApi: GUPSHUP, metaWhatsAppCloudApi: META };
const SECRETS = [TWILIO.authToken, SMOOCH.secret, GUPSHUP.apiKey, META.accessToken, META.appSecret];

/** Looks at everything a user could see: the output items, or an error's message, description and body. */
function expectNoSecrets(value) {
	const visible = [JSON.stringify(value), value?.message, value?.description].join('\n');
	expect(visible.length).toBeGreaterThan(10);
	for (const secret of SECRETS) expect(visible).not.toContain(secret);
	expect(visible).not.toMatch(/Basic [A-Za-z0-9+/=]{10,}/);
}

module.exports = { TWILIO, SMOOCH, GUPSHUP, META, CREDENTIALS, SECRETS, expectNoSecrets };
