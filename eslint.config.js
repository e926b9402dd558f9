import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { console: 'readonly', process: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setImmediate: 'readonly', queueMicrotask: 'readonly', URL: 'readonly', globalThis: 'readonly' } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/no-this-alias': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      'no-restricted-imports': 'off',
    },
  },
  {
    // Layering (DESIGN.md): only the transports in internet/ touch Node's socket and process modules.
    files: ['src/**/*.ts'],
    ignores: ['src/internet/**', 'src/testing/**', 'src/cli/**', 'src/**/*.test.ts', 'src/**/*.test.tsx'],
    rules: {
      'no-restricted-imports': ['error', { paths: ['node:net', 'node:tls', 'node:dgram', 'node:child_process', 'net', 'tls', 'dgram', 'child_process'] }],
    },
  },
  {
    // defer/ runs in a browser: no Node imports at all.
    files: ['src/defer/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/**/test-support/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['node:*'] }] },
  },
  {
    // protocols/ framings run in a browser: no Node imports, no Buffer (FileSender is the one exception).
    files: ['src/protocols/**/*.ts'],
    ignores: ['src/protocols/file-sender.ts', 'src/**/*.test.ts', 'src/protocols/test-support/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*'] }],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'protocols/ runs in browsers: use Uint8Array' }],
    },
  },
  {
    // live/loop/, live/client/ and live/shared/ run in a page: no Node imports, no Buffer.
    files: ['src/live/loop/**/*.ts', 'src/live/client/**/*.ts', 'src/live/shared/**/*.ts'],
    ignores: ['src/**/*.test.ts', 'src/live/**/test-support/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*'] }],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'this part of live/ runs in browsers: use Uint8Array' }],
    },
  },
  {
    // irc/ (but its server and reconnecting factory) runs in a browser: no Node imports, no Buffer.
    files: ['src/irc/**/*.ts'],
    ignores: ['src/irc/server/**', 'src/irc/client-factory.ts', 'src/**/*.test.ts', 'src/irc/test-support/**'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['node:*', '../internet/reactor.js', '../internet/index.js', '../protocols/index.js'] }],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'irc/ runs in browsers: use Uint8Array' }],
    },
  },
);
