/**
 * Issue 12, TAESD: the model's VAE and TAESD side by side on `../shared/fixtures/models/sd15-topology/`
 * (full SD1.5 UNet topology, narrow channels) with `../shared/fixtures/models/taesd/` (TAESD at its
 * real size), at 512² and 768², LCM-class (4 steps, no CFG: 4 batch-1 UNet calls). Per phase: RSS
 * peak and time of text encode, each UNet step, the decode (and TAESD previews in one variant);
 * wall, sum of ONNX calls, session create times cold (first start: rewrite + optimise + save) and
 * warm. Each variant is a fresh process (`engine-decoders.probe.ts`); the variants share one
 * optimised-graph cache, so only the first of each part is cold.
 * sd15-topology's own VAE is a tiny stand-in (300 kB), so its "full" decode says nothing about a real
 * model's; the `*-sd-vae` variants swap in a full-size SD1.5 VAE decoder with random weights
 * (`support/sd-vae-decoder.ts`, 198 MB) for the comparison that matters.
 * Heavy: run under `flock /tmp/darkroom-heavy.lock`.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedPath } from '../test/support/shared-dir.ts';
import type { DecoderProbeSpec } from './engine-decoders.probe.ts';
import { withSdVaeDecoder } from './support/sd-vae-decoder.ts';

const STEPS = 4;
const GUIDANCE = 1;

interface Variant {
  name: string;
  size: number;
  decoder: 'full' | 'taesd';
  previews: boolean;
  /** sd15-topology with a full-size SD1.5 VAE decoder (random weights) instead of its tiny one. */
  sdVae?: boolean;
}

const VARIANTS: readonly Variant[] = [
  { name: '512-full-cold', size: 512, decoder: 'full', previews: false },
  { name: '512-full-warm', size: 512, decoder: 'full', previews: false },
  { name: '512-taesd', size: 512, decoder: 'taesd', previews: false },
  { name: '512-taesd-previews', size: 512, decoder: 'taesd', previews: true },
  { name: '768-full', size: 768, decoder: 'full', previews: false },
  { name: '768-taesd', size: 768, decoder: 'taesd', previews: false },
  { name: '512-sd-vae', size: 512, decoder: 'full', previews: false, sdVae: true },
  { name: '768-sd-vae', size: 768, decoder: 'full', previews: false, sdVae: true },
];

function runProbe(spec: DecoderProbeSpec): Promise<Record<string, unknown>> {
  const probe = fileURLToPath(new URL('./engine-decoders.probe.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', probe, JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      const line = stdout.trim().split('\n').at(-1) ?? '';
      if (code === 0 && line.startsWith('{')) resolve(JSON.parse(line) as Record<string, unknown>);
      else reject(new Error(`decoder probe exited with ${code ?? signal}: ${stdout.slice(-500)}`));
    });
  });
}

/** The side-by-side figures, or `{ skipped }` (said on stderr too) when ../shared is not there. */
export async function measureDecoders(): Promise<Record<string, unknown>> {
  const dir = sharedPath('fixtures', 'models', 'sd15-topology');
  const taesdDir = sharedPath('fixtures', 'models', 'taesd');
  if (!dir || !taesdDir) {
    const skipped = 'TAESD vs VAE not measured: ../shared (or DARKROOM_SHARED_DIR) not found';
    process.stderr.write(`  ${skipped}\n`);
    return { skipped };
  }
  const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'darkroom-bench-decoders-'));
  try {
    const variants: Array<Record<string, unknown>> = [];
    let sdVaeDir: string | undefined;
    for (const variant of VARIANTS) {
      process.stderr.write(`  sd15-topology ${variant.name}…\n`);
      if (variant.sdVae) sdVaeDir ??= await withSdVaeDecoder(dir, path.join(cacheDir, 'sd15-topology-sd-vae'));
      const figures = await runProbe({ dir: variant.sdVae ? sdVaeDir! : dir, taesdDir, cacheDir, decoder: variant.decoder, previews: variant.previews, steps: STEPS, guidance: GUIDANCE, size: variant.size });
      const ms = figures['ms'] as { generateWall: number; decode: number };
      const rss = figures['rssMb'] as { processPeak: number };
      process.stderr.write(`    wall ${ms.generateWall} ms, decode ${ms.decode} ms, peak ${rss.processPeak} MB\n`);
      variants.push({ name: variant.name, size: `${variant.size}x${variant.size}`, ...figures });
    }
    return {
      model: 'sd15-topology + taesd',
      steps: STEPS,
      guidance: GUIDANCE,
      scheduler: 'euler',
      notes: [
        'LCM-class run: 4 steps without CFG = 4 batch-1 UNet calls; 768² runs the UNet on 64×64 latent tiles and the VAE/TAESD in 512² tiles (large-image.ts)',
        'rssMb.* = highest process RSS sampled every 10 ms on the main thread during that phase\'s ONNX calls (main + worker); processPeak = resourceUsage().maxRSS',
        'sessionCreateMs keyed folder/part; 512-full-cold starts with an empty optimised-graph cache, later variants reuse it (taesd/vae_decoder is cold in 512-taesd)',
        "ms.decode = the final decode's ONNX call(s) (4 tiles at 768²); ms.previews = the sum of the TAESD preview decodes (previewRuns calls; one read at every step, running while the next step runs: the worst case, a chat job reads one every few seconds)",
        "*-full variants decode with sd15-topology's tiny stand-in VAE (300 kB, not a real cost); *-sd-vae variants with a full-size SD1.5 VAE decoder (198 MB, random weights): compare those with *-taesd",
      ],
      loadAverage: os.loadavg().map((value) => Number(value.toFixed(2))),
      variants,
    };
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
}
