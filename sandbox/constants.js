'use strict';

/**
 * The fixed credentials and test numbers of the sandbox. They are constants on
 * purpose: an n8n credential pointed at the sandbox keeps working across restarts.
 */

const SANDBOX_CREDENTIALS = Object.freeze({
	twilio: Object.freeze({
		// Starts with AC like a real Account SID (real ones are AC + 32 hex; this one says what it is).
		accountSid: 'AC00000000000000000000000000sandbox',
		authToken: 'sandbox-twilio-auth-token',
		fromNumber: '+14155238886',
	}),
	smooch: Object.freeze({
		appId: 'sandbox-app',
		keyId: 'app_sandbox',
		secret: 'sandbox-smooch-secret',
		integrationId: 'sandbox-whatsapp-integration',
		templateNamespace: 'c8ae5f90_307a_ca4c_b8f6_d1e2a2573574',
		webhookSecret: 'sandbox-smooch-webhook-secret',
	}),
	gupshup: Object.freeze({
		apiKey: 'sandbox-gupshup-api-key',
		appName: 'SandboxApp',
		// The app's id (a UUID), which the subscription API takes; the app name is what sends carry.
		appId: '5a4db0c0-0000-4000-8000-00000000a99e',
		sourceNumber: '+917834811114',
		webhookToken: 'sandbox-gupshup-webhook-token',
	}),
	meta: Object.freeze({
		accessToken: 'sandbox-meta-access-token',
		phoneNumberId: '106540352242922',
		businessAccountId: '102290129340398',
		displayPhoneNumber: '+15550783881',
		appSecret: 'sandbox-meta-app-secret',
		verifyToken: 'sandbox-meta-verify-token',
		apiVersion: 'v24.0',
	}),
});

/** Recipients whose fate is fixed. Any other valid number is delivered, then read. */
const TEST_NUMBERS = Object.freeze({
	/** An example of an ordinary number: accepted, then sent → delivered → read. */
	delivered: '+15551234567',
	/** Accepted, then discarded: the number is not on WhatsApp. */
	undeliverable: '+15550000001',
	/** Accepted, then discarded: free-form text outside the 24-hour window. */
	outsideWindow: '+15550000002',
	/** The send itself is refused with 400. */
	invalid: '+15550000400',
	/** The send is always refused with 429 and Retry-After. */
	rateLimited: '+15550000429',
	/** The send fails with 500: the client cannot know whether it was processed. */
	serverError: '+15550000500',
});

/** What happens to a message for this recipient (E.164). */
function outcomeFor(e164) {
	switch (e164) {
		case TEST_NUMBERS.undeliverable:
			return 'undeliverable';
		case TEST_NUMBERS.outsideWindow:
			return 'outsideWindow';
		case TEST_NUMBERS.invalid:
			return 'invalid';
		case TEST_NUMBERS.rateLimited:
			return 'rateLimited';
		case TEST_NUMBERS.serverError:
			return 'serverError';
		default:
			return 'delivered';
	}
}

module.exports = { SANDBOX_CREDENTIALS, TEST_NUMBERS, outcomeFor };
