#!/usr/bin/env node
// npm `postinstall`: generate the Prisma client into src/db/generated (git-ignored) offline.
//
// `prisma generate` does not use the native schema engine, but Prisma 7's CLI tries to download
// it first unless PRISMA_SCHEMA_ENGINE_BINARY names an existing file. Machines whose only
// network is the npm registry cannot download it, so point the variable at a file that exists
// (this script: not executable, so if the CLI ever did run it, it would fail loudly).
//
// `prisma` is a devDependency. In a production install (`npm ci --omit=dev`) the CLI is absent:
// skip with an explanation, the build stage that ran the full install has generated the client.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const scriptPath = fileURLToPath(import.meta.url);
const projectRoot = path.resolve(path.dirname(scriptPath), '..');
const generatedDir = path.join(projectRoot, 'src', 'db', 'generated');
const require = createRequire(path.join(projectRoot, 'package.json'));

function resolvePrismaCli() {
  try {
    return require.resolve('prisma/build/index.js');
  } catch {
    return undefined;
  }
}

const cli = resolvePrismaCli();
if (cli === undefined) {
  const state = existsSync(path.join(generatedDir, 'client.ts'))
    ? 'the existing client in src/db/generated is kept'
    : 'src/db/generated is MISSING: run a full `npm ci` (with dev dependencies) first, or copy src/db/generated from a build stage that did';
  console.warn(`prisma-generate: skipped, the prisma CLI is not installed (production install without devDependencies); ${state}.`);
  process.exit(0);
}

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || scriptPath,
  // No update check or telemetry round-trip: offline installs must not wait on the network.
  CHECKPOINT_DISABLE: process.env.CHECKPOINT_DISABLE || '1',
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
};
const result = spawnSync(process.execPath, [cli, 'generate', '--schema', path.join('prisma', 'schema.prisma')], {
  cwd: projectRoot,
  env,
  stdio: 'inherit',
});
if (result.error) {
  console.error(`prisma-generate: could not run the prisma CLI: ${result.error.message}`);
  process.exit(1);
}
process.exit(result.status ?? 1);
