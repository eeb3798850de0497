/**
 * TAESD (diffusers `AutoencoderTiny`) as previewer and final decoder, on real ONNX sessions:
 * `../shared/fixtures/models/taesd` (the real SD1.x TAESD architecture, random weights) with
 * `tiny-sd15`. diffusers decodes with `decoder(latents / scaling_factor)` and its config says 1.0,
 * so TAESD must get the raw UNet-space latents (not ÷0.18215 as the SD VAE does), and its [-1, 1]
 * output is post-processed like the SD VAE's: `round(clip(x/2 + 0.5, 0, 1)·255)`.
 */
import { mkdtemp, mkdir, rm, writeFile, copyFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import pino from 'pino';
import type { StepProgress } from '../../../src/generation/engine.types.ts';
import { inspectTaesdFolder, type TaesdFolder } from '../../../src/generation/models/taesd-folder.ts';
import type { ModelSession, TensorInput } from '../../../src/generation/onnx/index.ts';
import { DiffusionEngine } from '../../../src/generation/pipeline/diffusion-engine.ts';
import { latentPreview } from '../../../src/generation/pipeline/latent-preview.ts';
import type { ModelPart } from '../../../src/generation/pipeline/pipeline-loader.ts';
import { StableDiffusionPipeline } from '../../../src/generation/pipeline/stable-diffusion.pipeline.ts';
import { readPngParameters } from '../../../src/images/index.ts';
import { sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { maxAbsDiff, noOptions, request } from './support/pipeline-harness.ts';

const taesdDir = sharedPath('fixtures', 'models', 'taesd');
const tinySd15 = sharedPath('fixtures', 'models', 'tiny-sd15');
const SD_SCALING = 0.18215;

/** One decoder run as the pipeline made it: what went in and what came out. */
interface DecoderRun {
  input: Float32Array;
  dims: readonly number[];
  output: Float32Array;
}

/** Records every run of the two decoders (our own ModelSession interface). */
function decoderSpy(): { runs: Record<'taesd_decoder' | 'vae_decoder', DecoderRun[]>; hook: (part: ModelPart, session: ModelSession) => ModelSession } {
  const runs: Record<'taesd_decoder' | 'vae_decoder', DecoderRun[]> = { taesd_decoder: [], vae_decoder: [] };
  const hook = (part: ModelPart, session: ModelSession): ModelSession => {
    if (part !== 'taesd_decoder' && part !== 'vae_decoder') return session;
    return {
      path: session.path,
      provider: session.provider,
      inputs: session.inputs,
      outputs: session.outputs,
      hasInput: (name) => session.hasInput(name),
      async run(feeds: Record<string, TensorInput>, outputNames?: readonly string[]) {
        const feed = feeds['latent_sample']!;
        const outputs = await session.run(feeds, outputNames);
        const sample = outputs['sample'] ?? Object.values(outputs)[0]!;
        runs[part].push({ input: Float32Array.from(feed.data as Float32Array), dims: [...feed.dims], output: Float32Array.from(sample.data) });
        return outputs;
      },
      release: () => session.release(),
    };
  };
  return { runs, hook };
}

/** diffusers' post-processing of a decoder's [-1, 1] output (`VaeImageProcessor.postprocess` + `numpy_to_pil`), written out here. */
function referenceImage(sample: Float32Array, width: number, height: number): { width: number; height: number; pixels: Uint8Array } {
  const plane = width * height;
  const pixels = new Uint8Array(plane * 3);
  for (let channel = 0; channel < 3; channel++) {
    for (let pixel = 0; pixel < plane; pixel++) {
      const unit = Math.min(1, Math.max(0, sample[channel * plane + pixel]! / 2 + 0.5));
      pixels[pixel * 3 + channel] = Math.round(unit * 255);
    }
  }
  return { width, height, pixels };
}

async function loadWith(folder: TaesdFolder | undefined, final: 'full' | 'taesd', preview: 'latent' | 'taesd', hook?: (part: ModelPart, session: ModelSession) => ModelSession) {
  return StableDiffusionPipeline.load(tinySd15!, {
    provider: 'cpu',
    threads: 1,
    logger: undefined,
    cfgBatching: 'auto',
    catalogFamily: undefined,
    sessionHook: hook,
    decoders: { final, preview, taesd: folder },
  });
}

describe.skipIf(!taesdDir || !tinySd15)('TAESD previews and decode' + sharedSkipReason, { timeout: 180_000 }, () => {
  let folder: TaesdFolder;
  let scratch = '';
  beforeAll(async () => {
    const inspected = await inspectTaesdFolder(taesdDir!);
    if (!inspected.ok) throw new Error(inspected.message);
    folder = inspected;
    scratch = await mkdtemp(path.join(os.tmpdir(), 'darkroom-taesd-'));
  });
  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('tells a TAESD folder (AutoencoderTiny, scaling 1.0) from SD VAE folders', async () => {
    expect(folder).toMatchObject({ ok: true, name: 'taesd', scalingFactor: 1 });
    expect(folder.encoder).toBe(path.join(taesdDir!, 'vae_encoder', 'model.onnx'));
    // An Optimum SD folder: vae_decoder/ with an AutoencoderKL config.
    const optimum = await inspectTaesdFolder(sharedPath('fixtures', 'models', 'tiny-sd15-optimum')!);
    expect(optimum.ok).toBe(false);
    expect(!optimum.ok && optimum.message).toMatch(/AutoencoderKL, not a TAESD \(AutoencoderTiny\)/);
    // A legacy SD folder: the same vae_decoder/model.onnx name, no config at all.
    const legacy = await inspectTaesdFolder(tinySd15!);
    expect(!legacy.ok && legacy.message).toMatch(/no config\.json/);
    const missing = await inspectTaesdFolder(path.join(scratch, 'nothing-here'));
    expect(!missing.ok && missing.message).toMatch(/has no vae_decoder\/model\.onnx/);
  });

  it('decodes the raw UNet latents (scaling 1.0, not ÷0.18215) and post-processes like diffusers', async () => {
    const taesdSpy = decoderSpy();
    const fullSpy = decoderSpy();
    const taesd = await loadWith(folder, 'taesd', 'latent', taesdSpy.hook);
    const full = await loadWith(undefined, 'full', 'latent', fullSpy.hook);
    try {
      const wanted = request({ seeds: [7], width: 128, height: 64, steps: 3 });
      const fast = await taesd.generate(wanted, noOptions);
      const slow = await full.generate(wanted, noOptions);
      // TAESD made the final image; the model's VAE was not even opened.
      expect(taesdSpy.runs.vae_decoder).toHaveLength(0);
      expect(taesdSpy.runs.taesd_decoder).toHaveLength(1);
      expect(fast.vae).toBe('taesd');
      expect(slow.vae).toBeUndefined();
      const fed = taesdSpy.runs.taesd_decoder[0]!;
      const fedFull = fullSpy.runs.vae_decoder[0]!;
      expect(fed.dims).toEqual([1, 4, 8, 16]);
      // Same seed, same latents: the SD VAE got latents / 0.18215, TAESD the latents themselves.
      let worst = 0;
      for (let index = 0; index < fed.input.length; index++) {
        worst = Math.max(worst, Math.abs(fed.input[index]! - fedFull.input[index]! * SD_SCALING));
      }
      expect(worst).toBeLessThan(1e-5);
      // Output [-1, 1], not clamped by the graph; the image is round(clip(x/2+0.5)·255), one TAESD pixel per image pixel.
      expect(fast.images[0]!.image).toMatchObject({ width: 128, height: 64 });
      expect(maxAbsDiff(fast.images[0]!.image, referenceImage(fed.output, 128, 64))).toBeLessThanOrEqual(1);
      expect(maxAbsDiff(fast.images[0]!.image, slow.images[0]!.image)).toBeGreaterThan(0);
    } finally {
      await taesd.release();
      await full.release();
    }
  });

  it('TAESD previews are TAESD(latents) of the step, full size, read only when asked for', async () => {
    const spy = decoderSpy();
    const pipeline = await loadWith(folder, 'full', 'taesd', spy.hook);
    try {
      const seen: StepProgress[] = [];
      const result = await pipeline.generate(request({ seeds: [3], steps: 3 }), { signal: undefined, previews: true, onProgress: (progress) => void seen.push(progress) });
      expect(result.vae).toBeUndefined();
      expect(pipeline.decoders).toMatchObject({ final: 'full', preview: 'taesd', taesd: 'taesd' });
      // Nobody read a preview yet: TAESD never ran.
      expect(spy.runs.taesd_decoder).toHaveLength(0);
      expect(seen).toHaveLength(3);
      const second = seen[1]!;
      const image = await second.previewImage!();
      expect(spy.runs.taesd_decoder).toHaveLength(1);
      expect(await second.previewImage!()).toBe(image); // decoded once
      const run = spy.runs.taesd_decoder[0]!;
      // The latents TAESD got are the very ones the latent-RGB preview maps: fed unchanged (scaling 1.0).
      expect(latentPreview(run.input, 0, 8, 8, 'sd')).toEqual(second.preview);
      expect(image).toEqual(referenceImage(run.output, 64, 64));
      expect(image!.width).toBe(64);
      expect(second.preview!.width).toBe(8);
      // One TAESD preview at a time: asked for together, the later one is the latent-RGB preview.
      const [first, third] = await Promise.all([seen[0]!.previewImage!(), seen[2]!.previewImage!()]);
      expect(first!.width).toBe(64);
      expect(third).toBe(seen[2]!.preview);
      expect(spy.runs.taesd_decoder).toHaveLength(2);
    } finally {
      await pipeline.release();
    }
  });

  it('the engine writes VAE: taesd into the PNG, and falls back to the model VAE (said in the log) when TAESD is missing', async () => {
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const common = { locations: undefined, provider: 'cpu' as const, threads: 1, cfgBatching: 'auto' as const, cachedPipelines: 1, upscaler: undefined };
    const withTaesd = new DiffusionEngine({ ...common, logger: undefined, decoder: 'taesd', taesd: { sd: { dir: taesdDir!, installHint: undefined } } });
    const missing = new DiffusionEngine({
      ...common,
      logger,
      decoder: 'taesd',
      previewDecoder: 'taesd',
      taesd: { sd: { dir: path.join(scratch, 'taesd'), installHint: 'darkroom models pull taesd' } },
    });
    try {
      const job = { model: tinySd15!, prompt: 'a lighthouse', negativePrompt: undefined, seed: 11, steps: 2, guidance: 7, scheduler: 'euler' as const, width: 64, height: 64, count: 1, initImage: undefined };
      const options = { signal: undefined, onProgress: undefined, previews: false };
      const fast = await withTaesd.generate(job, options);
      expect(await readPngParameters(fast.images[0]!.png)).toMatch(/, VAE: taesd(,|$)/m);
      const fallback = await missing.generate(job, options);
      expect(fallback.images[0]).toMatchObject({ width: 64, height: 64 });
      expect(await readPngParameters(fallback.images[0]!.png)).not.toMatch(/VAE:/);
      const said = lines.map((line) => String(line['msg'])).find((message) => message.includes('not installed'));
      expect(said).toMatch(/TAESD \(SD 1\.x\/2\.x latents\) is chosen but not installed .*has no vae_decoder\/model\.onnx.*the model's own VAE decodes and previews use the latent-RGB approximation.*darkroom models pull taesd/);
    } finally {
      await withTaesd.close();
      await missing.close();
    }
  });

  it('a folder with a TAESD decoder but a config of another class is not taken for TAESD', async () => {
    const fake = path.join(scratch, 'fake-taesd');
    await mkdir(path.join(fake, 'vae_decoder'), { recursive: true });
    await copyFile(path.join(taesdDir!, 'vae_decoder', 'model.onnx'), path.join(fake, 'vae_decoder', 'model.onnx'));
    await writeFile(path.join(fake, 'config.json'), JSON.stringify({ _class_name: 'AutoencoderKL', scaling_factor: 0.18215 }));
    const inspected = await inspectTaesdFolder(fake);
    expect(inspected.ok).toBe(false);
    expect(!inspected.ok && inspected.message).toMatch(/describes AutoencoderKL, not a TAESD/);
  });
});
