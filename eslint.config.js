// Lint rules: ESLint's and typescript-eslint's recommended sets; formatting is Prettier's job.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'data/', 'node_modules/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        performance: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        AbortSignal: 'readonly',
        AbortController: 'readonly',
        structuredClone: 'readonly',
        URLSearchParams: 'readonly',
        Headers: 'readonly',
      },
    },
    rules: {
      // Tests, benches and the UI read loosely typed JSON answers; src/ keeps the rule (below).
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layering(),
);

/**
 * The layering (README "Layout"), enforced: a folder imports only from the floors below it, and domain/ and signing/
 * import no I/O. Floors, bottom up: domain, signing, lib · store, receiver · config, metrics, tracing · delivery · services ·
 * api · hookd.ts · main.ts, index.ts · cli.
 */
function layering() {
  const IO = [
    'pg',
    'better-sqlite3',
    'undici',
    'fastify',
    'pino',
    'nodemailer',
    'node:fs',
    'node:net',
    'node:http',
    'node:https',
    'node:child_process',
    'node:worker_threads',
    'node:dns',
  ];
  const floors = [
    ['domain', 'signing', 'lib'],
    ['store', 'receiver'],
    ['config', 'metrics', 'tracing'],
    ['delivery'],
    ['services'],
    ['api'],
    ['hookd'],
    ['main', 'index'],
    ['cli'],
  ];
  return floors.flatMap((folders, i) => {
    const above = floors.slice(i + 1).flat();
    return folders.map((folder) => ({
      files: [`src/${folder}/**/*.ts`, `src/${folder}.ts`],
      ignores: ['**/*.test.ts'],
      rules: {
        'no-restricted-imports': [
          'error',
          {
            paths:
              folder === 'domain' || folder === 'signing'
                ? IO.map((name) => ({ name, message: `src/${folder} does no I/O: pass the result in from the shell` }))
                : [],
            patterns: [
              {
                regex: `^(\\.\\./)+(${above.join('|')})(/|\\.js$)`,
                message: `src/${folder} may not import from a floor above it (${above.join(', ')}): move the shared piece down`,
              },
            ],
          },
        ],
        // The CLI prints the API's JSON answers as they come; everywhere else a type is written down.
        '@typescript-eslint/no-explicit-any': folder === 'cli' ? 'off' : 'error',
      },
    }));
  });
}
