/**
 * The cluster parts of one process, from the configuration (`queue.backend: redis`): the BullMQ
 * queue (running jobs here when this process is a worker), the service's events (job events
 * through Redis), and for a process that serves chat, the relay that brings job events back to
 * its adapters. Roles: `all` (start: chat and jobs), `bot` (start --role bot: chat only, no
 * ONNX sessions), `worker` (darkroom worker: jobs only).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { QueueConfig } from '../../config/config.types.ts';
import { PrismaClusterQueueRepository } from '../../db/cluster-queue.repository.ts';
import type { Database } from '../../db/database.ts';
import type { Platform } from '../../db/domain.types.ts';
import type { Repositories } from '../../db/repositories.ts';
import type { ImageStore } from '../../storage/image.store.ts';
import type { EventFanout } from '../jobs/events-fanout.ts';
import type { GenerationEvents } from '../jobs/job.types.ts';
import type { NsfwMode } from '../jobs/nsfw-delivery.ts';
import type { ModelDirectory } from '../requests/model-directory.ts';
import { BullmqGenerationQueue, DEFAULT_CLUSTER_TIMING, type ClusterTiming } from './bullmq.generation-queue.ts';
import { ClusterEventRelay } from './cluster-event-relay.ts';
import { ClusterEvents } from './cluster-events.ts';
import { ClusterModelDirectory } from './cluster-model-directory.ts';
import { ClusterKeys, openRedis } from './redis-connection.ts';

export type ProcessRole = 'all' | 'bot' | 'worker';

/** Step time assumed for ETAs before a step was measured. */
const INITIAL_MS_PER_STEP = 1_000;

export interface ClusterPartsOptions {
  queue: QueueConfig;
  database: Database;
  models: ModelDirectory;
  role: ProcessRole;
  logger: Logger;
  now: () => number;
  /** Shorter heartbeats and expiries for tests. */
  timing?: ClusterTiming;
}

export function createClusterParts(options: ClusterPartsOptions) {
  const { queue: config, role, logger, now } = options;
  const url = config.redis.url;
  if (url === null) throw new Error('queue.backend is redis but REDIS_URL is not set');
  const keys = new ClusterKeys(config.redis.prefix);
  const repository = new PrismaClusterQueueRepository(options.database.prisma);
  const workerId = `w-${randomBytes(6).toString('hex')}`;
  const queue = new BullmqGenerationQueue({
    redisUrl: url,
    keys,
    repository,
    worker:
      role === 'bot'
        ? undefined
        : {
            id: workerId,
            models: async () => [...(await options.models.list())],
            concurrency: config.concurrency,
            process: `${hostname()}/${process.pid}`,
          },
    perUserQueued: config.perUserQueued,
    globalQueued: config.globalQueued,
    rateLimit: config.rateLimit,
    initialMsPerStep: INITIAL_MS_PER_STEP,
    timing: options.timing ?? DEFAULT_CLUSTER_TIMING,
    now,
    logger: logger.child({ component: 'cluster-queue' }),
  });
  const publisher = openRedis(url, 'darkroom-events-out');
  publisher.on('error', (error) => logger.warn({ err: error.message }, 'redis.connection_error'));
  const serviceEvents = (adapters: EventFanout): GenerationEvents =>
    new ClusterEvents(publisher, keys.events, role === 'worker' ? undefined : adapters, logger.child({ component: 'cluster-events' }));
  /** The relay of a process that serves chat (not for workers). */
  const relay = (parts: {
    adapters: EventFanout;
    repositories: Pick<Repositories, 'generations' | 'users' | 'chatEvents'>;
    store: Pick<ImageStore, 'get'>;
    platforms: readonly Platform[];
    nsfw: NsfwMode;
  }): ClusterEventRelay => {
    const relay = new ClusterEventRelay({ redisUrl: url, keys, events: parts.adapters, repositories: parts.repositories, repository, store: parts.store, platforms: parts.platforms, nsfw: parts.nsfw, now, logger: logger.child({ component: 'cluster-relay' }) });
    parts.adapters.add(relay.ownership);
    return relay;
  };
  /** What a bot process offers: the models installed here and those the live workers announce. */
  const models = role === 'worker' ? options.models : new ClusterModelDirectory(options.models, () => queue.liveWorkers(), now);
  return { queue, keys, models, workerId: role === 'bot' ? undefined : workerId, serviceEvents, relay, close: async () => void (await publisher.quit().catch(() => undefined)) };
}
