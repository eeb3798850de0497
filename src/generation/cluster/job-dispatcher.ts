/**
 * Hands waiting jobs to worker processes. One process of the cluster at a time leads (a Redis
 * lock); a round reads the live workers and their BullMQ queues, then the `queued` rows from
 * PostgreSQL, and gives each free worker slot the fair-next job (see fairDispatchOrder) whose
 * model that worker has, preferring a worker whose pipeline is warm for it. Only as many jobs
 * as workers can start now are in BullMQ at any time, so a person who queues twenty jobs cannot
 * fill the transport ahead of the next person's first job. A job whose model no live worker has
 * stays queued and is marked `unroutable` (the bot tells its owner). Rounds run on a timer and
 * on every kick (a job was accepted or finished, a worker came).
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ClusterQueueRepository, QueuedJobRow } from '../../db/cluster-queue.repository.ts';
import { jobCost } from '../jobs/job-cost.ts';
import { fairDispatchOrder } from './fair-dispatch-order.ts';
import { ClusterKeys } from './redis-connection.ts';
import { RedisLock } from './redis-lock.ts';
import type { WorkerAnnouncement, WorkerPresence } from './worker-presence.ts';

/** What a BullMQ job carries: the generation id plus what routing and ETAs need (no parameters). */
export interface DispatchedJob {
  id: string;
  userId: string;
  model: string;
  cost: { steps: number; weight: number };
}

/** How many waiting rows one round looks at. */
const ROUND_ROWS = 500;
/** States of a BullMQ job that still holds a worker slot. */
const HELD_STATES = ['waiting', 'active', 'prioritized', 'delayed'] as const;

export interface JobDispatcherOptions {
  redis: Redis;
  keys: ClusterKeys;
  presence: WorkerPresence;
  repository: ClusterQueueRepository;
  /** Leadership lasts this long without renewal (a few rounds). */
  leaderTtlMs: number;
  logger: Logger;
}

export class JobDispatcher {
  readonly #queues = new Map<string, Queue>();
  readonly #token = RedisLock.token();
  readonly #leader: RedisLock;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(private readonly options: JobDispatcherOptions) {
    this.#leader = new RedisLock(options.redis, options.keys.dispatcher, options.leaderTtlMs);
  }

  /** Runs a round now, or right after the one running (rounds never overlap in a process). */
  kick(): Promise<void> {
    if (this.#running !== undefined) {
      this.#again = true;
      return this.#running;
    }
    this.#running = (async () => {
      do {
        this.#again = false;
        await this.#round().catch((error: unknown) => this.options.logger.warn({ err: error }, 'dispatch.round_failed'));
      } while (this.#again && !this.#closed);
    })().finally(() => (this.#running = undefined));
    return this.#running;
  }

  /** The BullMQ queue of one worker (created once per worker id). */
  queueOf(workerId: string): Queue {
    let queue = this.#queues.get(workerId);
    if (queue === undefined) {
      queue = new Queue(ClusterKeys.workerQueue(workerId), { connection: this.options.redis, prefix: this.options.keys.bull });
      queue.on('error', (error) => this.options.logger.warn({ err: error, workerId }, 'dispatch.queue_error'));
      this.#queues.set(workerId, queue);
    }
    return queue;
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
    await this.#leader.release(this.#token).catch(() => undefined);
    await Promise.all([...this.#queues.values()].map((queue) => queue.close()));
    this.#queues.clear();
  }

  async #round(): Promise<void> {
    if (this.#closed || !(await this.#leader.tryHold(this.#token))) return;
    const { presence, repository, keys, redis } = this.options;
    const workers = await presence.live();
    const free = new Map<string, number>();
    const held = new Set<string>();
    for (const worker of workers) {
      const jobs = await this.queueOf(worker.id).getJobs([...HELD_STATES], 0, worker.concurrency + 50);
      for (const job of jobs) if (job?.id !== undefined) held.add(job.id);
      free.set(worker.id, Math.max(0, worker.concurrency - jobs.length));
    }
    const rows = (await repository.queued(ROUND_ROWS)).filter((row) => !held.has(row.id));
    const order = fairDispatchOrder(rows, await repository.lastStarts([...new Set(rows.map((row) => row.userId))]));
    const unroutable: string[] = [];
    const warm = new Map(workers.map((worker) => [worker.id, worker.warmModel]));
    for (const row of order) {
      const able = workers.filter((worker) => worker.models.includes(row.model));
      if (able.length === 0) {
        unroutable.push(row.id, row.model);
        continue;
      }
      const target = pickWorker(able, free, warm, row.model);
      if (target === undefined) continue;
      await this.#dispatch(target, row);
      free.set(target.id, (free.get(target.id) ?? 1) - 1);
      warm.set(target.id, row.model);
    }
    await redis.multi().del(keys.unroutable).hset(keys.unroutable, ...(unroutable.length > 0 ? unroutable : ['-', '-'])).pexpire(keys.unroutable, 60_000).exec();
    await this.#dropQueuesOfGoneWorkers(workers);
  }

  async #dispatch(worker: WorkerAnnouncement, row: QueuedJobRow): Promise<void> {
    const data: DispatchedJob = { id: row.id, userId: row.userId, model: row.model, cost: jobCost(row) };
    // The generation id as BullMQ job id: adding a job that is already there is a no-op.
    await this.queueOf(worker.id).add('generate', data, { jobId: row.id, removeOnComplete: true, removeOnFail: true, attempts: 1 });
    this.options.logger.debug({ jobId: row.id, workerId: worker.id, model: row.model }, 'dispatch.sent');
  }

  /** Queues of workers that are gone: their waiting rows are still `queued` and go elsewhere. */
  async #dropQueuesOfGoneWorkers(workers: readonly WorkerAnnouncement[]): Promise<void> {
    const live = new Set(workers.map((worker) => worker.id));
    for (const [workerId, queue] of this.#queues) {
      if (live.has(workerId)) continue;
      this.#queues.delete(workerId);
      await queue.obliterate({ force: true }).catch((error: unknown) => this.options.logger.warn({ err: error, workerId }, 'dispatch.obliterate_failed'));
      await queue.close();
    }
  }
}

/** A worker with a free slot for `model`: warm for it first, then the one with most free slots. */
function pickWorker(
  able: readonly WorkerAnnouncement[],
  free: ReadonlyMap<string, number>,
  warm: ReadonlyMap<string, string | undefined>,
  model: string,
): WorkerAnnouncement | undefined {
  let best: WorkerAnnouncement | undefined;
  let bestScore = -1;
  for (const worker of able) {
    const slots = free.get(worker.id) ?? 0;
    if (slots <= 0) continue;
    const score = (warm.get(worker.id) === model ? 1_000 : 0) + slots;
    if (score > bestScore) {
      best = worker;
      bestScore = score;
    }
  }
  return best;
}
