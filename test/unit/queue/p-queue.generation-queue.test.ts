import { describe, expect, it } from 'vitest';
import type { JobContext, QueueJob, ReserveResult } from '../../../src/generation/queue/index.ts';
import { PQueueGenerationQueue } from '../../../src/generation/queue/index.ts';
import type { PQueueGenerationQueueOptions } from '../../../src/generation/queue/index.ts';

/** A runner whose jobs finish only when the test says so. */
class ManualRunner {
  readonly started: string[] = [];
  readonly contexts = new Map<string, JobContext>();
  readonly #finishers = new Map<string, () => void>();

  readonly run = (job: QueueJob, context: JobContext): Promise<void> => {
    this.started.push(job.id);
    this.contexts.set(job.id, context);
    return new Promise((resolve) => {
      this.#finishers.set(job.id, resolve);
      context.signal.addEventListener('abort', () => resolve(), { once: true });
    });
  };

  /** Finishes the job and waits until the queue has started whatever comes next. */
  async finish(jobId: string): Promise<void> {
    const finisher = this.#finishers.get(jobId);
    if (finisher === undefined) throw new Error(`${jobId} is not running`);
    finisher();
    await settle();
  }

  async finishAllInOrder(): Promise<void> {
    for (let index = 0; index < this.started.length; index++) await this.finish(this.started[index] as string);
  }
}

async function settle(): Promise<void> {
  await new Promise((resolve) => setImmediate(resolve));
}

function makeQueue(overrides: Partial<PQueueGenerationQueueOptions> = {}): { queue: PQueueGenerationQueue; clock: { now: number } } {
  const clock = { now: 1_000_000 };
  const queue = new PQueueGenerationQueue({
    concurrency: 1,
    perUserQueued: 100,
    globalQueued: 1000,
    rateLimit: { intervalMs: 60_000, intervalCap: 1000 },
    initialMsPerStep: 100,
    now: () => clock.now,
    logger: undefined,
    ...overrides,
  });
  return { queue, clock };
}

function job(id: string, userId: string, steps = 10, weight = 1): QueueJob {
  return { id, userId, cost: { steps, weight } };
}

async function submit(queue: PQueueGenerationQueue, queued: QueueJob) {
  const result = await queue.reserve(queued.userId);
  if (!result.ok) throw new Error(`refused: ${JSON.stringify(result.refusal)}`);
  return result.reservation.commit(queued);
}

function refusalOf(result: ReserveResult) {
  return result.ok ? undefined : result.refusal;
}

describe('PQueueGenerationQueue fairness', () => {
  it('interleaves 3 people who each queue 10 jobs', async () => {
    const { queue } = makeQueue();
    const runner = new ManualRunner();
    await queue.start(runner.run);
    for (const user of ['A', 'B', 'C']) {
      for (let n = 1; n <= 10; n++) await submit(queue, job(`${user}${n}`, user));
    }
    await runner.finishAllInOrder();
    const expected = Array.from({ length: 10 }, (_, n) => ['A', 'B', 'C'].map((user) => `${user}${n + 1}`)).flat();
    expect(runner.started).toEqual(expected);
  });

  it('puts a newcomer near the front even behind someone with many jobs', async () => {
    const { queue } = makeQueue();
    const runner = new ManualRunner();
    await queue.start(runner.run);
    for (let n = 1; n <= 8; n++) await submit(queue, job(`A${n}`, 'A'));
    const position = await submit(queue, job('B1', 'B'));
    expect(position.position).toBe(1);
    await runner.finish('A1');
    expect(runner.started).toEqual(['A1', 'B1']);
  });

  it('runs as many jobs at once as the concurrency allows', async () => {
    const { queue } = makeQueue({ concurrency: 2 });
    const runner = new ManualRunner();
    await queue.start(runner.run);
    for (const id of ['A1', 'B1', 'C1']) await submit(queue, job(id, id[0] as string));
    expect(runner.started).toEqual(['A1', 'B1']);
    expect((await queue.stats()).running).toBe(2);
  });
});

describe('PQueueGenerationQueue caps and rate limit', () => {
  it('refuses a person’s third waiting job with the per-user cap', async () => {
    const { queue } = makeQueue({ perUserQueued: 2 });
    const runner = new ManualRunner();
    await queue.start(runner.run);
    await submit(queue, job('A1', 'A')); // running: does not count as waiting
    await submit(queue, job('A2', 'A'));
    await submit(queue, job('A3', 'A'));
    expect(refusalOf(await queue.reserve('A'))).toEqual({ code: 'queue_full', scope: 'user', limit: 2 });
    // Someone else is not affected.
    expect((await queue.reserve('B')).ok).toBe(true);
  });

  it('refuses everyone once the global cap of waiting jobs is reached', async () => {
    const { queue } = makeQueue({ globalQueued: 2 });
    const runner = new ManualRunner();
    await queue.start(runner.run);
    for (const id of ['A1', 'B1', 'C1']) await submit(queue, job(id, id[0] as string));
    expect(refusalOf(await queue.reserve('D'))).toEqual({ code: 'queue_full', scope: 'everyone', limit: 2 });
    await runner.finish('A1');
    expect((await queue.reserve('D')).ok).toBe(true);
  });

  it('counts reservations that are not committed yet, and frees them on release', async () => {
    const { queue } = makeQueue({ perUserQueued: 2 });
    await queue.start(new ManualRunner().run);
    const first = await queue.reserve('A');
    const second = await queue.reserve('A');
    expect(first.ok && second.ok).toBe(true);
    expect(refusalOf(await queue.reserve('A'))?.code).toBe('queue_full');
    if (first.ok) first.reservation.release();
    expect((await queue.reserve('A')).ok).toBe(true);
  });

  it('refuses requests beyond intervalCap per interval and says when to retry', async () => {
    const { queue, clock } = makeQueue({ rateLimit: { intervalMs: 60_000, intervalCap: 3 } });
    await queue.start(new ManualRunner().run);
    for (const user of ['A', 'B', 'C']) {
      await submit(queue, job(`${user}1`, user));
      clock.now += 10_000;
    }
    // Accepted at t=0, 10 s, 20 s; now t=30 s: the first leaves the window at t=60 s.
    expect(refusalOf(await queue.reserve('D'))).toEqual({ code: 'rate_limited', retryAfterMs: 30_000 });
    clock.now += 30_001;
    expect((await queue.reserve('D')).ok).toBe(true);
  });

  it('does not refuse jobs re-queued after a restart, whatever the caps and the rate window', async () => {
    const { queue } = makeQueue({ perUserQueued: 1, globalQueued: 1, rateLimit: { intervalMs: 60_000, intervalCap: 1 } });
    const runner = new ManualRunner();
    await queue.start(runner.run);
    for (let n = 1; n <= 4; n++) await queue.requeue(job(`A${n}`, 'A'));
    expect(await queue.stats()).toMatchObject({ running: 1, waiting: 3 });
    expect(await queue.position('A4')).toMatchObject({ position: 3 });
  });

  it('starts at most intervalCap jobs per interval', async () => {
    const { queue } = makeQueue({ rateLimit: { intervalMs: 60_000, intervalCap: 2 } });
    const runner = new ManualRunner();
    await queue.start(runner.run);
    for (let n = 1; n <= 3; n++) await queue.requeue(job(`A${n}`, 'A'));
    await runner.finish('A1');
    await runner.finish('A2');
    // Two starts used the window (p-queue measures it on the real clock): A3 waits.
    expect(runner.started).toEqual(['A1', 'A2']);
  });
});

describe('PQueueGenerationQueue cancel and stop', () => {
  it('removes a waiting job so it never runs, and keeps running the rest', async () => {
    const { queue } = makeQueue();
    const runner = new ManualRunner();
    await queue.start(runner.run);
    for (const id of ['A1', 'A2', 'A3']) await submit(queue, job(id, 'A'));
    expect(await queue.cancel('A2')).toBe('removed');
    expect(await queue.position('A2')).toBeUndefined();
    await runner.finishAllInOrder();
    expect(runner.started).toEqual(['A1', 'A3']);
    // Nothing is left over: a later job still starts at once.
    await submit(queue, job('B1', 'B'));
    expect(runner.started).toEqual(['A1', 'A3', 'B1']);
  });

  it('aborts a running job with the cause "cancelled"', async () => {
    const { queue } = makeQueue();
    const runner = new ManualRunner();
    await queue.start(runner.run);
    await submit(queue, job('A1', 'A'));
    await submit(queue, job('B1', 'B'));
    expect(await queue.cancel('A1')).toBe('aborted');
    const context = runner.contexts.get('A1');
    expect(context?.signal.aborted).toBe(true);
    expect(context?.abortCause()).toBe('cancelled');
    await settle();
    expect(runner.started).toEqual(['A1', 'B1']);
    expect(await queue.cancel('nope')).toBe('unknown');
  });

  it('stops: waits for the running job, aborts it with cause "shutdown" at the deadline, starts nothing else', async () => {
    const { queue } = makeQueue();
    const runner = new ManualRunner();
    await queue.start(runner.run);
    await submit(queue, job('A1', 'A'));
    await submit(queue, job('B1', 'B'));
    const deadline = new AbortController();
    let stopped = false;
    const stopping = queue.stop(deadline.signal).then(() => (stopped = true));
    await settle();
    expect(stopped).toBe(false);
    expect(refusalOf(await queue.reserve('C'))?.code).toBe('queue_full');
    deadline.abort();
    await stopping;
    expect(runner.contexts.get('A1')?.abortCause()).toBe('shutdown');
    expect(runner.started).toEqual(['A1']);
  });
});

describe('PQueueGenerationQueue positions and ETA', () => {
  it('estimates start and finish from the step time and the jobs ahead', async () => {
    const { queue } = makeQueue({ initialMsPerStep: 100 });
    const runner = new ManualRunner();
    await queue.start(runner.run);
    expect(await submit(queue, job('A1', 'A', 10, 1))).toEqual({ position: 0, startsInMs: 0, etaMs: 1000 });
    // 4 images of 512² weigh 4: 10 steps × 4 × 100 ms.
    expect(await submit(queue, job('B1', 'B', 10, 4))).toEqual({ position: 1, startsInMs: 1000, etaMs: 5000 });
    expect(await queue.position('B1')).toEqual({ position: 1, startsInMs: 1000, etaMs: 5000 });
  });

  it('follows measured step times and the steps already done', async () => {
    const { queue, clock } = makeQueue({ initialMsPerStep: 100 });
    const runner = new ManualRunner();
    await queue.start(runner.run);
    await submit(queue, job('A1', 'A', 10, 1));
    await submit(queue, job('B1', 'B', 10, 1));
    const context = runner.contexts.get('A1') as JobContext;
    const before = await queue.position('B1');
    // Steps take 1 s, ten times the initial guess.
    for (let step = 1; step <= 5; step++) {
      context.reportStep(step, 10);
      clock.now += 1000;
    }
    const after = await queue.position('B1');
    expect(after?.startsInMs).toBeGreaterThan(before?.startsInMs ?? Infinity);
    expect(after?.etaMs).toBeGreaterThan(before?.etaMs ?? Infinity);
  });
});

describe('PQueueGenerationQueue: waiting jobs and changes', () => {
  it('lists every waiting job in start order with its position, and says when the queue moved', async () => {
    const { queue } = makeQueue();
    const runner = new ManualRunner();
    let changes = 0;
    queue.onChange(() => changes++);
    await queue.start(runner.run);
    await submit(queue, job('A1', 'alice'));
    await submit(queue, job('B1', 'bob'));
    await submit(queue, job('C1', 'carol'));
    await settle();
    expect((await queue.waiting()).map((entry) => [entry.jobId, entry.position.position])).toEqual([
      ['B1', 1],
      ['C1', 2],
    ]);
    const waitingEtas = (await queue.waiting()).map((entry) => entry.position.etaMs);
    expect(waitingEtas).toEqual([(await queue.position('B1'))?.etaMs, (await queue.position('C1'))?.etaMs]);
    const before = changes;
    await runner.finish('A1');
    expect(changes).toBeGreaterThan(before);
    expect((await queue.waiting()).map((entry) => [entry.jobId, entry.position.position])).toEqual([['C1', 1]]);
    const beforeCancel = changes;
    await queue.cancel('C1');
    expect(changes).toBeGreaterThan(beforeCancel);
    expect(await queue.waiting()).toEqual([]);
  });
});
