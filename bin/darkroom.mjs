#!/usr/bin/env node
// Entry point of the `darkroom` command. Runs the compiled JavaScript in dist/ (built by
// `npm ci` through `prepare`, or `npm run build`) when it is newer than every source file;
// otherwise, in development or after editing src/, the TypeScript sources through tsx.
import { pathToFileURL } from 'node:url';
import { compiledEntry } from './entry-point.mjs';

const compiled = compiledEntry(new URL('..', import.meta.url), 'cli/cli.js');
let cli;
if (compiled !== undefined) {
  cli = await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import('../src/cli/cli.ts');
}
process.exitCode = await cli.runCli(process.argv.slice(2));
