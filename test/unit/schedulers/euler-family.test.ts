import { describe, expect, it } from 'vitest';
import { createScheduler } from '../../../src/generation/schedulers/index.ts';
import { closedFormSigma, maxAbsDifference, noNoise, RecordingNoise, sdConfig, vector } from './scheduler-fixtures.ts';

const N = 64;

describe('Euler σ schedule', () => {
  it('uses σ_t = √((1−ᾱ_t)/ᾱ_t) at the integer timesteps and ends at 0', () => {
    const euler = createScheduler('euler', sdConfig());
    euler.setTimesteps(10);
    const sample = new Float32Array(1).fill(1);
    euler.timesteps.forEach((t) => {
      // scaleModelInput divides by √(σ²+1): recover σ from it
      const fresh = createScheduler('euler', sdConfig());
      fresh.setTimesteps(10);
      const scaled = fresh.scaleModelInput(sample, t)[0]!;
      const sigma = Math.sqrt(1 / (scaled * scaled) - 1);
      expect(sigma / closedFormSigma(t)).toBeCloseTo(1, 4);
    });
  });

  it('interpolates σ linearly between training timesteps for fractional (linspace) timesteps', () => {
    const euler = createScheduler('euler', sdConfig({ timestep_spacing: 'linspace' }));
    euler.setTimesteps(5);
    expect(euler.timesteps[2]).toBe(499.5);
    const scaled = euler.scaleModelInput(new Float32Array([1]), 999)[0]!; // first step
    expect(Math.sqrt(1 / scaled ** 2 - 1)).toBeCloseTo(closedFormSigma(999), 3);
    // step index 2 has σ halfway between σ_499 and σ_500
    const third = createScheduler('euler', sdConfig({ timestep_spacing: 'linspace' }));
    third.setTimesteps(5);
    third.setBeginIndex(2);
    const noisy = third.addNoise(new Float32Array([0]), new Float32Array([1]), 499.5)[0]!;
    expect(noisy).toBeCloseTo((closedFormSigma(499) + closedFormSigma(500)) / 2, 4);
  });

  it('init noise sigma is √(σmax²+1) for leading spacing and σmax for trailing / linspace', () => {
    const leading = createScheduler('euler', sdConfig());
    leading.setTimesteps(50);
    expect(leading.initNoiseSigma).toBeCloseTo(Math.sqrt(closedFormSigma(981) ** 2 + 1), 3);
    const trailing = createScheduler('euler-ancestral', sdConfig({ timestep_spacing: 'trailing' }));
    trailing.setTimesteps(4);
    expect(trailing.initNoiseSigma).toBeCloseTo(14.6146, 3);
  });

  it('Karras sigmas: fractional timesteps from σmax down to σmin, then 0', () => {
    const euler = createScheduler('euler-karras', sdConfig());
    euler.setTimesteps(20);
    expect(euler.timesteps).toHaveLength(20);
    expect(euler.timesteps[0]).toBeCloseTo(951, 3); // σmax = σ at the first leading timestep
    expect(euler.timesteps[19]).toBeCloseTo(1, 3);
    expect(euler.timesteps.some((t) => !Number.isInteger(t))).toBe(true);
    for (let i = 1; i < 20; i++) expect(euler.timesteps[i]).toBeLessThan(euler.timesteps[i - 1]!);
  });
});

describe('Euler step', () => {
  it('with the exact noise recovers x₀ and moves to x₀ + σ_next·ε', () => {
    const euler = createScheduler('euler', sdConfig());
    euler.setTimesteps(10);
    const x0 = vector(N, 1);
    const noise = vector(N, 2);
    const t = euler.timesteps[0]!;
    const sigma = closedFormSigma(t);
    const sigmaNext = closedFormSigma(euler.timesteps[1]!);
    const sample = euler.addNoise(x0, noise, t);
    const { prevSample, predOriginalSample } = euler.step(noise, t, sample, noNoise);
    expect(maxAbsDifference(predOriginalSample!, x0)).toBeLessThan(1e-5 * sigma);
    const expected = x0.map((value, i) => value + sigmaNext * noise[i]!);
    expect(maxAbsDifference(prevSample, expected)).toBeLessThan(1e-4);
  });

  it('converts v-prediction: x₀ = −σ/√(σ²+1)·v + x/(σ²+1)', () => {
    const euler = createScheduler('euler', sdConfig({ prediction_type: 'v_prediction' }));
    euler.setTimesteps(10);
    const t = euler.timesteps[3]!;
    const sigma = closedFormSigma(t);
    const x0 = vector(N, 3);
    const noise = vector(N, 4);
    const sample = x0.map((value, i) => value + sigma * noise[i]!);
    // VP view of the model input: α·x₀ + σ_vp·ε with α = 1/√(σ²+1); v = α·ε − σ_vp·x₀
    const alpha = 1 / Math.sqrt(sigma * sigma + 1);
    const v = x0.map((value, i) => alpha * noise[i]! - sigma * alpha * value);
    euler.setBeginIndex(3);
    const { predOriginalSample } = euler.step(v, t, sample, noNoise);
    expect(maxAbsDifference(predOriginalSample!, x0)).toBeLessThan(1e-4);
  });
});

describe('Euler ancestral step', () => {
  it('splits σ_next into σ_down (deterministic) and σ_up (fresh noise), one draw per step including the last', () => {
    const scheduler = createScheduler('euler-ancestral', sdConfig({ timestep_spacing: 'trailing' }));
    scheduler.setTimesteps(4);
    const x0 = vector(N, 5);
    const noise = vector(N, 6);
    const fresh = vector(N, 7);
    const rng = new RecordingNoise(() => fresh);
    const t0 = scheduler.timesteps[0]!;
    const sigma = closedFormSigma(t0);
    const sigmaNext = closedFormSigma(scheduler.timesteps[1]!);
    const sample = x0.map((value, i) => value + sigma * noise[i]!);
    const { prevSample } = scheduler.step(noise, t0, sample, rng);
    const sigmaUp = Math.sqrt((sigmaNext ** 2 * (sigma ** 2 - sigmaNext ** 2)) / sigma ** 2);
    const sigmaDown = Math.sqrt(sigmaNext ** 2 - sigmaUp ** 2);
    const expected = x0.map((value, i) => value + sigmaDown * noise[i]! + sigmaUp * fresh[i]!);
    expect(maxAbsDifference(prevSample, expected)).toBeLessThan(2e-4);
    expect(rng.draws).toEqual([N]);
    let x = prevSample;
    for (const t of scheduler.timesteps.slice(1)) x = scheduler.step(new Float32Array(N), t, x, rng).prevSample;
    expect(rng.draws).toEqual([N, N, N, N]); // diffusers draws on the last step too (σ_up = 0 there)
  });
});
