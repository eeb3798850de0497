/**
 * Builds the generation side of Darkroom from the configuration, for the composition root:
 * the in-process queue, the shared policy cache, the generation and moderation services, the
 * event fan-out the chat adapters subscribe to, and a lifecycle Service (start = re-queue what
 * a previous run left and start the queue; stop = finish or abort the running job).
 */
import type { Logger } from 'pino';
import type { DarkroomConfig } from '../config/config.types.ts';
import type { Database } from '../db/database.ts';
import { createRepositories } from '../db/repositories.ts';
import { PrismaUsageRepository } from '../db/usage.repository.ts';
import type { Service } from '../lifecycle/services.ts';
import type { ImageStore } from '../storage/image.store.ts';
import type { ImageEngine } from './engine.types.ts';
import { PQueueGenerationQueue } from './queue/p-queue.generation-queue.ts';
import { EventFanout } from './jobs/events-fanout.ts';
import { GenerationService } from './jobs/generation.service.ts';
import type { ModelDirectory } from './requests/model-directory.ts';
import { ModerationService } from './moderation/moderation.service.ts';
import { PolicyCache } from './requests/policy-cache.ts';

/** Least time between two progress updates of one job (chat platforms limit message edits). */
export const PROGRESS_INTERVAL_MS = 1_500;
/** How long cached people, settings and block lists may be stale for other processes. */
export const POLICY_CACHE_TTL_MS = 10_000;
/** Step time assumed for ETAs before the first job has been measured (CPU-ish; learnt quickly). */
const INITIAL_MS_PER_STEP = 1_000;

export interface GenerationServicesOptions {
  /** `generation.imagesPerJob` is the count of a job whose request and /settings name none. */
  config: Pick<DarkroomConfig, 'queue' | 'limits' | 'moderation' | 'engine' | 'generation'>;
  database: Database;
  engine: ImageEngine;
  store: ImageStore;
  models: ModelDirectory;
  logger: Logger;
  /** Epoch milliseconds; Date.now outside tests. */
  now: () => number;
}

export function createGenerationServices(options: GenerationServicesOptions) {
  const { config, database, logger, now } = options;
  const repositories = createRepositories(database, () => new Date(now()));
  const usage = new PrismaUsageRepository(database.prisma);
  const cache = new PolicyCache({ ttlMs: POLICY_CACHE_TTL_MS, now, maxEntries: 10_000 });
  const events = new EventFanout();
  const queue = new PQueueGenerationQueue({
    concurrency: config.queue.concurrency,
    perUserQueued: config.queue.perUserQueued,
    globalQueued: config.queue.globalQueued,
    rateLimit: config.queue.rateLimit,
    initialMsPerStep: INITIAL_MS_PER_STEP,
    now,
    logger: logger.child({ component: 'queue' }),
  });
  const generation = new GenerationService({
    repositories,
    counter: usage,
    cache,
    queue,
    engine: options.engine,
    store: options.store,
    models: options.models,
    events,
    policy: {
      limits: config.limits,
      quotas: config.queue.quotas,
      blockedTerms: config.moderation.blockedTerms,
      nsfw: config.moderation.nsfw,
      previews: config.engine.previews,
      defaultCount: config.generation.imagesPerJob,
      progressIntervalMs: PROGRESS_INTERVAL_MS,
    },
    now,
    random: Math.random,
    logger: logger.child({ component: 'generation' }),
  });
  const moderation = new ModerationService({
    repositories,
    usage,
    limits: config.limits,
    configTerms: config.moderation.blockedTerms,
    cache,
    logger: logger.child({ component: 'moderation' }),
  });
  const service: Service = {
    name: 'generation',
    start: async () => {
      await generation.start();
    },
    stop: (deadline) => generation.stop(deadline),
  };
  return { generation, moderation, events, queue, cache, repositories, service };
}
