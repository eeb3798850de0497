/**
 * The in-process queue: p-queue runs jobs (concurrency = pipelines, start-rate limit), and a
 * {@link FairRotation} decides which job runs. p-queue alone is FIFO, so it never holds jobs:
 * it holds one interchangeable "slot" per waiting job, and a slot picks the fair next job at
 * the moment p-queue starts it. Cancelling a waiting job drops one slot that has not started.
 */
import PQueue from 'p-queue';
import type { Logger } from 'pino';
import { FairRotation } from './fair-rotation.ts';
import type {
  AbortCause,
  CancelOutcome,
  GenerationQueue,
  JobRunner,
  QueueJob,
  QueuePosition,
  QueueStats,
  ReserveResult,
  WaitingJob,
} from './generation-queue.ts';
import { SlidingWindowLimiter } from './sliding-window.limiter.ts';
import { StepTimeEstimator, planStarts } from './step-time.estimator.ts';

export interface PQueueGenerationQueueOptions {
  /** Jobs running at once (pipelines available). */
  concurrency: number;
  /** Waiting jobs one person may have. */
  perUserQueued: number;
  /** Waiting jobs in total. */
  globalQueued: number;
  /**
   * At most `intervalCap` requests accepted, and at most `intervalCap` jobs started, in any
   * `intervalMs`. More requests are refused with `rate_limited` and a retry-after.
   */
  rateLimit: { intervalMs: number; intervalCap: number };
  /** Step time assumed before any step was measured (ms per step of one 512² image). */
  initialMsPerStep: number;
  /** Epoch milliseconds; injected so tests control time. */
  now: () => number;
  logger: Logger | undefined;
}

interface RunningJob {
  job: QueueJob;
  controller: AbortController;
  cause: AbortCause | undefined;
  startedAt: number;
  step: number;
  totalSteps: number;
  lastStepAt: number | undefined;
  settled: Promise<void>;
}

export class PQueueGenerationQueue implements GenerationQueue {
  readonly #rotation = new FairRotation<QueueJob>();
  readonly #running = new Map<string, RunningJob>();
  readonly #reserved = new Map<string, number>();
  readonly #pendingSlots: AbortController[] = [];
  readonly #queuedAt = new Map<string, number>();
  readonly #pqueue: PQueue;
  readonly #acceptance: SlidingWindowLimiter;
  readonly #estimator: StepTimeEstimator;
  readonly #listeners: Array<() => void> = [];
  #reservedTotal = 0;
  #runner: JobRunner | undefined;
  #stopping = false;

  constructor(private readonly options: PQueueGenerationQueueOptions) {
    this.#pqueue = new PQueue({
      concurrency: options.concurrency,
      interval: options.rateLimit.intervalMs,
      intervalCap: options.rateLimit.intervalCap,
      strict: true,
      autoStart: false,
    });
    this.#acceptance = new SlidingWindowLimiter(options.rateLimit.intervalCap, options.rateLimit.intervalMs, options.now);
    this.#estimator = new StepTimeEstimator(options.initialMsPerStep);
  }

  async start(runner: JobRunner): Promise<void> {
    if (this.#runner !== undefined) throw new Error('the queue was already started');
    this.#runner = runner;
    this.#pqueue.start();
  }

  async reserve(userId: string): Promise<ReserveResult> {
    const { perUserQueued, globalQueued } = this.options;
    if (this.#stopping) return { ok: false, refusal: { code: 'queue_full', scope: 'everyone', limit: 0 } };
    if (this.#rotation.sizeOf(userId) + (this.#reserved.get(userId) ?? 0) >= perUserQueued) {
      return { ok: false, refusal: { code: 'queue_full', scope: 'user', limit: perUserQueued } };
    }
    if (this.#rotation.size + this.#reservedTotal >= globalQueued) {
      return { ok: false, refusal: { code: 'queue_full', scope: 'everyone', limit: globalQueued } };
    }
    const retryAfterMs = this.#acceptance.tryTake();
    if (retryAfterMs > 0) return { ok: false, refusal: { code: 'rate_limited', retryAfterMs } };
    this.#adjustReserved(userId, +1);
    let open = true;
    const close = (): void => {
      if (!open) throw new Error('this reservation was already used');
      open = false;
      this.#adjustReserved(userId, -1);
    };
    return {
      ok: true,
      reservation: {
        commit: async (job) => {
          close();
          if (job.userId !== userId) throw new Error(`reservation of ${userId} used for a job of ${job.userId}`);
          return this.#enqueue(job);
        },
        release: () => {
          close();
          this.#acceptance.giveBack();
        },
      },
    };
  }

  async requeue(job: QueueJob): Promise<QueuePosition> {
    return this.#enqueue(job);
  }

  async cancel(jobId: string): Promise<CancelOutcome> {
    if (this.#rotation.remove(jobId)) {
      this.#queuedAt.delete(jobId);
      this.#pendingSlots.pop()?.abort();
      this.#changed();
      return 'removed';
    }
    const running = this.#running.get(jobId);
    if (running === undefined) return 'unknown';
    running.cause ??= 'cancelled';
    running.controller.abort(new Error('generation cancelled'));
    return 'aborted';
  }

  async position(jobId: string): Promise<QueuePosition | undefined> {
    const running = this.#running.get(jobId);
    if (running !== undefined) return { position: 0, startsInMs: 0, etaMs: Math.round(this.#remainingMs(running)) };
    const order = this.#rotation.startOrder(jobId);
    const index = order.findIndex((job) => job.id === jobId);
    if (index < 0) return undefined;
    return this.#positionAt(order, index);
  }

  async stats(): Promise<QueueStats> {
    return { waiting: this.#rotation.size, running: this.#running.size, msPerStep: this.#estimator.msPerStep };
  }

  async waiting(): Promise<WaitingJob[]> {
    const order = this.#rotation.startOrder();
    const plan = this.#plan(order);
    return order.map((job, index) => {
      const planned = plan[index] ?? { startsInMs: 0, etaMs: 0 };
      return { jobId: job.id, position: { position: index + 1, startsInMs: Math.round(planned.startsInMs), etaMs: Math.round(planned.etaMs) } };
    });
  }

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  async stop(deadline: AbortSignal): Promise<void> {
    this.#stopping = true;
    this.#pqueue.pause();
    // Waiting jobs stay queued in the database; the next start re-queues them.
    for (const slot of this.#pendingSlots.splice(0)) slot.abort();
    while (this.#rotation.take() !== undefined);
    const settled = Promise.all([...this.#running.values()].map((running) => running.settled));
    const onDeadline = (): void => {
      for (const running of this.#running.values()) {
        running.cause ??= 'shutdown';
        running.controller.abort(new Error('shutting down'));
      }
    };
    if (deadline.aborted) onDeadline();
    else deadline.addEventListener('abort', onDeadline, { once: true });
    try {
      await settled;
    } finally {
      deadline.removeEventListener('abort', onDeadline);
    }
  }

  #adjustReserved(userId: string, delta: number): void {
    const count = (this.#reserved.get(userId) ?? 0) + delta;
    if (count === 0) this.#reserved.delete(userId);
    else this.#reserved.set(userId, count);
    this.#reservedTotal += delta;
  }

  #enqueue(job: QueueJob): QueuePosition {
    if (this.#running.has(job.id)) throw new Error(`job ${job.id} is already running`);
    this.#rotation.add(job);
    this.#queuedAt.set(job.id, this.options.now());
    const slot = new AbortController();
    this.#pendingSlots.push(slot);
    // p-queue starts a slot synchronously when a pipeline is free, so the job may be running now.
    this.#pqueue.add(() => this.#runSlot(slot), { signal: slot.signal }).catch(() => {
      // A slot aborted before it started: its job was cancelled or the queue is stopping.
    });
    const running = this.#running.get(job.id);
    const order = running === undefined ? this.#rotation.startOrder(job.id) : [];
    const position =
      running === undefined
        ? this.#positionAt(order, order.findIndex((candidate) => candidate.id === job.id))
        : { position: 0, startsInMs: 0, etaMs: Math.round(this.#remainingMs(running)) };
    this.options.logger?.debug({ jobId: job.id, userId: job.userId, ...position }, 'queue.added');
    this.#changed();
    return position;
  }

  async #runSlot(slot: AbortController): Promise<void> {
    const index = this.#pendingSlots.indexOf(slot);
    if (index >= 0) this.#pendingSlots.splice(index, 1);
    const job = this.#rotation.take();
    if (job === undefined || this.#runner === undefined) return;
    await this.#run(job, this.#runner);
  }

  async #run(job: QueueJob, runner: JobRunner): Promise<void> {
    const now = this.options.now();
    const queuedAt = this.#queuedAt.get(job.id) ?? now;
    this.#queuedAt.delete(job.id);
    const controller = new AbortController();
    let markSettled: () => void = () => {};
    const running: RunningJob = {
      job,
      controller,
      cause: undefined,
      startedAt: now,
      step: 0,
      totalSteps: job.cost.steps,
      lastStepAt: undefined,
      settled: new Promise((resolve) => (markSettled = resolve)),
    };
    this.#running.set(job.id, running);
    this.options.logger?.debug({ jobId: job.id, waitedMs: now - queuedAt }, 'queue.started');
    this.#changed();
    try {
      await runner(job, {
        signal: controller.signal,
        abortCause: () => running.cause,
        reportStep: (step, totalSteps) => this.#recordStep(running, step, totalSteps),
      });
    } catch (error) {
      this.options.logger?.error({ jobId: job.id, err: error }, 'queue.runner_threw');
    } finally {
      this.#running.delete(job.id);
      markSettled();
      this.#changed();
      this.options.logger?.debug({ jobId: job.id, durationMs: this.options.now() - now }, 'queue.finished');
    }
  }

  #recordStep(running: RunningJob, step: number, totalSteps: number): void {
    const now = this.options.now();
    if (running.lastStepAt !== undefined && step > running.step) {
      this.#estimator.record((now - running.lastStepAt) / (step - running.step), running.job.cost.weight);
    }
    running.step = step;
    running.totalSteps = totalSteps;
    running.lastStepAt = now;
    this.#changed();
  }

  #changed(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (error) {
        this.options.logger?.error({ err: error }, 'queue.listener_failed');
      }
    }
  }

  #remainingMs(running: RunningJob): number {
    return this.#estimator.duration(running.totalSteps - running.step, running.job.cost.weight);
  }

  #positionAt(order: readonly QueueJob[], index: number): QueuePosition {
    const plan = this.#plan(order.slice(0, index + 1))[index] ?? { startsInMs: 0, etaMs: 0 };
    return { position: index + 1, startsInMs: Math.round(plan.startsInMs), etaMs: Math.round(plan.etaMs) };
  }

  /** Start and finish estimates of `order` (waiting jobs in start order). */
  #plan(order: readonly QueueJob[]): Array<{ startsInMs: number; etaMs: number }> {
    const runningRemaining = [...this.#running.values()].map((running) => this.#remainingMs(running));
    const durations = order.map((job) => this.#estimator.jobDuration(job.cost));
    return planStarts(runningRemaining, durations, this.options.concurrency);
  }
}
