/**
 * A provider-issued callback secret (Smooch's) is kept sealed in the workflow's static data: it
 * opens with the credential that sealed it, and with nothing else; a changed or tampered seal
 * does not open (the trigger then registers again).
 */
const path = require('path');

const { seal, unseal } = require(path.resolve(__dirname, '../../../dist/nodes/WhatsAppStatusTrigger/sealedSecret'));

describe('sealed callback secret', () => {
	test('opens with the credential secret that sealed it; the sealed text does not contain the secret', () => {
		const sealed = seal('credential-secret', 'issued-by-smooch-8f2d');
		expect(sealed).toMatch(/^v1\.[A-Za-z0-9_-]+$/);
		expect(sealed).not.toContain('issued-by-smooch-8f2d');
		expect(unseal('credential-secret', sealed)).toBe('issued-by-smooch-8f2d');
		// A fresh nonce each time: two seals of one secret differ.
		expect(seal('credential-secret', 'issued-by-smooch-8f2d')).not.toBe(sealed);
	});

	test('another credential secret, a changed byte, or no seal at all: nothing', () => {
		const sealed = seal('credential-secret', 'issued-by-smooch-8f2d');
		expect(unseal('rotated-secret', sealed)).toBeUndefined();
		const bytes = Buffer.from(sealed.slice(3), 'base64url');
		bytes[bytes.length - 1] ^= 1;
		expect(unseal('credential-secret', `v1.${bytes.toString('base64url')}`)).toBeUndefined();
		for (const nothing of [undefined, '', 'issued-by-smooch-8f2d', 'v1.']) expect(unseal('credential-secret', nothing)).toBeUndefined();
		expect(unseal(undefined, sealed)).toBeUndefined();
	});
});
