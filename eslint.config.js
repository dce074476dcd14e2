// Lint, including the layer rules of DESIGN.md: src/shared is pure (no Node,
// DOM or Electron), src/main/services never imports 'electron', the renderer
// never reaches into Node or the main process.
import { readdirSync } from 'node:fs';
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Anchored, so a module named like a builtin (features/inspector vs Node's `inspector`) is not caught.
const nodeBuiltins = builtinModules.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('|');
const nodeImports = { regex: `^(node:.*|(${nodeBuiltins})(/.*)?)$`, message: 'This layer must not use Node.' };
const electronImports = {
  group: ['electron', 'electron/*'],
  message: 'Only src/main/electron and src/preload may import Electron.',
};

// The renderer's tiers (see src/renderer/workbench/README.md): features on top of the
// workbench tier, which is on top of state, engine and api. A feature reaches another
// only through the workbench's intents, parts and tab kinds; only the shell (and
// main.tsx) knows every feature. `common` holds UI pieces any feature may use.
const rendererImports = [
  nodeImports,
  electronImports,
  {
    group: ['**/main/**', '**/preload/**'],
    message: 'The renderer talks to the Node side only through the API client.',
  },
];
const features = readdirSync(new URL('./src/renderer/features', import.meta.url), { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && entry.name !== 'common')
  .map((entry) => entry.name);
const escape = (name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
const shellAbove = {
  regex: '^(\\.\\./)+(shell|App|main)(/|$)',
  message: 'Features sit below the shell: the shell composes them, not the other way round.',
};
/** A folder of features/ that must not import any of `forbidden` (other features) nor the shell. */
const featureBlock = (folder, forbidden, message) => ({
  files: [`src/renderer/features/${folder}/**`],
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...rendererImports,
          { regex: `^(\\.\\./)+(features/)?(${forbidden.map(escape).join('|')})(/|$)`, message },
          shellAbove,
        ],
      },
    ],
  },
});
const featureBlocks = [
  ...features.map((feature) =>
    featureBlock(
      feature,
      features.filter((other) => other !== feature),
      'A feature never imports another: ask through src/renderer/workbench (an intent, a part, a tab kind).',
    ),
  ),
  // `common` sits under every feature: its pieces import none of them.
  featureBlock('common', features, 'features/common is shared by every feature, so it imports none of them.'),
];
/** A tier below the features: never a feature or the shell, nor any of `above`. */
const belowFeatures = (files, above, message) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          ...rendererImports,
          { regex: `^(\\.\\./)+(${['features', 'shell', ...above].join('|')})(/|$)`, message },
        ],
      },
    ],
  },
});
const workbenchTier = belowFeatures(
  ['src/renderer/workbench/**'],
  [],
  'The workbench tier sits below the features: it never imports a feature or the shell.',
);
// The workbench tier sits on top of these: they never reach up to it.
const baseTiers = belowFeatures(
  ['src/renderer/state/**', 'src/renderer/engine/**', 'src/renderer/api/**'],
  ['workbench'],
  'state, engine and api sit below the workbench tier: they never import it, a feature or the shell.',
);

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'coverage/**', '.cache/**', '.scratch*/**', '**/*.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error'] }],
    },
  },
  {
    files: ['scripts/**/*.mjs', 'tests/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
  {
    files: ['src/shared/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            nodeImports,
            electronImports,
            {
              group: ['react', 'react-dom', 'react/*', 'monaco-editor', 'echarts', '@duckdb/*', 'pg', '@aws-sdk/*'],
              message: 'src/shared is pure TypeScript.',
            },
            {
              group: ['**/main/**', '**/renderer/**', '**/preload/**'],
              message: 'src/shared imports nothing above it.',
            },
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        ...['window', 'document', 'navigator', 'localStorage', 'process', 'Buffer', 'require', '__dirname'].map(
          (name) => ({
            name,
            message: 'src/shared runs everywhere: no DOM or Node globals.',
          }),
        ),
      ],
    },
  },
  {
    files: ['src/main/services/**', 'src/main/web/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            electronImports,
            { group: ['**/renderer/**', '**/preload/**', '**/electron/**'], message: 'Services run under plain Node.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/renderer/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: rendererImports }] },
  },
  workbenchTier,
  baseTiers,
  ...featureBlocks,
  {
    files: ['src/preload/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            nodeImports,
            { group: ['**/main/**', '**/renderer/**'], message: 'The preload exposes the bridge and nothing else.' },
          ],
        },
      ],
    },
  },
);
