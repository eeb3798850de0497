import { describe, expect, it } from 'vitest';
import { buildConditioning, sdxlTimeIds } from '../../../src/generation/pipeline/conditioning-rows.ts';
import { combineGuidance } from '../../../src/generation/pipeline/denoise-loop.ts';
import type { UnetSignature } from '../../../src/generation/pipeline/model-signature.ts';
import { PerImageNoise } from '../../../src/generation/pipeline/per-image-noise.ts';
import type { EncodedPrompt } from '../../../src/generation/pipeline/text-conditioning.ts';

const sdUnet: UnetSignature = { hiddenSize: 2, latentChannels: 4, inputChannels: 4, timestepCondDim: undefined, textEmbedsDim: undefined, timeIdsLength: undefined };

function prompt(value: number, pooled?: number): EncodedPrompt {
  return {
    hidden: new Float32Array(3 * 2).fill(value),
    seqLen: 3,
    hiddenSize: 2,
    pooled: pooled === undefined ? undefined : new Float32Array(2).fill(pooled),
  };
}

describe('classifier-free guidance', () => {
  it('computes uncond + g·(cond − uncond) with negative rows first', () => {
    const prediction = Float32Array.from([1, 2, /* positive */ 3, 6]);
    expect(Array.from(combineGuidance(prediction, 1, 7.5))).toEqual([1 + 7.5 * 2, 2 + 7.5 * 4]);
    expect(Array.from(combineGuidance(prediction, 1, 1))).toEqual([3, 6]);
    expect(Array.from(combineGuidance(prediction, 1, 0))).toEqual([1, 2]);
  });
});

describe('UNet conditioning rows', () => {
  it('puts every image’s negative row before the positive rows (diffusers cat([neg, pos]))', () => {
    const { conditioning, rows } = buildConditioning({
      positive: prompt(1), negative: prompt(-1), images: 2, width: 64, height: 64, guidance: 7, unet: sdUnet,
    });
    expect(rows).toBe(4);
    const rowValues = [0, 1, 2, 3].map((row) => conditioning.encoderHiddenStates[row * 6]);
    expect(rowValues).toEqual([-1, -1, 1, 1]);
    expect(conditioning.textEmbeds).toBeUndefined();
    expect(conditioning.timestepCond).toBeUndefined();
  });

  it('adds SDXL pooled embeddings and time ids [orig_h, orig_w, 0, 0, h, w] per row', () => {
    const unet: UnetSignature = { ...sdUnet, textEmbedsDim: 2, timeIdsLength: 6 };
    const { conditioning } = buildConditioning({
      positive: prompt(1, 5), negative: prompt(0, 0), images: 1, width: 64, height: 96, guidance: 5, unet,
    });
    expect(Array.from(conditioning.textEmbeds!)).toEqual([0, 0, 5, 5]);
    expect(Array.from(conditioning.timeIds!)).toEqual([96, 64, 0, 0, 96, 64, 96, 64, 0, 0, 96, 64]);
  });

  it('uses the refiner layout with aesthetic scores for 5-wide time ids', () => {
    expect(sdxlTimeIds(5, 1024, 768, false)).toEqual([1024, 768, 0, 0, 6]);
    expect(sdxlTimeIds(5, 1024, 768, true)).toEqual([1024, 768, 0, 0, 2.5]);
    expect(() => sdxlTimeIds(4, 64, 64, false)).toThrow(/length 4/);
  });

  it('gives LCM UNets a guidance embedding on every row and no negative rows', () => {
    const unet: UnetSignature = { ...sdUnet, timestepCondDim: 4 };
    const { conditioning, rows } = buildConditioning({
      positive: prompt(1), negative: undefined, images: 3, width: 64, height: 64, guidance: 1, unet,
    });
    expect(rows).toBe(3);
    // guidance 1 → w = 0 → [sin 0, sin 0, cos 0, cos 0].
    expect(Array.from(conditioning.timestepCond!)).toEqual([0, 0, 1, 1, 0, 0, 1, 1, 0, 0, 1, 1]);
  });
});

describe('per-image noise', () => {
  it('splits one batch draw over the images’ own generators, in image order', () => {
    const counter = (start: number) => {
      let next = start;
      return { randn: (count: number) => Float32Array.from({ length: count }, () => next++) };
    };
    const noise = new PerImageNoise([counter(0), counter(100)]);
    expect(Array.from(noise.randn(4))).toEqual([0, 1, 100, 101]);
    expect(Array.from(noise.randn(2))).toEqual([2, 102]);
    expect(() => noise.randn(3)).toThrow(/does not split/);
  });
});
