'use strict';

/** The version matrix of scripts/n8n-runtime (profile.js): which n8n a name means, where it goes, how it runs. */

const path = require('node:path');

const rt = require('../../../scripts/n8n-runtime');

const tools = (folder) => path.join(rt.ROOT, '.tools', folder);

afterEach(() => rt.useN8n(rt.DEFAULT_N8N_VERSION));

describe('resolveN8nVersion', () => {
	test.each([
		['1.123', '1.123.81'],
		['1.123.x', '1.123.81'],
		['1.123.81', '1.123.81'],
		['2.39', '2.39.10'],
		['2.8.4', '2.8.4'],
		[undefined, '2.8.4'],
		['2.41.0', '2.41.0'],
	])('%s means %s', (name, version) => {
		expect(rt.resolveN8nVersion(name)).toBe(version);
	});

	test('a name that is neither a tested version nor x.y.z is refused, naming the tested ones', () => {
		expect(() => rt.resolveN8nVersion('latest')).toThrow('Unknown n8n version "latest": give x.y.z, or one of 2.8.4, 1.123.81, 2.39.10');
	});
});

describe('useN8n', () => {
	test('the pinned version keeps .tools/n8n and the Node running the tests', () => {
		expect(rt.N8N_VERSION).toBe('2.8.4');
		expect(rt.TOOL_DIR).toBe(process.env.N8N_TOOL_DIR ? path.resolve(process.env.N8N_TOOL_DIR) : tools('n8n'));
		expect(rt.n8nProfile).toMatchObject({ node: null, cli: 'publish', ignoreScripts: false, overrides: { xlsx: '0.18.5' } });
		expect(rt.n8nEnv('/tmp/x').N8N_DISABLED_MODULES).toBeUndefined();
	});

	test('1.123.81: its own folder, isolated-vm 5.0.4, activation with update:workflow', () => {
		rt.useN8n('1.123');
		expect(rt.N8N_VERSION).toBe('1.123.81');
		expect(rt.TOOL_DIR).toBe(tools('n8n-1.123.81'));
		expect(rt.n8nProfile).toMatchObject({ node: null, cli: 'update', overrides: { xlsx: '0.18.5', 'isolated-vm': '5.0.4' } });
	});

	test('2.39.10: Node 24 from the registry, scripts only for the native modules, its MCP registry off', () => {
		rt.useN8n('2.39.10');
		expect(rt.TOOL_DIR).toBe(tools('n8n-2.39.10'));
		expect(rt.n8nProfile).toMatchObject({
			node: '24.21.0',
			ignoreScripts: true,
			rebuild: ['sqlite3', 'isolated-vm'],
			overrides: { xlsx: '0.18.5', cssomnom: 'npm:empty-npm-package@1.0.0' },
		});
		expect(rt.n8nEnv('/tmp/x').N8N_DISABLED_MODULES).toBe('mcp-registry');
	});

	test('queue mode: 2.39.10 runs with the legacy expression engine and keeps finished jobs, the others with their defaults', () => {
		const { queueSettings } = require('../../../scripts/n8n-runtime/queue');
		expect(queueSettings()).toEqual({});
		rt.useN8n('1.123.81');
		expect(queueSettings()).toEqual({});
		rt.useN8n('2.39.10');
		expect(queueSettings()).toEqual({ N8N_EXPRESSION_ENGINE: 'legacy', N8N_EXECUTIONS_QUEUE_KEEP_LAST_COMPLETED: '1000', N8N_EXECUTIONS_QUEUE_KEEP_LAST_FAILED: '1000' });
		// Not in the processes' environment outside queue mode.
		expect(rt.n8nEnv('/tmp/x').N8N_EXPRESSION_ENGINE).toBeUndefined();
	});

	test('an untested version gets its own folder and the CLI of its major version', () => {
		expect(rt.useN8n('1.100.0')).toMatchObject({ version: '1.100.0', cli: 'update', toolDir: tools('n8n-1.100.0') });
		expect(rt.useN8n('2.41.0')).toMatchObject({ version: '2.41.0', cli: 'publish', toolDir: tools('n8n-2.41.0') });
	});
});
