/**
 * SDXL's `force_zeros_for_empty_prompt` as diffusers' `StableDiffusionXLPipeline.encode_prompt`
 * applies it: zero embeddings only when no negative prompt is given (`negative_prompt is None`);
 * an explicitly empty one is encoded like any text. Real ONNX sessions on the shared tiny SDXL
 * fixture (model_index.json sets force_zeros_for_empty_prompt: true).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StableDiffusionPipeline } from '../../../src/generation/pipeline/stable-diffusion.pipeline.ts';
import { sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { loadPipeline, meanAbsDiff, noOptions, request, spySession } from './support/pipeline-harness.ts';

const model = sharedPath('fixtures', 'models', 'tiny-sdxl');

/** The text conditioning of the first UNet run: [negative row, positive row] at batch 2. */
interface FirstRun {
  hidden: Float32Array | undefined;
  pooled: Float32Array | undefined;
}

describe.skipIf(!model)('SDXL negative prompt: none given vs explicitly empty' + sharedSkipReason, () => {
  let pipeline: StableDiffusionPipeline;
  const first: FirstRun = { hidden: undefined, pooled: undefined };

  beforeAll(async () => {
    const hook = spySession('unet', (feeds) => {
      if (first.hidden !== undefined) return;
      first.hidden = Float32Array.from(feeds['encoder_hidden_states']!.data as Float32Array);
      first.pooled = Float32Array.from(feeds['text_embeds']!.data as Float32Array);
    });
    pipeline = await loadPipeline(model!, { hook });
  });
  afterAll(async () => {
    await pipeline?.release();
  });

  async function run(prompt: string, negativePrompt: string | undefined) {
    first.hidden = undefined;
    first.pooled = undefined;
    const output = await pipeline.generate(request({ prompt, negativePrompt, guidance: 5, steps: 3, seeds: [21], scheduler: undefined }), noOptions);
    const hidden = first.hidden!;
    const pooled = first.pooled!;
    const half = hidden.length / 2;
    return {
      image: output.images[0]!.image,
      negative: { hidden: hidden.subarray(0, half), pooled: pooled.subarray(0, pooled.length / 2) },
      positive: { hidden: hidden.subarray(half), pooled: pooled.subarray(pooled.length / 2) },
    };
  }

  it('zeroes the negative embeddings when no negative prompt is given', async () => {
    expect(pipeline.isSdxl).toBe(true);
    expect(pipeline.info.forceZerosForEmptyPrompt).toBe(true);
    const none = await run('a photo of a cat', undefined);
    expect(none.negative.hidden.every((value) => value === 0)).toBe(true);
    expect(none.negative.pooled.every((value) => value === 0)).toBe(true);
  });

  it('encodes an explicitly empty negative prompt exactly as the prompt "" is encoded, and the picture changes', async () => {
    const none = await run('a photo of a cat', undefined);
    const empty = await run('a photo of a cat', '');
    // the encoding of "" (taken from a run whose positive prompt is "")
    const reference = await run('', 'anything');
    expect(empty.negative.hidden.some((value) => value !== 0)).toBe(true);
    expect(Array.from(empty.negative.hidden)).toEqual(Array.from(reference.positive.hidden));
    expect(Array.from(empty.negative.pooled)).toEqual(Array.from(reference.positive.pooled));
    expect(Array.from(empty.positive.hidden)).toEqual(Array.from(none.positive.hidden));
    expect(meanAbsDiff(none.image, empty.image)).toBeGreaterThan(0.5);
  });
});
