/**
 * One engine request in a fresh process for `npm run bench -- engine-edit`: either a plain
 * txt2img at `side`² or a Zoom Out ×`factor` of a `side`² image, after a warm-up that loads the
 * model. Runs the request `runs` times and prints one JSON object: each run's time and the
 * process's peak RSS (main thread + ONNX worker, `process.resourceUsage().maxRSS`).
 *
 * Usage: node --import tsx bench/support/engine-edit.child.ts <generate|zoom> <model dir> <side> <steps> <factor> <runs>
 */
import { DiffusionEngine } from '../../src/generation/pipeline/diffusion-engine.ts';

const [mode, modelDir, sideArg, stepsArg, factorArg, runsArg] = process.argv.slice(2);
const side = Number(sideArg);
const steps = Number(stepsArg);
const factor = Number(factorArg);
const runs = Number(runsArg);
if ((mode !== 'generate' && mode !== 'zoom') || !modelDir || !(side > 0) || !(steps > 0) || !(runs > 0)) {
  throw new Error('usage: engine-edit.child.ts <generate|zoom> <model dir> <side> <steps> <factor> <runs>');
}

/** A smooth colour field with detail (what a generated image looks like to the VAE, roughly). */
function sourceImage(size: number): { width: number; height: number; pixels: Uint8Array } {
  const pixels = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const offset = (y * size + x) * 3;
      pixels[offset] = (128 + 100 * Math.sin(x / 23) * Math.cos(y / 31)) | 0;
      pixels[offset + 1] = (128 + 90 * Math.sin((x + y) / 17)) | 0;
      pixels[offset + 2] = ((x * 7) ^ (y * 5)) & 255;
    }
  }
  return { width: size, height: size, pixels };
}

const engine = new DiffusionEngine({ locations: undefined, provider: 'cpu', threads: undefined, cfgBatching: 'auto', cachedPipelines: 1, upscaler: undefined, logger: undefined });
await engine.warmUp(modelDir);
const settings = {
  model: modelDir,
  prompt: 'a photo of an old fishing boat in a harbour at dawn',
  negativePrompt: 'blurry',
  seed: 1,
  steps,
  guidance: 7.5,
  scheduler: 'euler' as const,
  count: 1,
};
const options = { signal: undefined, previews: false, onProgress: undefined };
const runMs: number[] = [];
/** The last run's phases (text encoding, denoising, VAE decoding); the rest of a run is VAE encoding, resizing, composing and PNG. */
let phases: { textEncodeMs: number; denoiseMs: number; decodeMs: number } | undefined;
let result = '';
let path: string | undefined;
for (let run = 0; run < runs; run++) {
  const started = performance.now();
  if (mode === 'generate') {
    const generated = await engine.generate({ ...settings, width: side, height: side, initImage: undefined }, options);
    result = `${generated.images[0]!.width}x${generated.images[0]!.height}`;
    phases = generated.timings;
  } else {
    const edited = await engine.edit({ ...settings, image: sourceImage(side), operation: { kind: 'zoom', factor } }, options);
    result = `${edited.width}x${edited.height}`;
    path = edited.path;
    phases = edited.timings;
  }
  runMs.push(Math.round(performance.now() - started));
}
await engine.close();
const phaseMs = phases && { textEncodeMs: Math.round(phases.textEncodeMs), denoiseMs: Math.round(phases.denoiseMs), decodeMs: Math.round(phases.decodeMs) };
process.stdout.write(`${JSON.stringify({ mode, result, path, runMs, phaseMs, peakRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
process.exit(0);
