/** Twilio's X-Twilio-Signature, checked against Twilio's own published test vector. */
const { twilio, twilioSignature } = require('../../../dist/nodes/providers/twilio');

const VECTOR = {
	token: '12345',
	url: 'https://mycompany.com/myapp.php?foo=1&bar=2',
	params: { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' },
	signature: 'RSOYDt4T1cUTdK1PDd93/VVr8B8=',
};

test('computes the test vector from the twilio-node suite', () => {
	expect(twilioSignature(VECTOR.token, VECTOR.url, VECTOR.params)).toBe(VECTOR.signature);
});

test('verifies the vector, with or without the default port in the URL', () => {
	const callback = { body: VECTOR.params, headers: { 'X-Twilio-Signature': VECTOR.signature } };
	expect(twilio.verifyCallback({ ...callback, urls: [VECTOR.url] }, { authToken: '12345' })).toBe(true);
	expect(twilio.verifyCallback({ ...callback, urls: ['https://mycompany.com:443/myapp.php?foo=1&bar=2'] }, { authToken: '12345' })).toBe(true);
});

test('rejects another token, another URL, another parameter value', () => {
	const callback = { body: VECTOR.params, headers: { 'x-twilio-signature': VECTOR.signature } };
	expect(twilio.verifyCallback({ ...callback, urls: [VECTOR.url] }, { authToken: '54321' })).toBe(false);
	expect(twilio.verifyCallback({ ...callback, urls: ['https://mycompany.com/myapp.php?foo=1'] }, { authToken: '12345' })).toBe(false);
	expect(
		twilio.verifyCallback({ ...callback, body: { ...VECTOR.params, Digits: '1235' }, urls: [VECTOR.url] }, { authToken: '12345' }),
	).toBe(false);
});

test('a JSON body is signed over the URL alone and pinned by bodySHA256', () => {
	const rawBody = Buffer.from('{"MessageSid":"SM1","MessageStatus":"delivered"}');
	const hash = require('crypto').createHash('sha256').update(rawBody).digest('hex');
	const url = `https://n8n.example.com/webhook/x/status?bodySHA256=${hash}`;
	const signature = twilioSignature('tok', url, {});
	const callback = { body: JSON.parse(rawBody.toString()), rawBody, query: { bodySHA256: hash }, headers: { 'X-Twilio-Signature': signature }, urls: [url] };
	expect(twilio.verifyCallback(callback, { authToken: 'tok' })).toBe(true);
	expect(twilio.verifyCallback({ ...callback, rawBody: Buffer.from('{"MessageSid":"SM2"}') }, { authToken: 'tok' })).toBe(false);
});
