import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layer arrows of STYLE.md, enforced: portal → node → carelog / exchange / analytics / national →
// auth → region → fhir / logbook → storage, and the error model (problem) below them all. A package imports only the layers below it, by package
// name (never a relative path into another package's src), and the browser portal only the
// browser-safe entry points.
const BELOW = {
  problem: [],
  storage: [],
  fhir: ['problem', 'storage'],
  logbook: ['problem', 'storage'],
  region: ['problem', 'logbook', 'storage'],
  auth: ['problem', 'fhir', 'logbook', 'region', 'storage'],
  carelog: ['problem', 'auth', 'fhir', 'logbook', 'region', 'storage'],
  exchange: ['problem', 'auth', 'fhir', 'logbook', 'region', 'storage'],
  analytics: ['problem', 'auth', 'fhir', 'logbook', 'region', 'storage'],
  national: ['problem', 'exchange', 'auth', 'fhir', 'logbook', 'region', 'storage'],
  node: [
    'problem',
    'analytics',
    'auth',
    'carelog',
    'exchange',
    'fhir',
    'logbook',
    'national',
    'portal',
    'region',
    'storage',
  ],
};
const BROWSER_SAFE = [
  '@ketenlog/logbook/core',
  '@ketenlog/exchange/vocabulary',
  '@ketenlog/exchange/categories',
  '@ketenlog/fhir/bsn',
  '@ketenlog/carelog/care-protocol',
  '@ketenlog/carelog/care-roles',
  '@ketenlog/auth/diary',
];
const INTO_ANOTHER_PACKAGE = {
  regex: '^(\\.\\./)+(packages/|apps/)?[a-z-]+/src/',
  message: 'Import another package by its name (@ketenlog/…), not by a path into its src.',
};
const only = (allowed, message) => ({
  regex: `^@ketenlog/(?!(${allowed.join('|')})$)`,
  message,
});
const LAYER_MESSAGE = 'A layer imports only the layers below it (STYLE.md: dependencies point one way).';
const layerRule = (allowed) => [
  'error',
  {
    patterns: [
      only(
        allowed.map((name) => `${name}(/[a-z-]+)*`),
        LAYER_MESSAGE,
      ),
      INTO_ANOTHER_PACKAGE,
    ],
  },
];
const boundaries = [
  ...Object.entries(BELOW).map(([name, allowed]) => ({
    files: [`packages/${name}/**/*.ts`],
    rules: { 'no-restricted-imports': layerRule(allowed) },
  })),
  {
    files: ['apps/portal/src/**/*.ts', 'apps/portal/src/**/*.tsx'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            only(
              BROWSER_SAFE.map((entry) => entry.slice('@ketenlog/'.length)),
              "The browser portal imports only the packages' browser-safe entry points.",
            ),
            INTO_ANOTHER_PACKAGE,
          ],
        },
      ],
    },
  },
  {
    files: ['apps/portal/server/**/*.ts'],
    rules: { 'no-restricted-imports': layerRule(['logbook', 'problem', 'region']) },
  },
];

export default tseslint.config(
  { ignores: ['**/node_modules/**', 'data/**', 'dist/**', '**/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // Type-aware rules: a promise nobody awaits is how a 201 went out before its row was committed
    // (issue 18); the project service reads each file's nearest tsconfig.
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  {
    rules: {
      // Randomness only from node:crypto (DEVELOPERS.md, security habits).
      'no-restricted-properties': [
        'error',
        {
          object: 'Math',
          property: 'random',
          message: 'Use node:crypto (randomBytes, randomInt, randomUUID).',
        },
      ],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.test.ts', 'bench/**', 'test/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
  ...boundaries,
);
