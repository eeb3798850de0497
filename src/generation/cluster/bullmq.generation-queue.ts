/**
 * The generation queue of a cluster: PostgreSQL holds the jobs (`queued` rows), Redis carries
 * them. Every process (bot or worker) admits under one cluster-wide Redis lock, so the caps and
 * the rate window hold for the whole cluster; a {@link JobDispatcher} (one leader at a time)
 * hands the fair-next jobs to free worker slots; a worker process runs the jobs of its own
 * BullMQ queue with the service's runner (which claims the row's lease, so a job completes once
 * whatever Redis does). A bot process runs nothing (`worker` undefined).
 */
import { Worker, type Job } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ClusterQueueRepository } from '../../db/cluster-queue.repository.ts';
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
} from '../queue/generation-queue.ts';
import { StepTimeEstimator, planStarts } from '../queue/step-time.estimator.ts';
import { jobCost } from '../jobs/job-cost.ts';
import { fairDispatchOrder } from './fair-dispatch-order.ts';
import { JobDispatcher, type DispatchedJob } from './job-dispatcher.ts';
import { ClusterKeys, openRedis } from './redis-connection.ts';
import { RedisLock } from './redis-lock.ts';
import { WorkerPresence, type WorkerAnnouncement } from './worker-presence.ts';
import type { ModelProfile } from '../requests/imagine-parameters.ts';

/** This process runs jobs: its id, models and slots. */
export interface ClusterWorkerOptions {
  id: string;
  /** Models installed here (read at each heartbeat). */
  models: () => Promise<ModelProfile[]>;
  concurrency: number;
  /** `<host>/<pid>`, shown to operators. */
  process: string;
}

export interface BullmqGenerationQueueOptions {
  redisUrl: string;
  keys: ClusterKeys;
  repository: ClusterQueueRepository;
  worker: ClusterWorkerOptions | undefined;
  perUserQueued: number;
  globalQueued: number;
  /** At most `intervalCap` requests accepted in any `intervalMs`, cluster-wide. */
  rateLimit: { intervalMs: number; intervalCap: number };
  initialMsPerStep: number;
  timing: ClusterTiming;
  now: () => number;
  logger: Logger;
}

/** Heartbeats and expiries; tests shorten them. */
export interface ClusterTiming {
  /** A worker re-announces itself this often… */
  heartbeatMs: number;
  /** …and is taken for gone this long after its last announcement. */
  workerTtlMs: number;
  /** A dispatch round at least this often (besides kicks). */
  dispatchEveryMs: number;
  /** BullMQ lock of an active job (stalled-job detection). */
  jobLockMs: number;
}

export const DEFAULT_CLUSTER_TIMING: ClusterTiming = { heartbeatMs: 2_000, workerTtlMs: 6_000, dispatchEveryMs: 1_000, jobLockMs: 30_000 };

/** How long a request waits for the admission lock before the request fails. */
const ADMISSION_WAIT_MS = 10_000;
/** The admission lock outlives a slow row insert, not a dead process. */
const ADMISSION_LOCK_MS = 10_000;
/** Positions are computed from one snapshot of the waiting rows for this long. */
const SNAPSHOT_MS = 500;

interface RunningHere {
  controller: AbortController;
  cause: AbortCause | undefined;
  settled: Promise<void>;
}

export class BullmqGenerationQueue implements GenerationQueue {
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  readonly #keys: ClusterKeys;
  readonly #presence: WorkerPresence;
  readonly #dispatcher: JobDispatcher;
  readonly #admission: RedisLock;
  readonly #estimator: StepTimeEstimator;
  readonly #listeners: Array<() => void> = [];
  readonly #running = new Map<string, RunningHere>();
  #worker: Worker | undefined;
  /** The BullMQ worker's own connection (BullMQ does not close a connection it was given). */
  #workerConnection: Redis | undefined;
  #timers: NodeJS.Timeout[] = [];
  #warmModel: string | undefined;
  #snapshot: { at: number; order: WaitingJob[]; running: number } | undefined;
  #started = false;
  #stopping = false;

  constructor(private readonly options: BullmqGenerationQueueOptions) {
    this.#keys = options.keys;
    this.#redis = openRedis(options.redisUrl, 'darkroom-queue');
    this.#subscriber = openRedis(options.redisUrl, 'darkroom-queue-events');
    for (const connection of [this.#redis, this.#subscriber]) {
      connection.on('error', (error) => options.logger.warn({ err: error.message }, 'redis.connection_error'));
    }
    this.#presence = new WorkerPresence(this.#redis, this.#keys, options.now);
    this.#dispatcher = new JobDispatcher({
      redis: this.#redis,
      keys: this.#keys,
      presence: this.#presence,
      repository: options.repository,
      leaderTtlMs: Math.max(3 * options.timing.dispatchEveryMs, 3_000),
      logger: options.logger.child({ part: 'dispatcher' }),
    });
    this.#admission = new RedisLock(this.#redis, this.#keys.admission, ADMISSION_LOCK_MS);
    this.#estimator = new StepTimeEstimator(options.initialMsPerStep);
  }

  async start(runner: JobRunner): Promise<void> {
    if (this.#started) throw new Error('the queue was already started');
    this.#started = true;
    const { timing, worker } = this.options;
    await this.#subscriber.subscribe(this.#keys.kick, this.#keys.control);
    this.#subscriber.on('message', (channel: string, message: string) => this.#onMessage(channel, message));
    if (worker !== undefined) {
      await this.#announce();
      const connection = (this.#workerConnection = openRedis(this.options.redisUrl, `darkroom-worker-${worker.id}`));
      connection.on('error', (error) => this.options.logger.warn({ err: error.message }, 'redis.connection_error'));
      this.#worker = new Worker(ClusterKeys.workerQueue(worker.id), (job: Job<DispatchedJob>) => this.#process(job, runner), {
        connection,
        prefix: this.#keys.bull,
        concurrency: worker.concurrency,
        lockDuration: timing.jobLockMs,
        // The row's lease decides who runs a job; a stalled BullMQ job is simply offered again.
        maxStalledCount: 1,
      });
      this.#worker.on('error', (error) => this.options.logger.warn({ err: error.message }, 'worker.bullmq_error'));
      this.#timers.push(setInterval(() => void this.#announce(), timing.heartbeatMs));
    }
    this.#timers.push(setInterval(() => void this.#dispatcher.kick(), timing.dispatchEveryMs));
    // Waiting jobs' messages follow what the leader decided (a model no worker has, a worker that came).
    this.#timers.push(setInterval(() => this.#changed(), 2 * timing.dispatchEveryMs));
    for (const timer of this.#timers) timer.unref();
    await this.#kick();
  }

  async reserve(userId: string): Promise<ReserveResult> {
    const { perUserQueued, globalQueued, rateLimit, now, repository } = this.options;
    if (this.#stopping) return { ok: false, refusal: { code: 'queue_full', scope: 'everyone', limit: 0 } };
    const token = RedisLock.token();
    if (!(await this.#admission.acquire(token, ADMISSION_WAIT_MS))) throw new Error('the cluster admission lock stayed busy (Redis slow or unreachable)');
    const unlock = () => this.#admission.release(token).catch((error: unknown) => this.options.logger.warn({ err: error }, 'queue.unlock_failed'));
    try {
      const counts = await repository.countQueued(userId);
      if (counts.user >= perUserQueued) {
        await unlock();
        return { ok: false, refusal: { code: 'queue_full', scope: 'user', limit: perUserQueued } };
      }
      if (counts.total >= globalQueued) {
        await unlock();
        return { ok: false, refusal: { code: 'queue_full', scope: 'everyone', limit: globalQueued } };
      }
      const at = now();
      await this.#redis.zremrangebyscore(this.#keys.accepted, '-inf', at - rateLimit.intervalMs);
      const inWindow = await this.#redis.zrange(this.#keys.accepted, 0, -1, 'WITHSCORES');
      if (inWindow.length / 2 >= rateLimit.intervalCap) {
        await unlock();
        const oldest = Number(inWindow[1] ?? at);
        return { ok: false, refusal: { code: 'rate_limited', retryAfterMs: Math.max(1, oldest + rateLimit.intervalMs - at) } };
      }
      await this.#redis.zadd(this.#keys.accepted, at, token);
    } catch (error) {
      await unlock();
      throw error;
    }
    let open = true;
    const close = () => {
      if (!open) throw new Error('this reservation was already used');
      open = false;
    };
    return {
      ok: true,
      reservation: {
        commit: async (job) => {
          close();
          if (job.userId !== userId) throw new Error(`reservation of ${userId} used for a job of ${job.userId}`);
          // The row exists now (written under the lock), so the next admission counts it.
          await unlock();
          await this.#kick();
          return this.#positionOrEstimate(job);
        },
        release: () => {
          close();
          void this.#redis.zrem(this.#keys.accepted, token).catch(() => undefined);
          void unlock();
        },
      },
    };
  }

  async requeue(job: QueueJob): Promise<QueuePosition> {
    await this.#kick();
    return this.#positionOrEstimate(job);
  }

  async cancel(jobId: string): Promise<CancelOutcome> {
    // The row is already `cancelled`: a worker's claim or success transaction now fails. Abort it where it runs.
    const here = this.#abortHere(jobId, 'cancelled');
    await this.#redis.publish(this.#keys.control, `cancel ${jobId}`);
    return here ? 'aborted' : 'removed';
  }

  async position(jobId: string): Promise<QueuePosition | undefined> {
    if (this.#running.has(jobId)) return { position: 0, startsInMs: 0, etaMs: 0 };
    const snapshot = await this.#snapshotNow();
    return snapshot.order.find((waiting) => waiting.jobId === jobId)?.position;
  }

  async stats(): Promise<QueueStats> {
    const snapshot = await this.#snapshotNow();
    return { waiting: snapshot.order.length, running: snapshot.running, msPerStep: this.#estimator.msPerStep };
  }

  async waiting(): Promise<WaitingJob[]> {
    return (await this.#snapshotNow()).order;
  }

  /** The model no live worker has, for a waiting job that cannot be routed (else undefined). */
  async unroutableModel(jobId: string): Promise<string | undefined> {
    return (await this.#redis.hget(this.#keys.unroutable, jobId)) ?? undefined;
  }

  /** Worker processes whose heartbeat is current. */
  liveWorkers(): Promise<WorkerAnnouncement[]> {
    return this.#presence.live();
  }

  onChange(listener: () => void): void {
    this.#listeners.push(listener);
  }

  async stop(deadline: AbortSignal): Promise<void> {
    this.#stopping = true;
    for (const timer of this.#timers) clearInterval(timer);
    const worker = this.options.worker;
    if (worker !== undefined) await this.#presence.withdraw(worker.id).catch(() => undefined);
    const onDeadline = (): void => {
      for (const jobId of this.#running.keys()) this.#abortHere(jobId, 'shutdown');
    };
    if (deadline.aborted) onDeadline();
    else deadline.addEventListener('abort', onDeadline, { once: true });
    try {
      // Waits for the jobs running here; jobs still waiting in this worker's queue stay `queued` rows.
      await this.#worker?.close();
      await Promise.all([...this.#running.values()].map((running) => running.settled));
    } finally {
      deadline.removeEventListener('abort', onDeadline);
    }
    if (worker !== undefined) await this.#dispatcher.queueOf(worker.id).obliterate({ force: true }).catch(() => undefined);
    await this.#dispatcher.close();
    await this.#kick().catch(() => undefined);
    this.#subscriber.disconnect();
    this.#workerConnection?.disconnect();
    await this.#redis.quit().catch(() => undefined);
  }

  async #process(job: Job<DispatchedJob>, runner: JobRunner): Promise<void> {
    const data = job.data;
    const controller = new AbortController();
    let settle: () => void = () => {};
    const running: RunningHere = { controller, cause: undefined, settled: new Promise((resolve) => (settle = resolve)) };
    this.#running.set(data.id, running);
    this.#warmModel = data.model;
    this.#changed();
    let lastStep: { step: number; at: number } | undefined;
    try {
      await runner(
        { id: data.id, userId: data.userId, cost: data.cost },
        {
          signal: controller.signal,
          abortCause: () => running.cause,
          reportStep: (step) => {
            const at = this.options.now();
            if (lastStep !== undefined && step > lastStep.step) this.#estimator.record((at - lastStep.at) / (step - lastStep.step), data.cost.weight);
            lastStep = { step, at };
          },
        },
      );
    } catch (error) {
      this.options.logger.error({ jobId: data.id, err: error }, 'queue.runner_threw');
    } finally {
      this.#running.delete(data.id);
      settle();
      this.#changed();
      void this.#kick().catch(() => undefined);
    }
  }

  #abortHere(jobId: string, cause: AbortCause): boolean {
    const running = this.#running.get(jobId);
    if (running === undefined) return false;
    running.cause ??= cause;
    running.controller.abort(new Error(cause === 'cancelled' ? 'generation cancelled' : 'shutting down'));
    return true;
  }

  #onMessage(channel: string, message: string): void {
    if (channel === this.#keys.control && message.startsWith('cancel ')) {
      this.#abortHere(message.slice('cancel '.length), 'cancelled');
      return;
    }
    if (channel === this.#keys.kick) {
      this.#snapshot = undefined;
      void this.#dispatcher.kick();
      this.#changed();
    }
  }

  async #kick(): Promise<void> {
    this.#snapshot = undefined;
    await this.#redis.publish(this.#keys.kick, '1');
  }

  async #announce(): Promise<void> {
    const worker = this.options.worker;
    if (worker === undefined || this.#stopping) return;
    try {
      const profiles = await worker.models();
      await this.#presence.announce(
        { id: worker.id, models: profiles.map((profile) => profile.name), profiles, concurrency: worker.concurrency, warmModel: this.#warmModel, process: worker.process },
        this.options.timing.workerTtlMs,
      );
    } catch (error) {
      this.options.logger.warn({ err: error }, 'worker.announce_failed');
    }
  }

  /** Waiting jobs in fair order with estimates, from one read of PostgreSQL and Redis. */
  async #snapshotNow(): Promise<{ order: WaitingJob[]; running: number }> {
    const now = this.options.now();
    if (this.#snapshot !== undefined && (this.#stopping || now - this.#snapshot.at < SNAPSHOT_MS)) return this.#snapshot;
    // Stopped: the connections are closing; nothing waits here any more.
    if (this.#stopping) return { order: [], running: 0 };
    const { repository } = this.options;
    const [rows, running, workers, unroutable] = await Promise.all([
      repository.queued(500),
      repository.countRunning(),
      this.#presence.live(),
      this.#redis.hgetall(this.#keys.unroutable),
    ]);
    const ordered = fairDispatchOrder(rows, await repository.lastStarts([...new Set(rows.map((row) => row.userId))]));
    const slots = Math.max(1, workers.reduce((sum, worker) => sum + worker.concurrency, 0));
    const busy = Array.from({ length: Math.min(running, slots) }, () => this.#estimator.jobDuration({ steps: 10, weight: 1 }) / 2);
    const plan = planStarts(busy, ordered.map((row) => this.#estimator.jobDuration(jobCost(row))), slots);
    const order = ordered.map((row, index) => {
      const planned = plan[index] ?? { startsInMs: 0, etaMs: 0 };
      const position: QueuePosition = { position: index + 1, startsInMs: Math.round(planned.startsInMs), etaMs: Math.round(planned.etaMs) };
      const model = unroutable[row.id];
      return { jobId: row.id, position: model === undefined ? position : { ...position, noWorkerFor: model } };
    });
    this.#snapshot = { at: now, order, running };
    return this.#snapshot;
  }

  async #positionOrEstimate(job: QueueJob): Promise<QueuePosition> {
    return (await this.position(job.id)) ?? { position: 1, startsInMs: 0, etaMs: Math.round(this.#estimator.jobDuration(job.cost)) };
  }

  #changed(): void {
    for (const listener of this.#listeners) {
      try {
        listener();
      } catch (error) {
        this.options.logger.error({ err: error }, 'queue.listener_failed');
      }
    }
  }
}
