/**
 * One upscale in a fresh process, for the engine benchmark's peak-RSS figures: the ⬆️/U path
 * (`DiffusionEngine.upscale` with the hires-fix upscaler: Lanczos 2×, then img2img through the
 * model) from a `source`² image to a 2·`source`² result. Prints one JSON object on stdout:
 * peak RSS of the whole process (main thread + ONNX worker) from `process.resourceUsage()`.
 *
 * Usage: node --import tsx bench/support/upscale-memory.child.ts <model dir> <source side px> <steps>
 */
import { DiffusionEngine } from '../../src/generation/pipeline/diffusion-engine.ts';
import { createUpscaler, DEFAULT_UPSCALER_CONFIG } from '../../src/generation/upscale/index.ts';
import { encodePng } from '../../src/images/index.ts';

const [modelDir, sourceArg, stepsArg] = process.argv.slice(2);
const source = Number(sourceArg);
const steps = Number(stepsArg);
if (!modelDir || !(source > 0) || !(steps > 0)) throw new Error('usage: upscale-memory.child.ts <model dir> <source side px> <steps>');

/** A smooth colour field with detail: what a generated image looks like to the VAE, roughly. */
function sourceImage(side: number): { width: number; height: number; pixels: Uint8Array } {
  const pixels = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const offset = (y * side + x) * 3;
      pixels[offset] = (128 + 100 * Math.sin(x / 23) * Math.cos(y / 31)) | 0;
      pixels[offset + 1] = (128 + 90 * Math.sin((x + y) / 17)) | 0;
      pixels[offset + 2] = ((x * 7) ^ (y * 5)) & 255;
    }
  }
  return { width: side, height: side, pixels };
}

const engine = new DiffusionEngine({
  locations: undefined,
  provider: 'cpu',
  threads: undefined,
  cfgBatching: 'auto',
  cachedPipelines: 1,
  upscaler: createUpscaler({ ...DEFAULT_UPSCALER_CONFIG, modelPath: undefined, provider: 'cpu', threads: undefined }, { logger: undefined, loadOnnx: undefined }),
  logger: undefined,
});
const png = await encodePng(sourceImage(source), 'bench source');
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
let progressSteps = 0;
const result = await engine.upscale(
  png,
  {
    model: modelDir,
    prompt: 'a photo of an old fishing boat in a harbour at dawn',
    negativePrompt: 'blurry',
    seed: 1,
    steps,
    guidance: 7.5,
    scheduler: 'euler',
    width: source,
    height: source,
    count: 1,
    initImage: undefined,
  },
  { signal: undefined, previews: false, onProgress: () => void progressSteps++ },
);
const image = result.images[0];
await engine.close();
process.stdout.write(
  `${JSON.stringify({
    source: `${source}x${source}`,
    result: image ? `${image.width}x${image.height}` : 'none',
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    rssBeforeUpscaleBytes: rssBefore,
    ms: Math.round(performance.now() - started),
    img2imgSteps: progressSteps,
    warnings: result.warnings,
  })}\n`,
);
process.exit(0);
