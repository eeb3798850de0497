#!/usr/bin/env node
// `npm run bench [-- name…]`: runs every bench/*.bench.ts (or only the named ones: `engine` or
// `engine.bench.ts`), each in its own child process, one after another, so one benchmark's JIT
// state, heap and native threads cannot colour the next one's figures.
//
// Protocol: a benchmark writes exactly one JSON object to stdout (its figures) and anything
// human-readable to stderr. This script prints one JSON object per line to stdout,
// `{"bench":"engine",...figures}`, or `{"bench":"engine","error":"…","exitCode":1}` when a
// benchmark fails, and exits non-zero if any failed. stderr passes through.
import { Buffer } from 'node:buffer';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const CHILD_FLAG = '--run-one';

if (process.argv[2] === CHILD_FLAG) {
  // Child: TypeScript through tsx, as bin/darkroom.mjs does.
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(path.resolve(process.argv[3] ?? '')).href);
} else {
  process.exitCode = await runAll(process.argv.slice(2));
}

/** @param {string[]} names */
async function runAll(names) {
  const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'bench');
  const available = readdirSync(benchDir).filter((file) => file.endsWith('.bench.ts')).sort();
  const wanted = names.length === 0 ? available : names.map((name) => (name.endsWith('.bench.ts') ? name : `${name}.bench.ts`));
  const unknown = wanted.filter((file) => !available.includes(file));
  if (unknown.length > 0) {
    process.stderr.write(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}\n`);
    return 2;
  }
  let failed = 0;
  for (const file of wanted) {
    const bench = file.slice(0, -'.bench.ts'.length);
    process.stderr.write(`bench ${bench}: running\n`);
    const { exitCode, stdout } = await runChild(path.join(benchDir, file));
    const figures = lastJsonObject(stdout);
    if (exitCode !== 0 || figures === undefined) {
      failed++;
      const error = exitCode !== 0 ? `exited with code ${exitCode}` : 'printed no JSON object';
      process.stdout.write(`${JSON.stringify({ bench, error, exitCode })}\n`);
    } else {
      process.stdout.write(`${JSON.stringify({ bench, ...figures })}\n`);
    }
  }
  return failed === 0 ? 0 : 1;
}

/** @param {string} file */
function runChild(file) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), CHILD_FLAG, file], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    /** @type {Buffer[]} */
    const chunks = [];
    child.stdout.on('data', (chunk) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ exitCode: code ?? (signal ? 128 : 1), stdout: Buffer.concat(chunks).toString('utf8') }));
  });
}

/** stdout as one JSON object, else its last line that parses as one. @param {string} text */
function lastJsonObject(text) {
  try {
    const whole = JSON.parse(text);
    if (whole && typeof whole === 'object' && !Array.isArray(whole)) return whole;
  } catch {
    // several lines: look for the object line by line
  }
  const lines = text.split('\n').map((line) => line.trim()).filter((line) => line.startsWith('{'));
  for (const line of lines.reverse()) {
    try {
      const value = JSON.parse(line);
      if (value && typeof value === 'object' && !Array.isArray(value)) return value;
    } catch {
      // not JSON: a stray log line
    }
  }
  return undefined;
}
