/**
 * What the Status Trigger keeps between callbacks: its credential, for a few seconds, so a burst
 * of callbacks does not make n8n read, decrypt and resolve it for each one; a changed secret
 * still applies at once.
 */
const { runStatusWebhook } = require('../helpers/engine');
const smooch = require('../fixtures/smooch-callbacks.json');
const { KEEP_MS } = require('../../dist/nodes/WhatsAppStatusTrigger/keptCredentials');

/** A Smooch credential whose webhook secret the test can change, counting how often n8n reads it. */
function changingCredential(webhookSecret) {
	const state = { webhookSecret, reads: 0 };
	const credentials = {
		get smoochApi() {
			state.reads++;
			return { appId: 'a', keyId: 'k', secret: 's', integrationId: 'i', webhookSecret: state.webhookSecret };
		},
	};
	return { state, credentials };
}

const callWith = (credentials, key, keepCredentials = true) => ({
	parameters: { provider: 'smooch' },
	credentials,
	request: { body: smooch.notificationDelivered, headers: { 'X-API-Key': key } },
	keepCredentials,
});

describe('the credential between callbacks', () => {
	let now;
	beforeEach(() => {
		now = 1_800_000_000_000;
		jest.spyOn(Date, 'now').mockImplementation(() => now);
	});
	afterEach(() => jest.restoreAllMocks());

	test('a burst of callbacks reads the credential once; after KEEP_MS it is read again', async () => {
		const { state, credentials } = changingCredential('secret-1');
		const first = await runStatusWebhook(callWith(credentials, 'secret-1', false));
		expect(first.outputs.delivered).toHaveLength(1);
		for (let call = 0; call < 5; call++) {
			now += 500;
			expect((await runStatusWebhook(callWith(credentials, 'secret-1'))).outputs.delivered).toHaveLength(1);
		}
		expect(state.reads).toBe(1);
		now += KEEP_MS;
		await runStatusWebhook(callWith(credentials, 'secret-1'));
		expect(state.reads).toBe(2);
	});

	test('a new secret applies at once, and the replaced one is refused once the new one has been seen', async () => {
		const { state, credentials } = changingCredential('secret-1');
		expect((await runStatusWebhook(callWith(credentials, 'secret-1', false))).outputs.delivered).toHaveLength(1);
		state.webhookSecret = 'secret-2';
		const withNew = await runStatusWebhook(callWith(credentials, 'secret-2'));
		expect(withNew.response.statusCode).toBeUndefined();
		expect(withNew.outputs.delivered).toHaveLength(1);
		expect((await runStatusWebhook(callWith(credentials, 'secret-1'))).response.statusCode).toBe(401);
	});

	test('a forged callback is refused after a fresh read, and the kept credential is not what refuses it', async () => {
		const { state, credentials } = changingCredential('secret-1');
		await runStatusWebhook(callWith(credentials, 'secret-1', false));
		const forged = await runStatusWebhook(callWith(credentials, 'forged'));
		expect(forged.response.statusCode).toBe(401);
		expect(forged.result).toEqual({ noWebhookResponse: true });
		expect(state.reads).toBe(2);
	});

	test('a secret removed from the credential is noticed: callbacks are refused as unverifiable', async () => {
		const { state, credentials } = changingCredential('secret-1');
		await runStatusWebhook(callWith(credentials, 'secret-1', false));
		state.webhookSecret = '';
		const after = await runStatusWebhook(callWith(credentials, 'anything'));
		expect(after.response.statusCode).toBe(401);
		expect(after.response.body).toMatch(/no callback secret/);
	});
});
