import { describe, expect, it } from 'vitest';
import { StepTimeEstimator, planStarts } from '../../../src/generation/queue/step-time.estimator.ts';

describe('planStarts', () => {
  it('queues jobs behind the running one on a single pipeline', () => {
    // Running job has 500 ms left; waiting jobs take 1000 and 2000 ms.
    expect(planStarts([500], [1000, 2000], 1)).toEqual([
      { startsInMs: 500, etaMs: 1500 },
      { startsInMs: 1500, etaMs: 3500 },
    ]);
  });

  it('uses every free pipeline', () => {
    // Two pipelines: one busy for 3000 ms, one idle.
    expect(planStarts([3000], [1000, 1000, 1000], 2)).toEqual([
      { startsInMs: 0, etaMs: 1000 },
      { startsInMs: 1000, etaMs: 2000 },
      { startsInMs: 2000, etaMs: 3000 },
    ]);
  });
});

describe('StepTimeEstimator', () => {
  it('scales with steps and weight, and moves toward measured step times', () => {
    const estimator = new StepTimeEstimator(100);
    expect(estimator.duration(10, 4)).toBe(4000);
    for (let i = 0; i < 60; i++) estimator.record(600, 2);
    // 600 ms per step of a weight-2 job = 300 ms per unit weight.
    expect(estimator.msPerStep).toBeCloseTo(300, 3);
  });

  it('replaces the configured guess with the first measured step, then averages', () => {
    // A guess 8× too slow for this machine: the first measurement is believed at once.
    const estimator = new StepTimeEstimator(800);
    expect(estimator.measured).toBe(false);
    estimator.record(200, 2);
    expect(estimator.measured).toBe(true);
    expect(estimator.msPerStep).toBe(100);
    estimator.record(300, 1);
    expect(estimator.msPerStep).toBeCloseTo(140, 6);
  });
});
