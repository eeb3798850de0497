/**
 * Edits end to end on real ONNX fixtures: Zoom Out, Pan, Vary (Region) and Remix through
 * `DiffusionEngine.edit` (PNG results of the right size, the source kept where the composition
 * promises it, the path that ran), and the legacy blend on an ordinary model at pipeline level:
 * the unmasked region ends as the VAE round trip of the image, the masked region changes.
 */
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../src/images/rgb-image.ts';
import type { EditRequest, MaskImage } from '../../../src/generation/edit.types.ts';
import { DiffusionEngine } from '../../../src/generation/pipeline/diffusion-engine.ts';
import { decodeImage } from '../../../src/images/index.ts';
import { sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { loadPipeline, noOptions, request } from './support/pipeline-harness.ts';

const models = sharedPath('fixtures', 'models');

function source(width: number, height: number): RgbImage {
  const pixels = new Uint8Array(width * height * 3);
  for (let index = 0; index < width * height; index++) {
    const x = index % width;
    const y = Math.floor(index / width);
    pixels.set([(x * 4) % 256, (y * 4) % 256, (x ^ y) % 256], index * 3);
  }
  return { width, height, pixels };
}

/** Mean absolute byte difference over the pixels where `select(x, y)` holds. */
function meanDifference(a: RgbImage, b: RgbImage, select: (x: number, y: number) => boolean, offset = { left: 0, top: 0 }): number {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < b.height; y++) {
    for (let x = 0; x < b.width; x++) {
      if (!select(x, y)) continue;
      const from = ((y + offset.top) * a.width + x + offset.left) * 3;
      const to = (y * b.width + x) * 3;
      for (let channel = 0; channel < 3; channel++) sum += Math.abs(a.pixels[from + channel]! - b.pixels[to + channel]!);
      count += 3;
    }
  }
  return sum / count;
}

const everywhere = () => true;

describe.skipIf(!models)('edits on real fixture models' + sharedSkipReason, () => {
  const engine = new DiffusionEngine({ locations: undefined, provider: 'cpu', threads: 1, cfgBatching: 'auto', cachedPipelines: 2, upscaler: undefined, logger: undefined });
  afterAll(() => engine.close());
  const image = source(64, 64);
  const base = (operation: EditRequest['operation'], model = 'tiny-sd15-inpaint'): EditRequest => ({
    model: path.join(models!, model),
    prompt: 'a wide landscape',
    negativePrompt: undefined,
    seed: 7,
    steps: 3,
    guidance: 5,
    scheduler: 'euler',
    count: 2,
    image,
    operation,
  });

  it('Zoom Out 2× on an inpainting model: a 128² result with the source untouched in the middle', async () => {
    const result = await engine.edit(base({ kind: 'zoom', factor: 2 }), noOptions);
    expect(result.path).toBe('inpaint');
    expect([result.width, result.height]).toEqual([128, 128]);
    expect(result.images).toHaveLength(2);
    for (const generated of result.images) {
      const decoded = await decodeImage(generated.png);
      expect([decoded.width, decoded.height]).toEqual([128, 128]);
      expect(meanDifference(decoded, image, everywhere, { left: 32, top: 32 })).toBe(0);
    }
    // The mask marks the new border: three quarters of the canvas.
    expect(result.mask.pixels.filter((value) => value === 255).length / result.mask.pixels.length).toBeCloseTo(0.75, 5);
  });

  it('Zoom Out 1.5× and Pan right give the canvas sizes the geometry promises', async () => {
    const zoomed = await engine.edit({ ...base({ kind: 'zoom', factor: 1.5 }), count: 1 }, noOptions);
    expect([zoomed.width, zoomed.height]).toEqual([96, 96]);
    const panned = await engine.edit({ ...base({ kind: 'pan', direction: 'right' }), count: 1 }, noOptions);
    expect([panned.width, panned.height]).toEqual([96, 64]);
    const decoded = await decodeImage(panned.images[0]!.png);
    expect([decoded.width, decoded.height]).toEqual([96, 64]);
    expect(meanDifference(decoded, image, everywhere)).toBe(0);
  });

  it('Vary (Region) keeps every pixel outside the region and changes the region; Remix redraws all of it', async () => {
    const mask: MaskImage = { width: 64, height: 64, pixels: new Uint8Array(64 * 64).map((_, index) => (index % 64 >= 32 && Math.floor(index / 64) >= 32 ? 255 : 0)) };
    const region = await engine.edit({ ...base({ kind: 'region', mask, strength: 1 }), count: 1 }, noOptions);
    const edited = await decodeImage(region.images[0]!.png);
    expect([edited.width, edited.height]).toEqual([64, 64]);
    expect(meanDifference(edited, image, (x, y) => !(x >= 32 && y >= 32))).toBe(0);
    expect(meanDifference(edited, image, (x, y) => x >= 32 && y >= 32)).toBeGreaterThan(5);
    const remix = await engine.edit({ ...base({ kind: 'remix', strength: 0.6 }, 'tiny-sd15-optimum'), count: 1 }, noOptions);
    expect(remix.path).toBe('legacy-blend');
    expect(remix.mask.pixels.every((value) => value === 255)).toBe(true);
  });

  it('refuses a region mask of the wrong size and a zoom factor out of range, naming what is wrong', async () => {
    const small: MaskImage = { width: 8, height: 8, pixels: new Uint8Array(64) };
    await expect(engine.edit(base({ kind: 'region', mask: small, strength: 1 }), noOptions)).rejects.toThrow(/region mask is 8×8 but the image is 64×64/);
    await expect(engine.edit(base({ kind: 'zoom', factor: 9 }), noOptions)).rejects.toThrow(/zoom factor/);
  });
});

describe.skipIf(!models)('an inpainting model above twice the native area' + sharedSkipReason, () => {
  it('runs on 512-px latent tiles with their part of the mask (txt2img and a masked edit at 768²)', async () => {
    const samples: number[][] = [];
    const pipeline = await loadPipeline(path.join(models!, 'tiny-sd15-inpaint'), {
      hook: (part, session) =>
        part !== 'unet'
          ? session
          : {
              path: session.path,
              provider: session.provider,
              inputs: session.inputs,
              outputs: session.outputs,
              hasInput: (input) => session.hasInput(input),
              release: () => session.release(),
              run: (feeds, names) => (samples.push([...feeds['sample']!.dims]), session.run(feeds, names)),
            },
    });
    try {
      const txt2img = await pipeline.generate(request({ width: 768, height: 768, steps: 1 }), noOptions);
      expect(txt2img.editPath).toBe('inpaint');
      expect([txt2img.images[0]!.image.width, txt2img.images[0]!.image.height]).toEqual([768, 768]);
      // 9 channels on 64×64 latent tiles (the 512-px tiles of large-image.ts), four of them, never the whole 96×96 latent.
      expect(samples).toHaveLength(4);
      expect(samples.every((dims) => dims[1] === 9 && dims[2] === 64 && dims[3] === 64)).toBe(true);
      const image = source(768, 768);
      const mask: MaskImage = { width: 768, height: 768, pixels: new Uint8Array(768 * 768).map((_, index) => (index % 768 >= 384 ? 255 : 0)) };
      const edited = await pipeline.generate(request({ width: 768, height: 768, steps: 1, initImage: { image, strength: 1 }, mask }), noOptions);
      expect([edited.images[0]!.image.width, edited.images[0]!.image.height]).toEqual([768, 768]);
    } finally {
      await pipeline.release();
    }
  });
});

describe.skipIf(!models)('legacy blend on an ordinary model (tiny-sd15)' + sharedSkipReason, () => {
  it('the unmasked region ends as the image latents (decoded: the VAE round trip); the masked region changes', async () => {
    let encoded: Float32Array | undefined;
    const decoderInputs: Float32Array[] = [];
    const pipeline = await loadPipeline(path.join(models!, 'tiny-sd15'), {
      hook: (part, session) =>
        part !== 'vae_encoder' && part !== 'vae_decoder'
          ? session
          : {
              path: session.path,
              provider: session.provider,
              inputs: session.inputs,
              outputs: session.outputs,
              hasInput: (input) => session.hasInput(input),
              release: () => session.release(),
              run: async (feeds, names) => {
                const outputs = await session.run(feeds, names);
                // The init image (a 4-channel UNet needs no masked-image latents).
                if (part === 'vae_encoder') encoded ??= Float32Array.from(outputs['latent_sample']!.data);
                else decoderInputs.push(Float32Array.from(feeds['latent_sample']!.data as Float32Array));
                return outputs;
              },
            },
    });
    try {
      const image = source(64, 64);
      const run = (mask: MaskImage) => pipeline.generate(request({ seeds: [5], steps: 4, guidance: 5, initImage: { image, strength: 0.8 }, mask }), noOptions);
      const repaintRight: MaskImage = { width: 64, height: 64, pixels: new Uint8Array(64 * 64).map((_, index) => (index % 64 >= 32 ? 255 : 0)) };
      const output = await run(repaintRight);
      expect(output.editPath).toBe('legacy-blend');
      // Latents [1, 4, 8, 8]: the left four latent columns are exactly the encoded image, the right ones are new.
      const latents = decoderInputs[0]!;
      let keptDifference = 0;
      let repaintedDifference = 0;
      latents.forEach((value, index) => {
        const difference = Math.abs(value - encoded![index]!);
        if (index % 8 < 4) keptDifference = Math.max(keptDifference, difference);
        else repaintedDifference = Math.max(repaintedDifference, difference);
      });
      expect(keptDifference).toBeLessThan(1e-6);
      expect(repaintedDifference).toBeGreaterThan(0.1);
      // Decoded, the kept half is close to the plain VAE round trip (nothing masked) and the repainted half is not.
      // Not equal: the VAE decoder's mid-block attention lets every latent touch every pixel.
      const roundTrip = (await run({ width: 64, height: 64, pixels: new Uint8Array(64 * 64) })).images[0]!.image;
      const edited = output.images[0]!.image;
      expect(meanDifference(edited, roundTrip, (x) => x < 16)).toBeLessThan(meanDifference(edited, roundTrip, (x) => x >= 48) / 2);
    } finally {
      await pipeline.release();
    }
  });
});
