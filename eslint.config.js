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

/** @param {string | undefined} allowedOwner */
function restrictedImports(allowedOwner) {
  const paths = owners
    .filter((entry) => entry.owner !== allowedOwner)
    .map((entry) => ({ name: entry.name, message: `Only ${entry.owner}/ may import ${entry.name}.` }));
  const patterns =
    allowedOwner === 'src/db'
      ? []
      : [{ group: ['**/db/generated/**'], message: 'Only src/db/ may import the generated Prisma client.' }];
  return ['error', { paths, patterns }];
}

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
  { files: ['src/**/*.ts'], rules: { 'no-restricted-imports': restrictedImports(undefined) } },
  ...[...new Set(owners.map((entry) => entry.owner))].map((owner) => ({
    files: [`${owner}/**/*.ts`],
    rules: { 'no-restricted-imports': restrictedImports(owner) },
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
