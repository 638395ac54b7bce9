/**
 * The credentials the engine tests run the nodes with, one per provider (each kit's
 * testCredential, sandbox/providers/<name>.js), by credential type; their secrets, and the check
 * that no output or error ever shows one.
 */
const { sandboxProviders } = require('../../sandbox/providers');

const KITS = Object.values(sandboxProviders());
const { twilio, smooch, gupshup, meta } = sandboxProviders();

// The providers' own tests name their credential; the every-provider tests use CREDENTIALS.
const TWILIO = twilio.testCredential;
const SMOOCH = smooch.testCredential;
const GUPSHUP = gupshup.testCredential;
const META = meta.testCredential;

const CREDENTIALS = Object.fromEntries(KITS.map((kit) => [kit.credentialType, kit.testCredential]));
const SECRETS = KITS.flatMap((kit) => kit.secretFields.map((field) => kit.testCredential[field]));

/** Looks at everything a user could see: the output items, or an error's message, description and body. */
function expectNoSecrets(value) {
	const visible = [JSON.stringify(value), value?.message, value?.description].join('\n');
	expect(visible.length).toBeGreaterThan(10);
	for (const secret of SECRETS) expect(visible).not.toContain(secret);
	expect(visible).not.toMatch(/Basic [A-Za-z0-9+/=]{10,}/);
}

module.exports = { TWILIO, SMOOCH, GUPSHUP, META, CREDENTIALS, expectNoSecrets };
