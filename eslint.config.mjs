// Lint rules keep the layers honest: electron only in src/main/electron and the
// preload, keytar only in its adapter, better-sqlite3 only in the storage service,
// and the renderer never reaches into main or Node.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const electronOnly = {
  name: 'electron',
  message: 'Only src/main/electron/ and src/preload/ may import electron.',
};
const keytarOnly = {
  name: 'keytar',
  message: 'Only src/main/services/keychain/keychain.keytar.ts may import keytar.',
};
const sqliteOnly = {
  name: 'better-sqlite3',
  message: 'Only src/main/services/storage/ may import better-sqlite3.',
};

/** no-restricted-imports for a set of files, minus the packages they may use. */
function restrict(files, { allow = [], patterns = [] } = {}) {
  const paths = [electronOnly, keytarOnly, sqliteOnly].filter((p) => !allow.includes(p.name));
  return {
    files,
    rules: {
      'no-restricted-imports': ['error', { paths, patterns }],
      '@typescript-eslint/no-restricted-imports': 'off',
    },
  };
}

const nodeBuiltins = ['node:*', 'fs', 'path', 'child_process', 'os', 'crypto', 'http', 'https', 'net'];

export default tseslint.config(
  {
    ignores: ['node_modules/', 'out/', 'dist/', 'test-results/', 'playwright-report/', '.cache/', 'test/services/**/go/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
      eqeqeq: ['error', 'smart'],
    },
  },
  // Default for everything: none of the three privileged packages.
  restrict(['**/*.{ts,tsx,js,mjs}']),
  restrict(['src/main/electron/**', 'src/preload/**'], { allow: ['electron'] }),
  restrict(['src/main/services/keychain/keychain.keytar.ts'], { allow: ['keytar'] }),
  restrict(['src/main/services/storage/**'], { allow: ['better-sqlite3'] }),
  // The shared layer runs everywhere: no Node built-ins, nothing from main.
  restrict(['src/shared/**'], {
    patterns: [
      { group: nodeBuiltins, message: 'src/shared must run in every runtime: no Node built-ins.' },
      { group: ['**/main/**', '**/renderer/**', '**/preload/**'], message: 'src/shared imports nothing from the layers above it.' },
    ],
  }),
  // The renderer is a sandboxed web page: no Node, nothing from main or the preload.
  {
    ...restrict(['src/renderer/**'], {
      patterns: [
        { group: nodeBuiltins, message: 'The renderer is sandboxed: no Node built-ins.' },
        { group: ['**/main/**', '**/preload/index*'], message: 'The renderer talks to main over the typed bridge only.' },
      ],
    }),
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
    },
  },
  // Tests, benches and scripts print to the console by design.
  {
    files: ['test/**', 'bench/**', 'scripts/**', 'bin/**', 'src/main/cli.ts', 'src/main/cli/**'],
    rules: { 'no-console': 'off' },
  },
);
