import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../../src/generation/schedulers/index.ts';
import { integratePolynomial, lmsCoefficient } from '../../../src/generation/schedulers/lms-coefficients.ts';
import { closedFormAlphaBar, maxAbsDifference, noNoise, sdConfig, vector } from './scheduler-fixtures.ts';

const N = 64;
const vpSample = (x0: Float32Array, noise: Float32Array, alphaBar: number): Float32Array =>
  x0.map((value, i) => Math.sqrt(alphaBar) * value + Math.sqrt(1 - alphaBar) * noise[i]!);

describe('DPM-Solver++ 2M', () => {
  it('runs in VP space: no input scaling, initial noise sigma 1, add_noise = √ᾱ·x₀ + √(1−ᾱ)·ε', () => {
    const dpm = createScheduler('dpmpp-2m', sdConfig({ timestep_spacing: 'linspace' }));
    dpm.setTimesteps(20);
    const x0 = vector(N, 60);
    const noise = vector(N, 61);
    expect(dpm.initNoiseSigma).toBe(1);
    expect(dpm.scaleModelInput(x0, 999)).toBe(x0);
    expect(maxAbsDifference(dpm.addNoise(x0, noise, 999), vpSample(x0, noise, closedFormAlphaBar(999)))).toBeLessThan(1e-5);
  });

  it('first step is DPM-Solver-1 = DDIM: exact ε lands on the forward process at the next timestep', () => {
    const dpm = createScheduler('dpmpp-2m', sdConfig({ timestep_spacing: 'linspace' }));
    dpm.setTimesteps(20);
    const x0 = vector(N, 62);
    const noise = vector(N, 63);
    const [t0, t1] = dpm.timesteps as [number, number];
    const { prevSample, predOriginalSample } = dpm.step(noise, t0, vpSample(x0, noise, closedFormAlphaBar(t0)), noNoise);
    expect(maxAbsDifference(predOriginalSample!, x0)).toBeLessThan(1e-4);
    expect(maxAbsDifference(prevSample, vpSample(x0, noise, closedFormAlphaBar(t1)))).toBeLessThan(1e-4);
  });

  it('the second-order step adds −½·α_t(e^{−h} − 1)·(m0 − m1)/r0 to the first-order update', () => {
    const run = (secondOutput: Float32Array): Float32Array => {
      const dpm = createScheduler('dpmpp-2m', sdConfig({ timestep_spacing: 'linspace' }));
      dpm.setTimesteps(20);
      const [t0, t1] = dpm.timesteps as [number, number];
      const first = dpm.step(vector(N, 64), t0, vector(N, 65), noNoise).prevSample;
      return dpm.step(secondOutput, t1, first, noNoise).prevSample;
    };
    // Same x₀ prediction twice → D1 = 0 → exactly the first-order (DDIM) update from the same sample
    const dpm = createScheduler('dpmpp-2m', sdConfig({ timestep_spacing: 'linspace' }));
    dpm.setTimesteps(20);
    const [t0, t1, t2] = dpm.timesteps as [number, number, number];
    const x0 = vector(N, 66);
    const noise = vector(N, 67);
    dpm.step(noise, t0, vpSample(x0, noise, closedFormAlphaBar(t0)), noNoise);
    const onPath = dpm.step(noise, t1, vpSample(x0, noise, closedFormAlphaBar(t1)), noNoise).prevSample;
    expect(maxAbsDifference(onPath, vpSample(x0, noise, closedFormAlphaBar(t2)))).toBeLessThan(1e-4);
    // The correction is linear in the second output: doubling a perturbation doubles its effect.
    const base = run(vector(N, 68));
    const plus = run(vector(N, 68).map((value) => value + 0.01));
    const plusTwice = run(vector(N, 68).map((value) => value + 0.02));
    const effect = (plus[0]! - base[0]!) * 2;
    expect(plusTwice[0]! - base[0]!).toBeCloseTo(effect, 5);
  });

  it('with Karras sigmas uses integer timesteps from 999 down to 0 and σ from σmax to σmin', () => {
    const dpm = createScheduler('dpmpp-2m-karras', sdConfig());
    dpm.setTimesteps(8);
    // reference: diffusers/numpy _sigma_to_t(karras σ).round() for SD betas
    expect(dpm.timesteps).toEqual([999, 890, 746, 549, 299, 90, 12, 0]);
  });
});

describe('LMS coefficients', () => {
  const sigmas = [14.6, 9.7, 6.4, 4.1, 2.5, 1.3, 0.5, 0];

  it('order 1 is the Euler step σ_next − σ', () => {
    expect(lmsCoefficient(sigmas, 1, 3, 0)).toBeCloseTo(sigmas[4]! - sigmas[3]!, 12);
  });

  it('coefficients of one order sum to σ_next − σ (the basis polynomials sum to 1)', () => {
    for (const order of [2, 3, 4]) {
      const sum = Array.from({ length: order }, (_, j) => lmsCoefficient(sigmas, order, 4, j)).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(sigmas[5]! - sigmas[4]!, 12);
    }
  });

  it('order 2 matches the closed-form integral of the linear Lagrange basis', () => {
    const [previous, current, next] = [sigmas[2]!, sigmas[3]!, sigmas[4]!];
    // ℓ0(τ) = (τ − σ_{t−1})/(σ_t − σ_{t−1}); ∫ from σ_t to σ_{t+1}
    const expected = ((next - previous) ** 2 / 2 - (current - previous) ** 2 / 2) / (current - previous);
    expect(lmsCoefficient(sigmas, 2, 3, 0)).toBeCloseTo(expected, 12);
  });

  it('Gauss–Legendre integration is exact for cubics', () => {
    expect(integratePolynomial((x) => 4 * x ** 3 - 3 * x ** 2 + 2 * x - 1, -1, 2)).toBeCloseTo(2 ** 4 - 2 ** 3 + 2 ** 2 - 2 - (1 + 1 + 1 + 1), 12);
  });

  it('an LMS step with a constant derivative is exact (x + Δσ·ε)', () => {
    const lms = createScheduler('lms', sdConfig());
    lms.setTimesteps(10);
    const x0 = vector(N, 70);
    const noise = vector(N, 71);
    let x = lms.addNoise(x0, noise, lms.timesteps[0]!);
    for (const t of lms.timesteps) x = lms.step(noise, t, x, noNoise).prevSample;
    expect(maxAbsDifference(x, x0)).toBeLessThan(1e-4);
  });
});
