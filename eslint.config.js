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
    },
  },
  // Which module may import which (layers, browser code without Node, sockets only in internet/) is
  // checked by dependency-cruiser: .dependency-cruiser.mjs, `npm run lint:deps`. Globals stay here.
  {
    // Browser code has no Buffer: defer/, protocols/ (FileSender aside), internet/browser, live/client,
    // live/shared, and irc/ but its reconnecting factory.
    files: ['src/defer/**/*.ts', 'src/protocols/**/*.ts', 'src/internet/browser/**/*.ts', 'src/live/client/**/*.ts', 'src/live/shared/**/*.ts', 'src/irc/**/*.ts'],
    ignores: ['src/protocols/file-sender.ts', 'src/irc/client-factory.ts', 'src/**/*.test.ts', 'src/**/test-support/**'],
    rules: { 'no-restricted-globals': ['error', { name: 'Buffer', message: 'this code runs in browsers: use Uint8Array' }] },
  },
  {
    // Examples are for copying: they import `torsion/...` subpaths and files of their own folder, never the
    // source tree (a rule on how a specifier is written, so here rather than in dependency-cruiser).
    files: ['examples/**/*.ts', 'examples/**/*.tsx'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./', message: 'examples import torsion/... (package subpaths) and files of their own folder, so a user can copy them' }] }],
    },
  },
);
