/**
 * Which worker processes are alive and what they can run. A worker announces itself every
 * `heartbeatMs` (its models, how many jobs it runs at once, the model its pipeline holds); an
 * announcement lives `ttlMs`, so a worker killed with -9 disappears on its own.
 */
import type { Redis } from 'ioredis';
import type { ModelProfile } from '../requests/imagine-parameters.ts';
import type { ClusterKeys } from './redis-connection.ts';

/** One worker as it announces itself. */
export interface WorkerAnnouncement {
  id: string;
  /** Models installed on that machine… */
  models: string[];
  /** …with their native size and recommended settings (bot processes validate requests against them). */
  profiles: ModelProfile[];
  /** Jobs it runs at once. */
  concurrency: number;
  /** The model of its last job (its pipeline is warm for it), if any. */
  warmModel: string | undefined;
  /** `<host>/<pid>`, for operators. */
  process: string;
}

export class WorkerPresence {
  constructor(
    private readonly redis: Redis,
    private readonly keys: ClusterKeys,
    private readonly now: () => number,
  ) {}

  /** Writes (or refreshes) a worker's announcement for `ttlMs`. */
  async announce(worker: WorkerAnnouncement, ttlMs: number): Promise<void> {
    await this.redis
      .multi()
      .set(this.keys.worker(worker.id), JSON.stringify(worker), 'PX', ttlMs)
      .zadd(this.keys.workers, this.now() + ttlMs, worker.id)
      .exec();
  }

  /** Removes a worker at once (graceful stop). */
  async withdraw(workerId: string): Promise<void> {
    await this.redis.multi().del(this.keys.worker(workerId)).zrem(this.keys.workers, workerId).exec();
  }

  /** Workers whose announcement has not expired. */
  async live(): Promise<WorkerAnnouncement[]> {
    const now = this.now();
    await this.redis.zremrangebyscore(this.keys.workers, '-inf', now);
    const ids = await this.redis.zrangebyscore(this.keys.workers, now, '+inf');
    if (ids.length === 0) return [];
    const values = await this.redis.mget(ids.map((id) => this.keys.worker(id)));
    const workers: WorkerAnnouncement[] = [];
    for (const value of values) if (value !== null) workers.push(JSON.parse(value) as WorkerAnnouncement);
    return workers;
  }
}
