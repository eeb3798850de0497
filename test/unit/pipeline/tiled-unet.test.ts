/**
 * UNet work on latent tiles for images well above the native size: same-size tiles that cover
 * the latent with the minimum overlap, predictions averaged where tiles overlap, small images
 * left whole.
 */
import { describe, expect, it } from 'vitest';
import { noisePredictorFor, planLargeImage } from '../../../src/generation/pipeline/large-image.ts';
import { planLatentTiles, tileStarts, TiledNoisePredictor, type NoisePredictor } from '../../../src/generation/pipeline/tiled-unet.ts';

describe('latent tiles', () => {
  it('cover the axis with equal windows overlapping by at least the minimum', () => {
    for (const length of [64, 72, 128, 200, 256]) {
      const starts = tileStarts(length, 64, 16);
      expect(starts[0]).toBe(0);
      expect(starts.at(-1)! + Math.min(64, length)).toBe(length);
      for (let index = 1; index < starts.length; index++) expect(starts[index - 1]! + 64 - starts[index]!).toBeGreaterThanOrEqual(16);
    }
    expect(tileStarts(128, 64, 16)).toEqual([0, 32, 64]);
    expect(tileStarts(256, 64, 16)).toEqual([0, 48, 96, 144, 192]);
  });

  it('keep images up to twice the native area whole, and tile larger ones at the native size', () => {
    expect(planLargeImage(512, 512, 512).unetTiles).toBeUndefined();
    expect(planLargeImage(512, 512, 1024).unetTiles).toBeUndefined();
    expect(planLargeImage(64, 512, 512).vaeTile).toEqual({ latent: 64, sample: 512 });
    const tiles = planLargeImage(512, 1024, 1024).unetTiles!;
    expect(tiles).toHaveLength(9);
    expect(new Set(tiles.map((tile) => `${tile.height}x${tile.width}`))).toEqual(new Set(['64x64']));
    expect(planLargeImage(1024, 2048, 2048)).toMatchObject({ vaeTile: { latent: 128, sample: 1024 } });
  });
});

describe('the tiled noise predictor', () => {
  const rows = 2;
  const channels = 4;
  const height = 24;
  const width = 40;
  const sample = Float32Array.from({ length: rows * channels * height * width }, (_, index) => Math.cos(index * 0.11));

  it('gives what the whole-image UNet gives when the prediction depends only on each pixel', async () => {
    const calls: number[] = [];
    const pointwise: NoisePredictor = {
      async predict(input, t) {
        calls.push(input.length);
        return input.map((value) => value * 0.5 + t);
      },
    };
    const tiles = planLatentTiles(height, width, 16, 4);
    const predictor = new TiledNoisePredictor(pointwise, rows, channels, height, width, tiles, undefined);
    const predicted = await predictor.predict(sample, 3);
    expect(calls).toEqual(tiles.map(() => rows * channels * 16 * 16));
    let maxDiff = 0;
    for (let index = 0; index < sample.length; index++) maxDiff = Math.max(maxDiff, Math.abs(predicted[index]! - (sample[index]! * 0.5 + 3)));
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('reads 9 input channels and predicts 4 per row (an inpainting UNet), tile by tile', async () => {
    const nine = Float32Array.from({ length: rows * 9 * height * width }, (_, index) => Math.sin(index * 0.07));
    const tilePlane = 16 * 16;
    // Channel c of the prediction: input channel c plus input channel 5 + c (latents + masked-image latents).
    const inpainting: NoisePredictor = {
      async predict(input) {
        const tileRows = input.length / (9 * tilePlane);
        const out = new Float32Array(tileRows * 4 * tilePlane);
        for (let row = 0; row < tileRows; row++) {
          for (let index = 0; index < 4 * tilePlane; index++) out[row * 4 * tilePlane + index] = input[row * 9 * tilePlane + index]! + input[row * 9 * tilePlane + 5 * tilePlane + index]!;
        }
        return out;
      },
    };
    const predictor = new TiledNoisePredictor(inpainting, rows, 9, height, width, planLatentTiles(height, width, 16, 4), undefined, 4);
    const predicted = await predictor.predict(nine, 1);
    expect(predicted).toHaveLength(rows * 4 * height * width);
    const plane = height * width;
    let maxDiff = 0;
    for (let row = 0; row < rows; row++) {
      for (let index = 0; index < 4 * plane; index++) {
        const expected = nine[row * 9 * plane + index]! + nine[row * 9 * plane + 5 * plane + index]!;
        maxDiff = Math.max(maxDiff, Math.abs(predicted[row * 4 * plane + index]! - expected));
      }
    }
    expect(maxDiff).toBeLessThan(1e-5);
  });

  it('averages overlapping tiles’ different predictions', async () => {
    let call = 0;
    const perTile: NoisePredictor = { predict: async (input) => new Float32Array(input.length).fill(++call) };
    // Two 16-wide tiles over 24 columns at 0 and 8: columns 8–15 are shared.
    const predictor = new TiledNoisePredictor(perTile, 1, 1, 16, 24, planLatentTiles(16, 24, 16, 4), undefined);
    const predicted = await predictor.predict(new Float32Array(16 * 24), 1);
    expect([predicted[0], predicted[8], predicted[15], predicted[16], predicted[23]]).toEqual([1, 1.5, 1.5, 2, 2]);
  });

  it('stops between tiles when cancelled, saying how many steps completed', async () => {
    const controller = new AbortController();
    let calls = 0;
    const cancelling: NoisePredictor = {
      async predict(input) {
        calls++;
        // The person presses cancel while the second tile of the second step runs.
        if (calls === 9 + 2) controller.abort();
        return input;
      },
    };
    const predictor = noisePredictorFor(planLargeImage(512, 1024, 1024), 1, [4, 128, 128], () => cancelling, controller.signal);
    const latent = new Float32Array(4 * 128 * 128);
    await predictor.predict(latent, 1);
    await expect(predictor.predict(latent, 2)).rejects.toMatchObject({ name: 'AbortError', completedSteps: 1 });
    expect(calls).toBe(11);
  });

  it('is not used for images that stay whole', () => {
    const whole: NoisePredictor = { predict: async (input) => input };
    const made: Array<[number, number]> = [];
    const predictor = noisePredictorFor(planLargeImage(512, 512, 512), 2, [4, 64, 64], (h, w) => (made.push([h, w]), whole), undefined);
    expect(predictor).toBe(whole);
    expect(made).toEqual([[64, 64]]);
  });
});
