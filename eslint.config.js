import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

const ioModules = [
  'fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net', 'tls', 'node:tls', 'http', 'node:http',
  'https', 'node:https', 'http2', 'node:http2', 'dgram', 'node:dgram', 'child_process', 'node:child_process',
  'worker_threads', 'node:worker_threads', 'cluster', 'node:cluster', 'dns', 'node:dns', 'readline', 'node:readline',
  'kafkajs', '@platformatic/kafka', '@elastic/elasticsearch', 'mongodb', 'pino', 'undici', 'prom-client',
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'out/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node }, ecmaVersion: 2024, sourceType: 'module' },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // The functional core: pure functions over plain data. No I/O, no drivers, no env, no clock.
    files: ['services/*/src/core/**/*.ts', 'shared/src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: ioModules.map((name) => ({ name, message: 'core code is pure: do I/O in the shell (run.ts/main.ts)' })), patterns: [{ group: ['**/main.ts', '**/run.ts', '@atlas-audit/shared/kafka', '@atlas-audit/shared/elasticsearch', '@atlas-audit/shared/mongo', '@atlas-audit/shared/logger'], message: 'core code is pure' }] }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'core code reads no environment: pass config in' }, { object: 'Date', property: 'now', message: 'core code has no clock: pass time in' }],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'core code does no I/O' }],
    },
  },
);
