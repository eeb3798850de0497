#!/usr/bin/env node
// Entry point of the `darkroom` command. The sources are TypeScript, run through tsx so
// the command works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/cli/cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
