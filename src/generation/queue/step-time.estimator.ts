/**
 * ETAs from recent step times. Each running job reports its steps; the time between two
 * consecutive steps, divided by the job's weight (images × pixels / 512²), feeds an exponential
 * moving average of "milliseconds per step of one 512² image". The first step of a job is not
 * measured: it includes text encoding and, after a model switch, loading the model. The first
 * measured step replaces the configured guess, so waiting jobs' ETAs are right after two steps.
 */
import type { JobCost } from './generation-queue.ts';

/** How much each new measurement moves the average (0–1). */
const SMOOTHING = 0.2;

export class StepTimeEstimator {
  #msPerStep: number;
  #measured = false;

  constructor(initialMsPerStep: number) {
    this.#msPerStep = initialMsPerStep;
  }

  /** Milliseconds per step of weight 1, as currently estimated. */
  get msPerStep(): number {
    return this.#msPerStep;
  }

  /**
   * Records the time one step took for a job of `weight`. The first measurement replaces the
   * configured guess outright (a guess can be many times off for this machine and model, and
   * smoothing would take dozens of steps to forget it); later ones are averaged in.
   */
  record(stepMs: number, weight: number): void {
    if (!(stepMs >= 0) || !(weight > 0)) return;
    if (!this.#measured) {
      this.#measured = true;
      this.#msPerStep = stepMs / weight;
      return;
    }
    this.#msPerStep += SMOOTHING * (stepMs / weight - this.#msPerStep);
  }

  /** True once a real step time replaced the configured guess. */
  get measured(): boolean {
    return this.#measured;
  }

  /** Estimated milliseconds for `steps` steps of a job of `weight`. */
  duration(steps: number, weight: number): number {
    return Math.max(0, steps) * weight * this.#msPerStep;
  }

  /** Estimated milliseconds for a whole job. */
  jobDuration(cost: JobCost): number {
    return this.duration(cost.steps, cost.weight);
  }
}

/**
 * Start and finish estimates for waiting jobs, in start order, given the remaining time of
 * each running job and `concurrency` pipelines: each job takes the pipeline that frees first.
 */
export function planStarts(
  runningRemainingMs: readonly number[],
  waitingDurationsMs: readonly number[],
  concurrency: number,
): Array<{ startsInMs: number; etaMs: number }> {
  const free = [...runningRemainingMs].sort((a, b) => a - b).slice(0, Math.max(1, concurrency));
  while (free.length < concurrency) free.unshift(0);
  const plan: Array<{ startsInMs: number; etaMs: number }> = [];
  for (const duration of waitingDurationsMs) {
    // `free` is kept sorted; concurrency is small (pipelines), so a linear insert is fine.
    const startsInMs = free.shift() ?? 0;
    const etaMs = startsInMs + duration;
    const at = free.findIndex((time) => time > etaMs);
    free.splice(at < 0 ? free.length : at, 0, etaMs);
    plan.push({ startsInMs, etaMs });
  }
  return plan;
}
