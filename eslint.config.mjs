// n8n's own community-node rules (what `n8n-node lint` enforces), over nodes/, credentials/ and package.json.
import { configs } from '@n8n/eslint-plugin-community-nodes';
import tsParser from '@typescript-eslint/parser';
import * as jsonParser from 'jsonc-eslint-parser';

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', '.tools/**', '.dev/**', 'bench/**', 'sandbox/**', 'scripts/**'] },
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
