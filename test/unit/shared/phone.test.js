const { isE164, toE164 } = require('../../../dist/nodes/shared/phone');

test.each(['+919988776655', '+14155552671', '+4915123456789'])('%s is E.164', (phone) => expect(isE164(phone)).toBe(true));
test.each(['(457)-746-846', '919988776655', '+91 99887 76655', '+0123456789', '+1234567', '+1234567890123456', ''])(
	'%p is not E.164',
	(phone) => expect(isE164(phone)).toBe(false),
);
test('callback numbers become E.164', () => {
	expect(toE164('whatsapp:+14155551234')).toBe('+14155551234');
	expect(toE164('919163125987')).toBe('+919163125987');
	expect(toE164(undefined)).toBeNull();
});
