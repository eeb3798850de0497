/**
 * CLI start-up benchmark (`npm run bench -- cli`): wall time of whole `darkroom` commands as an
 * operator runs them, on the compiled build (dist/, what `npm ci` builds) and on the TypeScript
 * sources through tsx (`DARKROOM_FROM_SOURCE=1`, what development runs), side by side.
 * Commands: `--help`, `models list`, `doctor --offline` (no chat-token calls), `db status`; each
 * in a fresh temporary data dir (embedded database), run RUNS times, median and max reported.
 * Builds dist/ first when it is missing or older than src/. Prints one JSON object on stdout.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compiledEntry } from '../bin/entry-point.mjs';

const RUNS = 5;
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const COMMANDS: readonly (readonly string[])[] = [['--help'], ['models', 'list'], ['doctor', '--offline'], ['db', 'status']];

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
}

function timeCommand(args: readonly string[], fromSource: boolean, dataDir: string): number {
  const started = process.hrtime.bigint();
  spawnSync(process.execPath, [path.join(root, 'bin', 'darkroom.mjs'), ...args], {
    cwd: dataDir,
    env: {
      ...process.env,
      DARKROOM_FROM_SOURCE: fromSource ? '1' : '0',
      DARKROOM_DATA_DIR: path.join(dataDir, 'data'),
      DARKROOM_MODELS_DIR: path.join(dataDir, 'models'),
      DISCORD_TOKEN: '',
      SLACK_BOT_TOKEN: '',
      DATABASE_URL: '',
    },
    stdio: 'ignore',
  });
  return Number(process.hrtime.bigint() - started) / 1e6;
}

if (compiledEntry(new URL('..', import.meta.url), 'cli/cli.js') === undefined) {
  process.stderr.write('cli bench: building dist/ first (npm run build)…\n');
  spawnSync(process.execPath, [path.join(root, 'scripts', 'build.mjs')], { stdio: ['ignore', 'ignore', 'inherit'] });
}
const compiled = compiledEntry(new URL('..', import.meta.url), 'cli/cli.js') !== undefined;

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'darkroom-cli-bench-'));
const figures: Record<string, { medianMs: number; maxMs: number }> = {};
try {
  for (const mode of compiled ? (['compiled', 'source'] as const) : (['source'] as const)) {
    for (const args of COMMANDS) {
      const times: number[] = [];
      for (let run = 0; run < RUNS; run++) times.push(timeCommand(args, mode === 'source', dataDir));
      const key = `${mode}:${args.join(' ')}`;
      figures[key] = { medianMs: Math.round(median(times)), maxMs: Math.round(Math.max(...times)) };
      process.stderr.write(`${key}: median ${figures[key].medianMs} ms\n`);
    }
  }
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

process.stdout.write(
  `${JSON.stringify({ runs: RUNS, compiledBuildUsed: compiled, loadAverage1m: Number(os.loadavg()[0]?.toFixed(2)), commands: figures })}\n`,
);
