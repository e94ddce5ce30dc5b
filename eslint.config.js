// A small rule set: typescript-eslint's recommended rules and a few of the project's own.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeGlobals = { process: 'readonly', console: 'readonly', URL: 'readonly' };

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'src/generated/', 'public/', '.ab/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // Module augmentation (`declare module`) is how libraries ask to be typed, e.g. Apollo Client's error policy.
      '@typescript-eslint/no-namespace': ['error', { allowDeclarations: true }],
      // Parsers and scanners here match control characters on purpose (JSON text, header values).
      'no-control-regex': 'off',
      eqeqeq: ['error', 'smart'],
      // Logs go through pino; only scripts, tests and the bench print.
      'no-console': 'error',
    },
  },
  { files: ['**/*.mjs'], languageOptions: { globals: nodeGlobals } },
  {
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { 'no-console': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },
);
