#!/usr/bin/env node
// `npm run build` (also `prepare`, so `npm ci` builds): compiles src/ to dist/ with tsc
// (tsconfig.build.json), copies the plain-JavaScript files tsc does not emit (the ONNX session
// worker), and writes dist/BUILD last. bin/darkroom.mjs runs dist/ only when BUILD is newer
// than every file under src/; otherwise (a half-done build, edited sources) it runs the
// TypeScript sources through tsx, as in development.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, 'BUILD');

const require = createRequire(import.meta.url);
let tscPath;
try {
  tscPath = require.resolve('typescript/bin/tsc');
} catch {
  // A production install without devDependencies: nothing to build with. The Docker image
  // builds in its build stage; elsewhere bin/darkroom.mjs runs the sources through tsx.
  console.log('darkroom build: TypeScript is not installed (devDependencies omitted); skipped.');
  process.exit(0);
}

rmSync(stamp, { force: true });
rmSync(dist, { recursive: true, force: true });
const tsc = spawnSync(process.execPath, [tscPath, '-p', path.join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (tsc.status !== 0) {
  // Not fatal for `npm ci`: without dist/BUILD the command runs the sources through tsx, and
  // type errors are the business of `npm run typecheck` (CI runs it on its own).
  console.error('darkroom build: tsc reported errors (above); dist/ is not used: `darkroom` runs the TypeScript sources through tsx.');
  process.exit(0);
}

/** Copies every non-TypeScript source file tsc leaves behind (e.g. *.mjs workers). */
function copyPlainFiles(fromDir, toDir) {
  for (const entry of readdirSync(fromDir, { withFileTypes: true })) {
    const from = path.join(fromDir, entry.name);
    const to = path.join(toDir, entry.name);
    if (entry.isDirectory()) copyPlainFiles(from, to);
    else if (/\.(mjs|cjs|js|json)$/.test(entry.name)) {
      mkdirSync(toDir, { recursive: true });
      copyFileSync(from, to);
    }
  }
}
copyPlainFiles(path.join(root, 'src'), dist);

if (!existsSync(path.join(dist, 'cli', 'cli.js'))) {
  console.error('darkroom build: dist/cli/cli.js is missing after tsc.');
  process.exit(1);
}
writeFileSync(stamp, `${new Date().toISOString()}\n`);
console.log('darkroom build: dist/ is up to date.');
