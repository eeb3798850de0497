import { describe, expect, it } from 'vitest';
import { createScheduler, parseSchedulerConfig } from '../../../src/generation/schedulers/index.ts';
import { lcmBoundaryScalings } from '../../../src/generation/schedulers/lcm.scheduler.ts';
import { closedFormAlphaBar, maxAbsDifference, noNoise, RecordingNoise, sdConfig, vector } from './scheduler-fixtures.ts';

const N = 64;

/** Forward process at ᾱ: √ᾱ·x₀ + √(1−ᾱ)·ε. */
const vpSample = (x0: Float32Array, noise: Float32Array, alphaBar: number): Float32Array =>
  x0.map((value, i) => Math.sqrt(alphaBar) * value + Math.sqrt(1 - alphaBar) * noise[i]!);

/** DDIM (η = 0) with a given ε: x' = √ᾱ'·(x − √(1−ᾱ)ε)/√ᾱ + √(1−ᾱ')·ε. */
const ddimTransfer = (x: Float32Array, epsilon: Float32Array, alphaBar: number, alphaBarPrev: number): Float32Array =>
  x.map((value, i) => (Math.sqrt(alphaBarPrev) * (value - Math.sqrt(1 - alphaBar) * epsilon[i]!)) / Math.sqrt(alphaBar) + Math.sqrt(1 - alphaBarPrev) * epsilon[i]!);

describe('DDIM', () => {
  it('recovers x₀ exactly from the true noise and lands on the forward process at the previous timestep', () => {
    const ddim = createScheduler('ddim', sdConfig());
    ddim.setTimesteps(50);
    const x0 = vector(N, 11);
    const noise = vector(N, 12);
    const sample = ddim.addNoise(x0, noise, 981);
    expect(maxAbsDifference(sample, vpSample(x0, noise, closedFormAlphaBar(981)))).toBeLessThan(1e-5);
    const { prevSample, predOriginalSample } = ddim.step(noise, 981, sample, noNoise);
    expect(maxAbsDifference(predOriginalSample!, x0)).toBeLessThan(1e-4);
    expect(maxAbsDifference(prevSample, vpSample(x0, noise, closedFormAlphaBar(961)))).toBeLessThan(1e-4);
  });

  it('the last step uses ᾱ₀ when set_alpha_to_one is false, and 1 when true', () => {
    const x0 = vector(N, 13);
    const noise = vector(N, 14);
    const last = (setAlphaToOne: boolean): Float32Array => {
      const ddim = createScheduler('ddim', sdConfig({ set_alpha_to_one: setAlphaToOne }));
      ddim.setTimesteps(50);
      return ddim.step(noise, 1, vpSample(x0, noise, closedFormAlphaBar(1)), noNoise).prevSample;
    };
    expect(maxAbsDifference(last(false), vpSample(x0, noise, closedFormAlphaBar(0)))).toBeLessThan(1e-5);
    expect(maxAbsDifference(last(true), x0)).toBeLessThan(1e-5);
  });

  it('converts v-prediction (x₀ = √ᾱ·x − √(1−ᾱ)·v) and clips x₀ when clip_sample is on', () => {
    const ddim = createScheduler('ddim', sdConfig({ prediction_type: 'v_prediction' }));
    ddim.setTimesteps(50);
    const alphaBar = closedFormAlphaBar(501);
    const x0 = vector(N, 15);
    const noise = vector(N, 16);
    const v = x0.map((value, i) => Math.sqrt(alphaBar) * noise[i]! - Math.sqrt(1 - alphaBar) * value);
    const { predOriginalSample } = ddim.step(v, 501, vpSample(x0, noise, alphaBar), noNoise);
    expect(maxAbsDifference(predOriginalSample!, x0)).toBeLessThan(1e-4);

    const clipping = createScheduler('ddim', sdConfig({ clip_sample: true }));
    clipping.setTimesteps(50);
    const big = vector(N, 17, 3);
    const { predOriginalSample: clipped } = clipping.step(noise, 501, vpSample(big, noise, alphaBar), noNoise);
    expect(Math.max(...clipped!.map(Math.abs))).toBeLessThanOrEqual(1);
  });
});

describe('PNDM (PLMS)', () => {
  it('combines ε predictions with the Adams–Bashforth weights (55, −59, 37, −9)/24 from the fifth call on', () => {
    const pndm = createScheduler('pndm', sdConfig({ skip_prk_steps: true }));
    pndm.setTimesteps(50);
    const outputs = [0.1, -0.3, 0.2, 0.5, -0.4, 0.7].map((value, k) => vector(N, 20 + k, 0.5, value));
    let sample = vector(N, 30);
    const samples: Float32Array[] = [];
    pndm.timesteps.slice(0, 6).forEach((t, k) => {
      samples.push(sample);
      sample = pndm.step(outputs[k]!, t, sample, noNoise).prevSample;
    });
    // Call 5 (timestep 921 → 901). The history holds ε of calls 1, 3, 4, 5: the second call of the
    // starting pair (same timestep as call 3's input) only averages and is not stored, as in diffusers.
    const [e1, , e3, e4, e5] = outputs as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
    const combined = e5.map((value, i) => (55 * value - 59 * e4[i]! + 37 * e3[i]! - 9 * e1[i]!) / 24);
    const step5 = createScheduler('pndm', sdConfig({ skip_prk_steps: true }));
    step5.setTimesteps(50);
    const expected = ddimTransfer(samples[4]!, combined, closedFormAlphaBar(pndm.timesteps[4]!), closedFormAlphaBar(pndm.timesteps[4]! - 20));
    let replay = vector(N, 30);
    pndm.timesteps.slice(0, 5).forEach((t, k) => {
      replay = step5.step(outputs[k]!, t, replay, noNoise).prevSample;
    });
    expect(maxAbsDifference(replay, expected)).toBeLessThan(1e-4);
  });

  it('starts with a Heun-like pair: the second call re-steps from the first sample with the averaged ε', () => {
    const pndm = createScheduler('pndm', sdConfig({ skip_prk_steps: true }));
    pndm.setTimesteps(50);
    const first = vector(N, 40);
    const e1 = vector(N, 41);
    const e2 = vector(N, 42);
    const afterFirst = pndm.step(e1, 981, first, noNoise).prevSample;
    expect(maxAbsDifference(afterFirst, ddimTransfer(first, e1, closedFormAlphaBar(981), closedFormAlphaBar(961)))).toBeLessThan(1e-4);
    const afterSecond = pndm.step(e2, 961, afterFirst, noNoise).prevSample;
    const averaged = e1.map((value, i) => (value + e2[i]!) / 2);
    expect(maxAbsDifference(afterSecond, ddimTransfer(first, averaged, closedFormAlphaBar(981), closedFormAlphaBar(961)))).toBeLessThan(1e-4);
    expect(pndm.step(e2, 961, afterSecond, noNoise).predOriginalSample).toBeUndefined();
  });
});

describe('PNDM with v_prediction', () => {
  it('converts v to ε with the current sample: ε = √ᾱ·v + √(1−ᾱ)·x', () => {
    const pndm = createScheduler('pndm', sdConfig({ skip_prk_steps: true, prediction_type: 'v_prediction' }));
    pndm.setTimesteps(50);
    const x = vector(N, 43);
    const v = vector(N, 44);
    const alphaBar = closedFormAlphaBar(981);
    const epsilon = v.map((value, i) => Math.sqrt(alphaBar) * value + Math.sqrt(1 - alphaBar) * x[i]!);
    const { prevSample } = pndm.step(v, 981, x, noNoise);
    expect(maxAbsDifference(prevSample, ddimTransfer(x, epsilon, alphaBar, closedFormAlphaBar(961)))).toBeLessThan(1e-4);
  });
});

describe('LCM', () => {
  const lcmConfig = parseSchedulerConfig({ _class_name: 'LCMScheduler', ...{ beta_start: 0.00085, beta_end: 0.012, beta_schedule: 'scaled_linear' }, original_inference_steps: 50 });

  it('boundary scalings at timestep_scaling 10: c_skip = 0.25/((10t)² + 0.25), c_out = 10t/√((10t)² + 0.25)', () => {
    expect(lcmBoundaryScalings(0, 10)).toEqual({ cSkip: 1, cOut: 0 });
    const at259 = lcmBoundaryScalings(259, 10);
    expect(at259.cSkip).toBeCloseTo(0.25 / (2590 ** 2 + 0.25), 15);
    expect(at259.cOut).toBeCloseTo(2590 / Math.sqrt(2590 ** 2 + 0.25), 12);
    const small = lcmBoundaryScalings(0.05, 10); // 10t = σ_d: both scalings are equal at 1/2 and 1/√2
    expect(small.cSkip).toBeCloseTo(0.5, 12);
    expect(small.cOut).toBeCloseTo(Math.SQRT1_2, 12);
  });

  it('returns the denoised sample and re-noises to the next timestep, drawing noise on all but the last step', () => {
    const lcm = createScheduler('lcm', lcmConfig);
    lcm.setTimesteps(4);
    const x0 = vector(N, 50);
    const noise = vector(N, 51);
    const fresh = vector(N, 52);
    const rng = new RecordingNoise(() => fresh);
    const sample = lcm.addNoise(x0, noise, 999);
    const { prevSample, predOriginalSample } = lcm.step(noise, 999, sample, rng);
    const { cSkip, cOut } = lcmBoundaryScalings(999, 10);
    const denoised = x0.map((value, i) => cOut * value + cSkip * sample[i]!);
    expect(maxAbsDifference(predOriginalSample!, denoised)).toBeLessThan(1e-4);
    expect(maxAbsDifference(prevSample, vpSample(denoised, fresh, closedFormAlphaBar(759)))).toBeLessThan(1e-4);
    let x = prevSample;
    for (const t of lcm.timesteps.slice(1)) x = lcm.step(new Float32Array(N), t, x, rng).prevSample;
    expect(rng.draws).toEqual([N, N, N]);
  });
});
