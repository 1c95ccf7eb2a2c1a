// Lint rules that guard what tests cannot easily see: floating promises, and workflow code that leaves the
// deterministic sandbox (Node built-ins, HTTP clients, or value imports of non-workflow modules).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

// What ships is src/: production code imports nothing from the folders beside it (the sandbox, the development
// harness, tests, benchmarks, scripts), so the image can be built from src/ alone.
const OUTSIDE_SRC = {
  group: ['**/sandbox/**', '**/dev/**', '**/test/**', '**/bench/**', '**/scripts/**'],
  message: 'Production code (src/) may not import the sandbox, the development harness, tests, benchmarks or scripts: they are not shipped.',
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tools/**', '.data/**', 'coverage/**', 'test/histories/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      // lint-probe.ts: virtual files that test/unit/workflow-lint.test.ts lints to prove the workflow rules fire.
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js', 'scripts/*.mjs', 'src/*/lint-probe.ts'] }, tsconfigRootDir: import.meta.dirname },
      globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/workflows/**', 'src/secrets/sealed-format.ts', 'src/failures/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [OUTSIDE_SRC] }] },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox and is replayed: no I/O, no clocks of its own,
    // no activity implementations. Activities are imported as types only. The sealed-secret format check and the
    // failure vocabulary are held to the same rules: workflows import them (to tell a sealed password from a plain
    // one without any key; to look a failure's meaning up).
    files: ['src/workflows/**/*.ts', 'src/secrets/sealed-format.ts', 'src/failures/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'Workflow code cannot use Node built-ins: do I/O in an activity.' })),
            { name: 'undici', message: 'Workflow code cannot do HTTP: call an activity.' },
            { name: 'pino', message: 'Use `log` from @temporalio/workflow in workflow code.' },
          ],
          patterns: [
            {
              group: ['../activities/*', '../activities', '../vobiz/*', '../vobiz', '../bridge/*', '../codec/*', '../secrets/*', '!../secrets/sealed-format.js', '../config/*', '../logging.js', '@temporalio/worker', '@temporalio/client', '@temporalio/activity'],
              allowTypeImports: true,
              message: 'Workflow code may import only @temporalio/workflow, @temporalio/common, zod, pure modules under src/workflows and src/failures, and src/secrets/sealed-format.ts (types from elsewhere with `import type`).',
            },
            OUTSIDE_SRC,
          ],
        },
      ],
      'no-restricted-globals': ['error', { name: 'process', message: 'No process.env in workflows: pass settings as input.' }, { name: 'setTimeout', message: 'Use sleep() from @temporalio/workflow.' }],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { require: 'readonly', exports: 'writable', module: 'writable' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
