const { applyConfig, deepMerge, parseOverride, splitOverride } = require('../../../dist/nodes/shared/override');

test('deepMerge: objects merge, arrays and scalars replace, null removes, nothing is mutated', () => {
	const base = { a: { b: 1, c: [1, 2] }, d: 'x', e: 'gone' };
	const merged = deepMerge(base, { a: { c: [3], f: true }, d: 'y', e: null });
	expect(merged).toEqual({ a: { b: 1, c: [3], f: true }, d: 'y' });
	expect(base).toEqual({ a: { b: 1, c: [1, 2] }, d: 'x', e: 'gone' });
});

test('deepMerge ignores prototype keys', () => {
	const merged = deepMerge({}, JSON.parse('{"__proto__": {"polluted": true}}'));
	expect({}.polluted).toBeUndefined();
	expect(merged.polluted).toBeUndefined();
});

test('splitOverride separates _config; parseOverride takes strings or objects', () => {
	expect(splitOverride({ Body: 'x', _config: { fromNumber: '+1555' } })).toEqual({ body: { Body: 'x' }, config: { fromNumber: '+1555' } });
	expect(parseOverride('{"a":1}')).toEqual({ a: 1 });
	expect(parseOverride('')).toEqual({});
	expect(() => parseOverride('[1]')).toThrow(/JSON object/);
	expect(() => splitOverride({ _config: 'x' })).toThrow(/"_config" must be an object/);
});

test('applyConfig allows only listed, non-secret settings', () => {
	const rules = { configurableSettings: { fromNumber: /^\+\d+$/ } };
	expect(applyConfig({ fromNumber: '+1', authToken: 't' }, { fromNumber: '+2' }, rules)).toEqual({ fromNumber: '+2', authToken: 't' });
	expect(() => applyConfig({ authToken: 't' }, { authToken: 'x' }, rules)).toThrow(/"_config.authToken" cannot be overridden; allowed: fromNumber/);
});

test('applyConfig: setting one of a group of alternatives drops the credential’s others', () => {
	const rules = { configurableSettings: { fromNumber: /^\+\d+$/, messagingServiceSid: /^MG\d$/ }, exclusiveSettings: [['fromNumber', 'messagingServiceSid']] };
	expect(applyConfig({ fromNumber: '+1', messagingServiceSid: 'MG1' }, { fromNumber: '+2' }, rules)).toEqual({ fromNumber: '+2' });
	expect(applyConfig({ fromNumber: '+1', messagingServiceSid: 'MG1' }, {}, rules)).toEqual({ fromNumber: '+1', messagingServiceSid: 'MG1' });
});
