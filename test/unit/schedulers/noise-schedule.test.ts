import { describe, expect, it } from 'vitest';
import {
  alphasCumprod,
  karrasSigmas,
  makeBetas,
  numpyArange,
  trainingSigmas,
} from '../../../src/generation/schedulers/noise-schedule.ts';
import { roundHalfEven } from '../../../src/generation/round-half-even.ts';

const SD = { numTrainTimesteps: 1000, betaStart: 0.00085, betaEnd: 0.012, betaSchedule: 'scaled_linear' as const, trainedBetas: undefined, rescaleBetasZeroSnr: false };

/** Closed forms in float64, independent of the float32 emulation. */
function closedFormScaledLinear(i: number): number {
  const from = Math.sqrt(0.00085);
  const to = Math.sqrt(0.012);
  return (from + (i * (to - from)) / 999) ** 2;
}

describe('training noise schedule', () => {
  it('scaled_linear betas follow β_i = (√β0 + i·(√β1 − √β0)/999)²', () => {
    const betas = makeBetas(SD);
    expect(betas).toHaveLength(1000);
    // float32 storage: agreement to ~1e-7 relative
    for (const i of [0, 1, 250, 499, 500, 998, 999]) expect(betas[i]! / closedFormScaledLinear(i)).toBeCloseTo(1, 6);
  });

  it('ᾱ is the running product of (1 − β) and σ = √((1 − ᾱ)/ᾱ) spans 0.0292 … 14.6146 for SD', () => {
    const cumprod = alphasCumprod(makeBetas(SD));
    let product = 1;
    for (let i = 0; i < 1000; i++) {
      product *= 1 - closedFormScaledLinear(i);
      if (i % 111 === 0 || i === 999) expect(cumprod[i]! / product).toBeCloseTo(1, 5);
    }
    const sigmas = trainingSigmas(cumprod);
    expect(sigmas[999]).toBeCloseTo(14.6146, 3);
    expect(sigmas[0]).toBeCloseTo(0.0292, 4);
    // torch 2.13: torch.cumprod(1 - torch.linspace(√0.00085, √0.012, 1000, dtype=float32) ** 2)[-1]
    expect(cumprod[999]).toBe(Math.fround(0.00466009508818388));
  });

  it('linear betas run from beta_start to beta_end', () => {
    const betas = makeBetas({ ...SD, betaSchedule: 'linear', betaStart: 0.0001, betaEnd: 0.02 });
    expect(betas[0]).toBe(Math.fround(0.0001));
    expect(betas[999]).toBe(Math.fround(0.02));
    expect(betas[500]).toBeCloseTo(0.0001 + (500 * 0.0199) / 999, 8);
  });

  it('squaredcos_cap_v2 betas discretise ᾱ(t) = cos²((t + 0.008)/1.008 · π/2), capped at 0.999', () => {
    const betas = makeBetas({ ...SD, betaSchedule: 'squaredcos_cap_v2' });
    const alphaBar = (t: number): number => Math.cos(((t + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    expect(betas[10]).toBeCloseTo(1 - alphaBar(11 / 1000) / alphaBar(10 / 1000), 7);
    expect(betas[999]).toBe(Math.fround(0.999));
  });

  it('trained_betas are used as given', () => {
    expect(Array.from(makeBetas({ ...SD, numTrainTimesteps: 3, trainedBetas: [0.1, 0.2, 0.3] }))).toEqual([0.1, 0.2, 0.3].map(Math.fround));
  });

  it('rescale_betas_zero_snr makes the last ᾱ zero and keeps the first', () => {
    const plain = alphasCumprod(makeBetas(SD));
    const rescaled = alphasCumprod(makeBetas({ ...SD, rescaleBetasZeroSnr: true }));
    expect(rescaled[0]).toBeCloseTo(plain[0]!, 6);
    expect(rescaled[999]).toBeLessThan(1e-9);
    expect(rescaled[500]).toBeLessThan(plain[500]!);
  });
});

describe('Karras sigmas', () => {
  it('follow (σmax^(1/7) + r(σmin^(1/7) − σmax^(1/7)))^7 from σmax to σmin', () => {
    const sigmas = karrasSigmas(0.0292, 14.6146, 5);
    expect(sigmas[0]).toBeCloseTo(14.6146, 10);
    expect(sigmas[4]).toBeCloseTo(0.0292, 10);
    const expectedMiddle = (14.6146 ** (1 / 7) + 0.5 * (0.0292 ** (1 / 7) - 14.6146 ** (1 / 7))) ** 7;
    expect(sigmas[2]).toBeCloseTo(expectedMiddle, 10);
    for (let i = 1; i < sigmas.length; i++) expect(sigmas[i]).toBeLessThan(sigmas[i - 1]!);
  });
});

describe('numpy helpers', () => {
  it('round half to even like numpy.round', () => {
    expect([0.5, 1.5, 2.5, 937.5, 812.5, 2.4, 2.6].map(roundHalfEven)).toEqual([0, 2, 2, 938, 812, 2, 3]);
  });

  it('arange with a float step has ⌈span/step⌉ elements', () => {
    expect(numpyArange(1000, 0, -1000 / 3)).toHaveLength(3);
    expect(numpyArange(1000, 0, -62.5)).toHaveLength(16);
    expect(numpyArange(1000, 0, -250)).toEqual([1000, 750, 500, 250]);
  });
});
