/**
 * Which registrations a Send and Wait can count on to end it (Provider.registration.endsWaits),
 * read from each provider's own list: a Status Trigger's marked Smooch webhook with the customers'
 * messages trigger, a marked Gupshup subscription in MESSAGE mode, Meta's number override to a
 * Status Trigger's URL; never a Twilio Event Streams sink (its inbound event has no button id).
 */
const { PROVIDERS } = require('../../../dist/nodes/providers');

const ends = (provider, ...bodies) => {
	const { registration } = PROVIDERS[provider];
	return registration.readLookup(bodies).callbacks.map((listed) => registration.endsWaits(listed));
};

test('Smooch: only a marked webhook with message:appUser', () => {
	const webhooks = [
		{ _id: 'w1', target: 'https://n8n.example.com/webhook/a/status?n8n-trigger=0123456789abcdef', triggers: ['notification:delivery:user', 'message:appUser'] },
		{ _id: 'w2', target: 'https://n8n.example.com/webhook/b/status?n8n-trigger=0123456789abcdef', triggers: ['notification:delivery:user'] },
		{ _id: 'w3', target: 'https://bot.example.com/smooch', triggers: ['message:appUser'] },
	];
	const marked = PROVIDERS.smooch.registration.readLookup([{ webhooks }]).callbacks.map((listed) => listed.mark !== null);
	expect(marked).toEqual([true, true, false]);
	expect(ends('smooch', { webhooks })).toEqual([true, false, false]);
});

test('Gupshup: only a marked subscription in MESSAGE mode (modes as a list or as text)', () => {
	const subscriptions = [
		{ id: 's1', url: 'https://n8n.example.com/webhook/a/status', tag: 'n8n-trigger-0123456789abcdef', modes: ['DELIVERED', 'MESSAGE'] },
		{ id: 's2', url: 'https://n8n.example.com/webhook/b/status', tag: 'n8n-trigger-0123456789abcdef', mode: 'SENT,DELIVERED,READ' },
		{ id: 's3', url: 'https://n8n.example.com/webhook/c/status', tag: 'n8n-trigger-0123456789abcdef', mode: 'READ, message' },
		{ id: 's4', url: 'https://bot.example.com/gupshup', tag: 'chatbot', modes: ['MESSAGE'] },
	];
	expect(ends('gupshup', { subscriptions })).toEqual([true, false, true, false]);
});

test('Meta: the number override to a Status Trigger’s URL; none when the app’s URL has the messages', () => {
	expect(ends('meta', { webhook_configuration: { phone_number: 'https://n8n.example.com/webhook/a/status', application: 'https://x.example.com' } })).toEqual([true]);
	expect(ends('meta', { webhook_configuration: { phone_number: 'https://bot.example.com/meta' } })).toEqual([false]);
	expect(ends('meta', { webhook_configuration: { application: 'https://n8n.example.com/webhook/a/status' } })).toEqual([]);
});

test('Twilio: no registration ends a wait', () => {
	expect(PROVIDERS.twilio.registration.endsWaits({ ids: {}, url: 'https://n8n.example.com/webhook/a/status', mark: '0123456789abcdef' })).toBe(false);
});
