/**
 * A secret the provider issues for a registration (Smooch's webhook secret) is kept in the node's
 * static data sealed, never in the clear: static data is part of the workflow's JSON, which anyone
 * who can read the workflow sees (REST, the public API, an export). The key is derived from a
 * secret of the credential, which n8n keeps encrypted; with the credential changed, the seal no
 * longer opens and the trigger registers itself again at the next activation.
 */

import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'crypto';

const PURPOSE = 'whatsapp-status-trigger sealed callback secret';

function keyFrom(credentialSecret: string): Buffer {
	return createHmac('sha256', credentialSecret).update(PURPOSE).digest();
}

/** AES-256-GCM: `v1.` + base64url(iv | tag | ciphertext). */
export function seal(credentialSecret: string, secret: string): string {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', keyFrom(credentialSecret), iv);
	const sealed = Buffer.concat([cipher.update(secret, 'utf-8'), cipher.final()]);
	return `v1.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}`;
}

/** The secret, or undefined when the seal does not open with this credential (changed, or tampered with). */
export function unseal(credentialSecret: string | undefined, sealed: string | undefined): string | undefined {
	if (!credentialSecret || typeof sealed !== 'string' || !sealed.startsWith('v1.')) return undefined;
	try {
		const bytes = Buffer.from(sealed.slice(3), 'base64url');
		const decipher = createDecipheriv('aes-256-gcm', keyFrom(credentialSecret), bytes.subarray(0, 12));
		decipher.setAuthTag(bytes.subarray(12, 28));
		return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]).toString('utf-8');
	} catch {
		return undefined;
	}
}
