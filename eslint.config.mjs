// Two layers. n8n's own community-node rules (what `n8n-node lint` and n8n's scanner enforce) over
// nodes/, credentials/ and package.json; and the general JavaScript and TypeScript rules over every
// source file, support code (test/ with its e2e/ and attack/ suites, sandbox/, bench/, scripts/) included.
// `npm run lint` runs with --no-inline-config, as n8n's scanner does: no eslint-disable comments.
import js from '@eslint/js';
import { configs } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';
import * as jsonParser from 'jsonc-eslint-parser';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default [
	{ ignores: ['dist/**', 'node_modules/**', '.tools/**', '.dev/**', 'coverage/**'] },
	{
		files: ['**/*.js'],
		languageOptions: { sourceType: 'commonjs', ecmaVersion: 2023, globals: globals.node },
		...js.configs.recommended,
	},
	{
		files: ['**/*.mjs'],
		languageOptions: { sourceType: 'module', ecmaVersion: 2023, globals: globals.node },
		...js.configs.recommended,
	},
	{
		files: ['**/*.js', '**/*.mjs'],
		// `const { secret, ...rest } = …` is how a field is left out; `_name` marks a parameter kept for its position.
		rules: { 'no-unused-vars': ['error', { ignoreRestSiblings: true, argsIgnorePattern: '^_' }] },
	},
	{
		// Its waitForFunction callbacks run in the browser.
		files: ['scripts/screenshots.js'],
		languageOptions: { globals: { ...globals.node, ...globals.browser } },
	},
	{
		// The sandbox page's script runs in the browser, as a module.
		files: ['sandbox/page/**/*.js'],
		languageOptions: { sourceType: 'module', globals: globals.browser },
	},
	{
		files: ['test/**/*.js'],
		languageOptions: { globals: { ...globals.node, ...globals.jest } },
	},
	...tseslint.configs.recommended.map((config) => ({ ...config, files: ['**/*.ts'] })),
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		languageOptions: { parser: tsParser, parserOptions: { sourceType: 'module' } },
		...configs.recommended,
	},
	{
		files: ['package.json'],
		languageOptions: { parser: jsonParser },
		...configs.recommended,
	},
];
