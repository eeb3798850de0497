/**
 * Zoom Out cost (`npm run bench -- engine-edit`, issue 15): a Zoom Out 2× of a 512² image against
 * a plain 512² generation at the same step count, time and peak RSS, each in its own process, on
 * the shared `sd15-topology` model (SD 1.5's UNet and VAE shapes at 512²; an ordinary model, so
 * the zoom runs the legacy blend) and on `tiny-sd15-inpaint` (the 9-channel path, at its native
 * 64²; its milliseconds are mostly fixed per-request costs). The goal is ≤ 1.3× on sd15-topology:
 * the zoom generates only the new border at the source's size and composes, instead of generating
 * the 1024² canvas. Heavy: run it under
 * `flock /tmp/darkroom-heavy.lock`. Prints one JSON object on stdout.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sharedPath } from '../test/support/shared-dir.ts';

const STEPS = Number(process.env['DARKROOM_BENCH_EDIT_STEPS'] ?? 4);
const RUNS = 2;
const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const GIB = 1024 ** 3;

interface ChildFigures {
  mode: string;
  result: string;
  path: string | undefined;
  runMs: number[];
  phaseMs: { textEncodeMs: number; denoiseMs: number; decodeMs: number } | undefined;
  peakRssBytes: number;
}

function runChild(mode: 'generate' | 'zoom', model: string, side: number): Promise<ChildFigures> {
  const script = path.join(projectDir, 'bench', 'support', 'engine-edit.child.ts');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, mode, model, String(side), String(STEPS), '2', String(RUNS)], {
      cwd: projectDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    child.on('close', (code) => {
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1) ?? '') as ChildFigures);
      } catch {
        reject(new Error(`${mode} child exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`));
      }
    });
  });
}

const round = (value: number): number => Number(value.toFixed(2));

async function compare(modelName: string, side: number): Promise<object> {
  const model = sharedPath('fixtures', 'models', modelName);
  if (!model) return { model: modelName, skipped: '../shared not found next to the project (set DARKROOM_SHARED_DIR)' };
  process.stderr.write(`  ${modelName}: plain ${side}² generation, ${STEPS} steps…\n`);
  const plain = await runChild('generate', model, side);
  process.stderr.write(`    ${JSON.stringify(plain)}\n  ${modelName}: Zoom Out 2× of a ${side}² image…\n`);
  const zoom = await runChild('zoom', model, side);
  process.stderr.write(`    ${JSON.stringify(zoom)}\n`);
  // The fastest of the runs after the warm-up: the machine is shared, the slower runs measure the neighbours.
  const plainMs = Math.min(...plain.runMs);
  const zoomMs = Math.min(...zoom.runMs);
  // What a run spends outside text encoding, denoising and decoding (VAE encoding, resizing, composing, PNG): the zoom's own cost.
  const otherMs = (figures: ChildFigures) =>
    figures.phaseMs && Math.round(figures.runMs.at(-1)! - figures.phaseMs.textEncodeMs - figures.phaseMs.denoiseMs - figures.phaseMs.decodeMs);
  return {
    model: modelName,
    steps: STEPS,
    plain: { result: plain.result, runMs: plain.runMs, phaseMs: plain.phaseMs, otherMs: otherMs(plain), peakRssGiB: round(plain.peakRssBytes / GIB) },
    zoomOut2x: { result: zoom.result, path: zoom.path, runMs: zoom.runMs, phaseMs: zoom.phaseMs, otherMs: otherMs(zoom), peakRssGiB: round(zoom.peakRssBytes / GIB) },
    timeRatio: round(zoomMs / plainMs),
    // The zoom's own work (VAE encode, resizing, composing, the larger PNG) beyond a plain run's: steadier than
    // timeRatio on a shared machine, where the same denoising can take twice as long from one run to the next.
    extraMs: (otherMs(zoom) ?? 0) - (otherMs(plain) ?? 0),
    peakRssRatio: round(zoom.peakRssBytes / plain.peakRssBytes),
  };
}

const figures = [await compare('sd15-topology', 512), await compare('tiny-sd15-inpaint', 64)];
process.stdout.write(`${JSON.stringify({ node: process.version, cpus: os.availableParallelism(), goal: 'timeRatio and peakRssRatio ≤ 1.3', engineEdit: figures })}\n`);
