import { describe, expect, it } from 'vitest';
import { guidanceScaleEmbedding } from '../../../src/generation/pipeline/guidance-embedding.ts';

describe('LCM guidance-scale embedding', () => {
  it('is sin(0) = 0 then cos(0) = 1 for w = 0 (guidance 1)', () => {
    const embedding = guidanceScaleEmbedding(0, 8, 1);
    expect(Array.from(embedding)).toEqual([0, 0, 0, 0, 1, 1, 1, 1]);
  });

  it('matches the closed form sin/cos(1000·w·10000^(−k/(half−1))) for dim 256', () => {
    const w = 7.5; // guidance 8.5, the LCM default
    const embedding = guidanceScaleEmbedding(w, 256, 2);
    expect(embedding.length).toBe(512);
    for (const k of [0, 1, 63, 127]) {
      const angle = 1000 * w * Math.pow(10000, -k / 127);
      // torch (and we) compute the angle in float32: its relative error is a few 1e-7, so the
      // absolute error of sin/cos grows with the angle (up to 7500 here).
      const tolerance = angle * 2e-6 + 1e-6;
      expect(Math.abs(embedding[k]! - Math.sin(angle))).toBeLessThan(tolerance);
      expect(Math.abs(embedding[128 + k]! - Math.cos(angle))).toBeLessThan(tolerance);
    }
    // Last frequency is exactly 1/10000: sin(0.75).
    expect(embedding[127]).toBeCloseTo(Math.sin(0.75), 5);
    // The second row repeats the first.
    expect(Array.from(embedding.subarray(256))).toEqual(Array.from(embedding.subarray(0, 256)));
  });

  it('zero-pads an odd dimension at the end', () => {
    const embedding = guidanceScaleEmbedding(0.5, 7, 1);
    expect(embedding.length).toBe(7);
    expect(embedding[6]).toBe(0);
    expect(embedding[3]).toBeCloseTo(Math.cos(500), 3);
  });
});
