import { describe, expect, it } from 'vitest';
import { LATENT_RGB_FACTORS, latentPreview, progressWithLazyPreview } from '../../../src/generation/pipeline/latent-preview.ts';

describe('latent → RGB preview', () => {
  it('is latent-sized and mid-grey for zero latents', () => {
    const preview = latentPreview(new Float32Array(4 * 3 * 5), 0, 3, 5, 'sd');
    expect(preview.width).toBe(5);
    expect(preview.height).toBe(3);
    expect(preview.pixels.length).toBe(3 * 5 * 3);
    // (0 + 1) / 2 · 255 = 127.5 → 128.
    expect(new Set(preview.pixels)).toEqual(new Set([128]));
  });

  it('applies the 4×3 factor matrix per pixel: a unit latent channel gives that channel’s row', () => {
    for (const space of ['sd', 'sdxl'] as const) {
      for (let channel = 0; channel < 4; channel++) {
        const latents = new Float32Array(4 * 2 * 2);
        latents.fill(1, channel * 4, channel * 4 + 4);
        const preview = latentPreview(latents, 0, 2, 2, space);
        const row = LATENT_RGB_FACTORS[space][channel]!;
        const expected = row.map((factor) => Math.round(((factor + 1) / 2) * 255));
        expect(Array.from(preview.pixels.slice(0, 3))).toEqual(expected);
        expect(Array.from(preview.pixels.slice(9, 12))).toEqual(expected);
      }
    }
  });

  it('clamps strong latents and reads the requested image of a batch', () => {
    const latents = new Float32Array(2 * 4);
    // Image 1 (1×1 latent): channel 3 = −10 → the SD matrix gives large positive values for all colours.
    latents[4 + 3] = -10;
    const preview = latentPreview(latents, 1, 1, 1, 'sd');
    expect(Array.from(preview.pixels)).toEqual([255, 255, 255]);
    expect(Array.from(latentPreview(latents, 0, 1, 1, 'sd').pixels)).toEqual([128, 128, 128]);
  });

  it('shows the step it was made at even when read after the loop has overwritten the latents', () => {
    const latents = new Float32Array(2 * 4); // two 1×1 images
    latents[3] = -10; // image 0 bright at this step
    const progress = progressWithLazyPreview(2, 4, latents, 1, 1, 'sd');
    latents.fill(0); // the next step reuses the array
    expect(progress).toMatchObject({ step: 2, totalSteps: 4 });
    expect(Array.from(progress.preview!.pixels)).toEqual([255, 255, 255]);
    expect(progress.preview).toBe(progress.preview); // computed once
    expect(progressWithLazyPreview(1, 4, undefined, 1, 1, 'sd').preview).toBeUndefined();
  });
});
