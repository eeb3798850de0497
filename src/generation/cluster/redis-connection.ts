/**
 * Redis connections and key names of the cluster (BullMQ queue backend). Redis is transport
 * only: PostgreSQL holds every job row, so a Redis that restarts empty loses nothing that the
 * dispatcher cannot rebuild from the `queued` rows.
 */
import { Redis } from 'ioredis';

/**
 * A new connection. `maxRetriesPerRequest: null` as BullMQ requires (a command waits for the
 * connection to come back instead of failing), reconnecting forever with a capped pause.
 */
export function openRedis(url: string, name: string): Redis {
  return new Redis(url, {
    connectionName: name,
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(times * 200, 2_000),
    lazyConnect: false,
  });
}

/** Every key and channel Darkroom writes, under one prefix (several clusters may share a Redis). */
export class ClusterKeys {
  constructor(readonly prefix: string) {}

  /** BullMQ's own key prefix (its queues live under it). */
  get bull(): string {
    return `${this.prefix}:bull`;
  }
  /** Sorted set: worker id → when its announcement expires (epoch ms). */
  get workers(): string {
    return `${this.prefix}:workers`;
  }
  worker(id: string): string {
    return `${this.prefix}:worker:${id}`;
  }
  /** The dispatcher's leader lock. */
  get dispatcher(): string {
    return `${this.prefix}:dispatcher`;
  }
  /** Held while one request is admitted (caps are checked and its row written). */
  get admission(): string {
    return `${this.prefix}:admission`;
  }
  /** Sorted set of accepted requests in the rate-limit window. */
  get accepted(): string {
    return `${this.prefix}:accepted`;
  }
  /** Hash: waiting job id → the model no live worker has. */
  get unroutable(): string {
    return `${this.prefix}:unroutable`;
  }
  /** Channel: "look at the queue now" (a job was added or finished, a worker came). */
  get kick(): string {
    return `${this.prefix}:kick`;
  }
  /** Channel: cancel a running job (`cancel <id>`). */
  get control(): string {
    return `${this.prefix}:control`;
  }
  /** Channel: job lifecycle events from workers to bot processes. */
  get events(): string {
    return `${this.prefix}:events`;
  }
  /** The BullMQ queue name of one worker's jobs. */
  static workerQueue(workerId: string): string {
    return `jobs-${workerId}`;
  }
}
