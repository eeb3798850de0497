/**
 * Inpainting parity with diffusers' StableDiffusionInpaintPipeline: the engine's pipeline against
 * the step-by-step reference in support/inpaint-reference.ts (same seeds → every byte within ±1),
 * on the 9-channel tiny-sd15-inpaint fixture and, for the 4-channel "legacy blend" path, on
 * tiny-sd15-optimum (its VAE encoder returns mean ‖ logvar, so the run is deterministic).
 */
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../src/images/rgb-image.ts';
import type { MaskImage } from '../../../src/generation/edit.types.ts';
import type { ModelSession } from '../../../src/generation/onnx/index.ts';
import type { ModelPart } from '../../../src/generation/pipeline/pipeline-loader.ts';
import { sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { loadPipeline, maxAbsDiff, noOptions, request } from './support/pipeline-harness.ts';
import { referenceInpaint } from './support/inpaint-reference.ts';

const models = sharedPath('fixtures', 'models');

function largestDifference(a: Float32Array, b: Float32Array): { difference: number; scale: number } {
  expect(a.length).toBe(b.length);
  let difference = 0;
  let scale = 0;
  a.forEach((value, index) => {
    difference = Math.max(difference, Math.abs(value - b[index]!));
    scale = Math.max(scale, Math.abs(value));
  });
  return { difference, scale };
}

/** The session's members, to override `run`. */
function spyable(session: ModelSession): ModelSession {
  return {
    path: session.path,
    provider: session.provider,
    inputs: session.inputs,
    outputs: session.outputs,
    hasInput: (input) => session.hasInput(input),
    release: () => session.release(),
    run: (feeds, names) => session.run(feeds, names),
  };
}

/** A structured source image: gradients and stripes, so a wrong offset shows. */
function sourceImage(width: number, height: number): RgbImage {
  const pixels = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const index = (y * width + x) * 3;
      pixels[index] = (x * 255) / (width - 1);
      pixels[index + 1] = (y * 255) / (height - 1);
      pixels[index + 2] = (x + y) % 16 < 8 ? 40 : 210;
    }
  }
  return { width, height, pixels };
}

/** Repaint the right third and a square in the top left; grey levels either side of 0.5 test the binarisation. */
function patternMask(width: number, height: number): MaskImage {
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const repaint = x >= (2 * width) / 3 || (x >= 8 && x < 24 && y >= 8 && y < 24);
      // 128 repaints (128/255 ≥ 0.5), 127 keeps.
      pixels[y * width + x] = repaint ? (x % 2 === 0 ? 255 : 128) : x % 3 === 0 ? 127 : 0;
    }
  }
  return { width, height, pixels };
}

interface Case {
  model: 'tiny-sd15-inpaint' | 'tiny-sd15-optimum';
  path: 'inpaint' | 'legacy-blend';
  seeds: number[];
  steps: number;
  guidance: number;
  strength: number;
  width: number;
  height: number;
  scheduler?: 'euler-ancestral';
}

const CASES: Record<string, Case> = {
  '9-channel, strength 1 (pure noise), CFG, two images': { model: 'tiny-sd15-inpaint', path: 'inpaint', seeds: [5, 6], steps: 4, guidance: 7.5, strength: 1, width: 64, height: 64 },
  '9-channel, strength 0.6, 80×64': { model: 'tiny-sd15-inpaint', path: 'inpaint', seeds: [9], steps: 5, guidance: 3, strength: 0.6, width: 80, height: 64 },
  '4-channel legacy blend, strength 0.75, two images': { model: 'tiny-sd15-optimum', path: 'legacy-blend', seeds: [3, 4], steps: 4, guidance: 5, strength: 0.75, width: 64, height: 64 },
  '4-channel legacy blend, strength 1, no CFG': { model: 'tiny-sd15-optimum', path: 'legacy-blend', seeds: [11], steps: 3, guidance: 1, strength: 1, width: 64, height: 64 },
  // Ancestral steps draw noise from every image's generator after the posterior samples: the draw order counts.
  '9-channel, Euler a, strength 0.7, two images': { model: 'tiny-sd15-inpaint', path: 'inpaint', seeds: [21, 22], steps: 4, guidance: 6, strength: 0.7, width: 64, height: 64, scheduler: 'euler-ancestral' },
  '4-channel legacy blend, Euler a, strength 1, two images': { model: 'tiny-sd15-optimum', path: 'legacy-blend', seeds: [31, 32], steps: 4, guidance: 6, strength: 1, width: 64, height: 64, scheduler: 'euler-ancestral' },
};

describe.skipIf(!models)('inpainting matches diffusers StableDiffusionInpaintPipeline' + sharedSkipReason, () => {
  for (const [name, testCase] of Object.entries(CASES)) {
    it(name, async () => {
      const modelDir = path.join(models!, testCase.model);
      let hidden: { data: Float32Array; dims: readonly number[] } | undefined;
      const decoderInputs: Float32Array[] = [];
      const hook = (part: ModelPart, session: ModelSession): ModelSession =>
        part === 'vae_decoder'
          ? { ...spyable(session), run: (feeds, names) => (decoderInputs.push(Float32Array.from(feeds['latent_sample']!.data as Float32Array)), session.run(feeds, names)) }
          : part !== 'unet'
          ? session
          : {
              ...spyable(session),
              run: (feeds, names) => {
                const feed = feeds['encoder_hidden_states']!;
                hidden ??= { data: Float32Array.from(feed.data as Float32Array), dims: [...feed.dims] };
                return session.run(feeds, names);
              },
            };
      const pipeline = await loadPipeline(modelDir, { hook, cfgBatching: 'batched' });
      const image = sourceImage(testCase.width, testCase.height);
      const mask = patternMask(testCase.width, testCase.height);
      try {
        const output = await pipeline.generate(
          request({
            scheduler: testCase.scheduler ?? 'euler',
            seeds: testCase.seeds,
            steps: testCase.steps,
            guidance: testCase.guidance,
            width: testCase.width,
            height: testCase.height,
            initImage: { image, strength: testCase.strength },
            mask,
          }),
          noOptions,
        );
        expect(output.editPath).toBe(testCase.path);
        const reference = await referenceInpaint({
          modelDir,
          encoderHiddenStates: hidden!.data,
          hiddenShape: [hidden!.dims[1]!, hidden!.dims[2]!],
          image,
          mask,
          seeds: testCase.seeds,
          steps: testCase.steps,
          guidance: testCase.guidance,
          strength: testCase.strength,
          scalingFactor: pipeline.info.scalingFactor,
          scheduler: testCase.scheduler ?? 'euler',
        });
        expect(output.images).toHaveLength(testCase.seeds.length);
        for (const [index, generated] of output.images.entries()) {
          expect(generated.image.width).toBe(testCase.width);
          expect(maxAbsDiff(generated.image, reference.images[index]!)).toBeLessThanOrEqual(1);
          // The latents themselves agree to float32 rounding (the bytes alone would hide a small slip).
          const { difference, scale } = largestDifference(decoderInputs[index]!, reference.decoderInputs[index]!);
          expect(scale).toBeGreaterThan(0.1);
          expect(difference).toBeLessThan(1e-4 * scale);
        }
        // Different seeds give different images (the per-image generators are really used).
        if (output.images.length > 1) expect(maxAbsDiff(output.images[0]!.image, output.images[1]!.image)).toBeGreaterThan(1);
      } finally {
        await pipeline.release();
      }
    });
  }
});
