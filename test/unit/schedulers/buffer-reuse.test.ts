/**
 * `reuseBuffers()` (what the pipeline's denoising loop turns on) must not change a single bit of
 * any result: a loop that refills one model-output array every step and feeds `prevSample` back
 * gets exactly the values of a loop that hands in fresh arrays, for every scheduler and the
 * config branches with their own step code.
 */
import { describe, expect, it } from 'vitest';
import type { NoiseSource, SchedulerName } from '../../../src/generation/engine.types.ts';
import { TorchGenerator } from '../../../src/generation/rng/torch-generator.ts';
import { createScheduler, type Scheduler } from '../../../src/generation/schedulers/index.ts';
import { sdConfig, vector } from './scheduler-fixtures.ts';

const N = 1024;
const STEPS = 12;

/** A stand-in UNet: depends on the sample and the timestep, writes into `out`. */
function fakeModel(sample: Float32Array, t: number, out: Float32Array): Float32Array {
  for (let i = 0; i < sample.length; i++) out[i] = 0.7 * sample[i]! + 0.2 * Math.sin(0.01 * i + t);
  return out;
}

interface Trace {
  prev: Uint32Array[];
  original: Array<Uint32Array | undefined>;
}

const bits = (values: Float32Array): Uint32Array => new Uint32Array(Float32Array.from(values).buffer);

function run(scheduler: Scheduler, reuse: boolean, rng: NoiseSource): Trace {
  if (reuse) scheduler.reuseBuffers();
  scheduler.setTimesteps(STEPS);
  let sample = vector(N, 7, scheduler.initNoiseSigma);
  const refilled = new Float32Array(N);
  const trace: Trace = { prev: [], original: [] };
  for (const t of scheduler.timesteps) {
    const input = scheduler.scaleModelInput(sample, t);
    const output = fakeModel(input, t, reuse ? refilled : new Float32Array(N));
    const before = bits(sample);
    const result = scheduler.step(output, t, sample, rng);
    expect(bits(sample), 'step must not modify its sample').toEqual(before);
    trace.prev.push(bits(result.prevSample));
    trace.original.push(result.predOriginalSample && bits(result.predOriginalSample));
    sample = result.prevSample;
  }
  return trace;
}

const cases: Array<[SchedulerName, Record<string, unknown>]> = [
  ['euler', {}],
  ['euler-karras', { prediction_type: 'v_prediction' }],
  ['euler-ancestral', {}],
  ['ddim', { clip_sample: true }],
  ['ddim', { prediction_type: 'v_prediction' }],
  ['dpmpp-2m', {}],
  ['dpmpp-2m-karras', { solver_type: 'heun', prediction_type: 'v_prediction' }],
  ['lms', {}],
  ['lms-karras', {}],
  ['pndm', { skip_prk_steps: true }],
  ['pndm', { skip_prk_steps: false }],
  ['pndm', { skip_prk_steps: true, prediction_type: 'v_prediction' }],
  ['lcm', { original_inference_steps: 50 }],
];

describe('scheduler buffer reuse', () => {
  it.each(cases)('%s %j: reused arrays give bit-identical steps to fresh arrays', (name, extra) => {
    const fresh = run(createScheduler(name, sdConfig(extra)), false, new TorchGenerator(11));
    const reused = run(createScheduler(name, sdConfig(extra)), true, new TorchGenerator(11));
    expect(reused.prev).toEqual(fresh.prev);
    expect(reused.original).toEqual(fresh.original);
  });

  it('keeps handing out fresh arrays until reuse is asked for', () => {
    const scheduler = createScheduler('euler', sdConfig());
    scheduler.setTimesteps(4);
    const [t0, t1] = scheduler.timesteps as [number, number];
    const sample = vector(N, 3);
    const first = scheduler.step(vector(N, 4), t0, sample, new TorchGenerator(1)).prevSample;
    const kept = Float32Array.from(first);
    scheduler.step(vector(N, 5), t1, first, new TorchGenerator(1));
    scheduler.step(vector(N, 6), scheduler.timesteps[2]!, vector(N, 8), new TorchGenerator(1));
    expect(first).toEqual(kept);
  });
});
