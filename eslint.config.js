// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * One importer per heavy dependency (see ARCHITECTURE.md): each entry names a package and the
 * only folder allowed to import it.
 */
const owners = [
  { name: 'discord.js', owner: 'src/bots/discord' },
  { name: '@slack/bolt', owner: 'src/bots/slack' },
  { name: 'onnxruntime-node', owner: 'src/generation/onnx' },
  { name: 'onnx-proto', owner: 'src/generation/onnx' },
  { name: 'sharp', owner: 'src/images' },
  { name: '@prisma/client', owner: 'src/db' },
  { name: '@prisma/adapter-pg', owner: 'src/db' },
  { name: 'pglite-prisma-adapter', owner: 'src/db' },
  { name: '@electric-sql/pglite', owner: 'src/db' },
  { name: 'p-queue', owner: 'src/generation/queue' },
  { name: 'bullmq', owner: 'src/generation/cluster' },
  { name: 'ioredis', owner: 'src/generation/cluster' },
  { name: '@huggingface/hub', owner: 'src/generation/models' },
  { name: 'prom-client', owner: 'src/observability' },
  { name: '@aws-sdk/client-s3', owner: 'src/storage' },
  { name: 'pino-pretty', owner: 'src/logging' },
];

/**
 * Folder direction (see ARCHITECTURE.md): what the files of a folder may not import from our own
 * folders. A chat adapter reaches the core through src/commands and the generation rooms' public
 * faces, never the engine's insides or the database; src/images sits below src/generation.
 */
const directions = [
  {
    folder: 'src/bots',
    group: ['**/generation/pipeline/**', '**/generation/onnx/**', '**/generation/schedulers/**', '**/db/**'],
    message: 'A chat adapter (src/bots) may not import the pipeline, onnx, schedulers or db: go through src/commands or the generation rooms.',
  },
  {
    folder: 'src/images',
    group: ['**/generation/**'],
    message: 'src/images sits below src/generation and may not import it (move the shared type into src/images).',
  },
  {
    folder: 'src/generation/requests',
    group: ['../jobs/**', '../moderation/**', '../generation-services.factory.ts', '**/generation/jobs/**', '**/generation/moderation/**'],
    message: 'src/generation/requests sits below jobs/ and moderation/ and may not import them (or the factory that wires them).',
  },
  {
    folder: 'src/generation/moderation',
    group: ['../jobs/**', '../generation-services.factory.ts', '**/generation/jobs/**'],
    message: 'src/generation/moderation may import requests/, not jobs/ (or the factory that wires them).',
  },
];

/** @param {string} folder @param {string} parent */
const within = (folder, parent) => folder === parent || folder.startsWith(`${parent}/`);

/**
 * The `no-restricted-imports` options for the files of `folder` (src for everything else): the
 * heavy packages it does not own and the folders its direction forbids. Flat config replaces a
 * rule's options per file, so each folder's entry carries all of them.
 * @param {string} folder
 */
function restrictedImports(folder) {
  const paths = owners
    .filter((entry) => !within(folder, entry.owner))
    .map((entry) => ({ name: entry.name, message: `Only ${entry.owner}/ may import ${entry.name}.` }));
  const patterns = within(folder, 'src/db')
    ? []
    : [{ group: ['**/db/generated/**'], message: 'Only src/db/ may import the generated Prisma client.' }];
  for (const direction of directions) {
    if (within(folder, direction.folder)) patterns.push({ group: direction.group, message: direction.message });
  }
  return ['error', { paths, patterns }];
}

/** Every folder with its own rule options, parents before children (a later entry wins). */
const ruleFolders = [...new Set([...directions.map((entry) => entry.folder), ...owners.map((entry) => entry.owner)])].sort();

export default tseslint.config(
  { ignores: ['node_modules/**', 'src/db/generated/**', 'data/**', 'models/**', 'coverage/**', 'dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  { files: ['src/**/*.ts'], rules: { 'no-restricted-imports': restrictedImports('src') } },
  ...ruleFolders.map((folder) => ({
    files: [`${folder}/**/*.ts`],
    rules: { 'no-restricted-imports': restrictedImports(folder) },
  })),
  {
    // The composition root wires everything together; tests may touch real parts directly.
    files: ['src/main.ts', 'test/**/*.ts', 'bench/**/*.ts', 'scripts/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
  },
);
