/**
 * Issues 12/16 side by side: the engine's old and new CPU session settings on
 * `../shared/fixtures/models/sd15-topology/` (the full SD1.5 UNet topology at 512², narrow
 * channels: attention over 4096 tokens dominates memory and time as in the real model). Every
 * variant runs in its own process (`engine-topology.probe.ts`) so its peak RSS is its own.
 * Heavy: run the benchmark under `flock /tmp/darkroom-heavy.lock` on a shared machine.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { LEGACY_SESSION_TUNING, type SessionTuningOptions } from '../src/generation/onnx/index.ts';
import type { CfgBatching } from '../src/generation/pipeline/unet-runner.ts';
import { sharedPath } from '../test/support/shared-dir.ts';
import type { ProbeSpec } from './engine-topology.probe.ts';

const STEPS = 2;
const SIZE = 512;

interface Variant {
  name: string;
  what: string;
  tuning: Partial<SessionTuningOptions>;
  cfgBatching: CfgBatching;
  /** Variants with the same cache name share a cache folder (the second one starts warm). */
  cache: string;
}

const VARIANTS: readonly Variant[] = [
  { name: 'old', what: 'before issues 12/16: level all, memory pattern on, zero branches kept, CFG batch 2', tuning: LEGACY_SESSION_TUNING, cfgBatching: 'batched', cache: 'old' },
  { name: 'new-cold', what: 'engine defaults, first start: rewrite + optimise + save the optimised graph; CFG auto = batch 1 on CPU', tuning: {}, cfgBatching: 'auto', cache: 'new' },
  { name: 'new-warm', what: 'engine defaults, second start: the saved optimised graph is loaded', tuning: {}, cfgBatching: 'auto', cache: 'new' },
  { name: 'new-batched', what: 'engine defaults (warm) but CFG as one batch-2 call: the sequential-CFG lever alone', tuning: {}, cfgBatching: 'batched', cache: 'new' },
  { name: 'new-all-nocache', what: 'engine defaults with level all, no optimised-graph cache: session creation at all', tuning: { graphOptimization: 'all', cacheOptimizedGraph: false }, cfgBatching: 'auto', cache: 'all' },
  { name: 'new-extended-nocache', what: 'engine defaults, no optimised-graph cache: session creation at extended', tuning: { cacheOptimizedGraph: false }, cfgBatching: 'auto', cache: 'ext' },
  { name: 'new-memory-pattern-on', what: 'as new-extended-nocache but with the memory pattern on: that lever alone', tuning: { cacheOptimizedGraph: false, memoryPattern: true }, cfgBatching: 'auto', cache: 'pattern' },
  { name: 'new-zero-branches-kept', what: 'as new-extended-nocache but without the zero-branch rewrite: that lever alone', tuning: { cacheOptimizedGraph: false, rewriteZeroBranches: false }, cfgBatching: 'auto', cache: 'kept' },
];

function runProbe(spec: ProbeSpec): Promise<Record<string, unknown>> {
  const probe = fileURLToPath(new URL('./engine-topology.probe.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', probe, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as Record<string, unknown>);
      else reject(new Error(`topology probe exited with ${code ?? signal}: ${stdout.slice(-500)}`));
    });
  });
}

/** The side-by-side figures, or `{ skipped }` (said on stderr too) when ../shared is not there. */
export async function measureTopology(): Promise<Record<string, unknown>> {
  const dir = sharedPath('fixtures', 'models', 'sd15-topology');
  if (!dir) {
    const skipped = 'sd15-topology not measured: ../shared (or DARKROOM_SHARED_DIR) not found';
    process.stderr.write(`  ${skipped}\n`);
    return { skipped };
  }
  const root = await mkdtemp(path.join(os.tmpdir(), 'darkroom-bench-topology-'));
  try {
    const variants: Array<Record<string, unknown>> = [];
    for (const variant of VARIANTS) {
      const spec: ProbeSpec = {
        dir,
        cacheDir: path.join(root, variant.cache),
        tuning: variant.tuning,
        cfgBatching: variant.cfgBatching,
        steps: STEPS,
        size: SIZE,
        threads: undefined,
      };
      process.stderr.write(`  sd15-topology ${variant.name}…\n`);
      const figures = await runProbe(spec);
      const rss = figures['rssMb'] as { peak: number };
      const create = figures['sessionCreateMs'] as Record<string, number>;
      const createCpu = figures['sessionCreateCpuMs'] as Record<string, number>;
      process.stderr.write(
        `    peak ${rss.peak} MB, UNet calls ${JSON.stringify(figures['unetCallMs'])} ms (CPU ${JSON.stringify(figures['unetCallCpuMs'])} ms), ` +
          `UNet create ${create['unet']} ms (CPU ${createCpu['unet']} ms)\n`,
      );
      variants.push({ name: variant.name, what: variant.what, cfgBatching: variant.cfgBatching, tuning: variant.tuning, ...figures });
    }
    return {
      model: 'sd15-topology',
      image: `${SIZE}x${SIZE}`,
      steps: STEPS,
      guidance: 7.5,
      scheduler: 'euler',
      notes: [
        'each variant is a fresh process; rssMb.peak = process.resourceUsage().maxRSS (main + ONNX worker thread)',
        'sessionCreateMs = createSession per part, including the zero-branch rewrite and the optimised-graph save or load',
        '*CpuMs = CPU time of the whole process (all threads) over the same span: on a loaded shared machine wall times swing with other work, CPU times far less',
        'stepUnetMs = UNet session runs of a step (2 batch-1 calls with CFG auto on CPU, 1 batch-2 call when batched)',
        'new-cold and new-warm share a cache folder: warm = what every later start costs',
      ],
      loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
      variants,
    };
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
