// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import boundaries from 'eslint-plugin-boundaries';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

/**
 * The folder boundaries of ARCHITECTURE.md §3, enforced by lint (not by habit).
 * `domain/` imports nothing else of the project and no I/O; `renderer/` never reaches Node, Electron or the
 * other processes; `electron/core` never imports `electron`; `card-sim/` shares no code with `card/`.
 * Production code reaches no test code: only the core's demo module (`electron/core/demo/`, plugged in by the
 * composition root `electron/core/index.ts`) and the backend's demo and test folders may import `card-sim/`.
 * Elements match in order: the first pattern that fits a file gives its type.
 */
const elements = [
  { type: 'domain', pattern: 'domain/**', partialMatch: false },
  { type: 'backend-demo', pattern: 'backend/{demo,test}/**', partialMatch: false },
  { type: 'backend', pattern: 'backend/**', partialMatch: false },
  { type: 'electron-main', pattern: 'electron/main/**', partialMatch: false },
  { type: 'electron-preload', pattern: 'electron/preload/**', partialMatch: false },
  { type: 'electron-core-demo', pattern: 'electron/core/demo/**', partialMatch: false },
  { type: 'electron-core', pattern: 'electron/core/**', partialMatch: false },
  { type: 'web-host', pattern: 'electron/web-host/**', partialMatch: false },
  { type: 'card', pattern: 'card/**', partialMatch: false },
  { type: 'card-sim', pattern: 'card-sim/**', partialMatch: false },
  { type: 'renderer', pattern: 'renderer/**', partialMatch: false },
  { type: 'tooling', pattern: '{e2e,bench,scripts,faults,sim}/**', partialMatch: false },
];

/** Which project folders each folder may import. */
const allowed = {
  domain: ['domain'],
  backend: ['backend', 'backend-demo', 'domain'],
  'backend-demo': ['backend-demo', 'backend', 'card-sim', 'domain'],
  'electron-main': ['electron-main', 'electron-core', 'domain'],
  'electron-preload': ['electron-preload', 'domain'],
  'electron-core': ['electron-core', 'card', 'backend', 'domain'],
  'electron-core-demo': [
    'electron-core-demo',
    'electron-core',
    'backend',
    'backend-demo',
    'card-sim',
    'domain',
  ],
  'web-host': ['web-host', 'electron-core', 'domain'],
  card: ['card', 'domain'],
  'card-sim': ['card-sim', 'domain'],
  renderer: ['renderer', 'domain'],
  tooling: [
    'tooling',
    'domain',
    'backend',
    'backend-demo',
    'electron-core',
    'electron-core-demo',
    'web-host',
    'card',
    'card-sim',
    'renderer',
  ],
};

const localPolicies = Object.entries(allowed).map(([from, to]) => ({
  from: { element: { type: from } },
  allow: { to: { element: { types: { anyOf: to } } } },
}));

const noNode = { to: { module: { origin: 'core' } } };
const noElectron = { to: { module: { origin: 'external', source: 'electron' } } };
const noIoPackages = {
  to: {
    module: {
      origin: 'external',
      source: [
        'electron',
        'fastify',
        'pg',
        'kysely',
        '@electric-sql/*',
        'smartcard',
        'ws',
        'nodemailer',
        'pino',
        'conf',
        '@napi-rs/*',
        '@node-rs/*',
        'pdfkit',
        'openid-client',
        'oidc-provider',
        'smtp-server',
      ],
    },
  },
};

export default tseslint.config(
  {
    ignores: [
      'dist/**',
      'node_modules/**',
      'test-results/**',
      'playwright-report/**',
      'artifacts/**',
      '**/*.cjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'off',
    },
  },
  {
    files: ['{domain,backend,electron,card,card-sim,renderer,e2e,bench,scripts,sim}/**/*.{ts,tsx}'],
    plugins: { boundaries },
    settings: {
      'boundaries/elements': elements,
      // Tests may reach across folders (e.g. backend tests use card-sim's test PKI); shipped code may not.
      'boundaries/files': [
        { category: 'test', pattern: '**/*.{test,fixture}.{ts,tsx}' },
        { category: 'composition-root', pattern: 'electron/core/index.ts' },
      ],
      'boundaries/include': ['{domain,backend,electron,card,card-sim,renderer,e2e,bench,scripts,sim}/**/*'],
      'import/resolver': { node: { extensions: ['.ts', '.tsx', '.js'] } },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'allow',
          checkAllOrigins: true,
          checkUnknownLocals: true,
          policies: [
            // Local imports: only those listed in `allowed`.
            {
              from: { element: { types: { anyOf: Object.keys(allowed) } } },
              disallow: { to: { module: { origin: 'local' } } },
            },
            ...localPolicies,
            // The core's composition root alone plugs in its demo module.
            {
              from: { file: { categories: 'composition-root' } },
              allow: { to: { element: { type: 'electron-core-demo' } } },
            },
            // domain/: pure TypeScript, no Node, no I/O packages.
            { from: { element: { type: 'domain' } }, disallow: noNode },
            { from: { element: { type: 'domain' } }, disallow: noIoPackages },
            // renderer/: no Node modules, no Electron, no I/O packages.
            { from: { element: { type: 'renderer' } }, disallow: noNode },
            { from: { element: { type: 'renderer' } }, disallow: noIoPackages },
            // electron/core never imports electron (it runs in browser mode too).
            { from: { element: { type: 'electron-core' } }, disallow: noElectron },
            // the web host is browser mode: no electron either.
            { from: { element: { type: 'web-host' } }, disallow: noElectron },
            // Tests may import any project folder to wire real parts together (never electron in core tests).
            { from: { file: { categories: 'test' } }, allow: { to: { module: { origin: 'local' } } } },
          ],
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    languageOptions: { globals: { ...globals.browser } },
    rules: { ...reactHooks.configs.recommended.rules },
  },
);
