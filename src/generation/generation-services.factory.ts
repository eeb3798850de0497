/**
 * The one wiring of the generation side, for the composition root, the worker process, tests
 * and benches alike: repositories (the database's, or memory ones) and a queue in; the shared
 * policy cache, the generation and moderation services, the event fan-out the chat adapters
 * subscribe to, and a lifecycle Service (start = re-queue what a previous run left and start
 * the queue; stop = finish or abort the running job) out.
 */
import type { Logger } from 'pino';
import type { DarkroomConfig } from '../config/config.types.ts';
import type { Repositories } from '../db/repositories.ts';
import type { UsageRepository } from '../db/usage.repository.ts';
import type { Service } from '../lifecycle/services.ts';
import type { ImageStore } from '../storage/image.store.ts';
import type { ImageEngine } from './engine.types.ts';
import type { GenerationQueue } from './queue/generation-queue.ts';
import { PQueueGenerationQueue, type PQueueGenerationQueueOptions } from './queue/p-queue.generation-queue.ts';
import { EventFanout } from './jobs/events-fanout.ts';
import { GenerationService, type GenerationPolicy } from './jobs/generation.service.ts';
import type { GenerationEvents } from './jobs/job.types.ts';
import type { JobLeaseSettings } from './jobs/job-lease.ts';
import { ModerationService } from './moderation/moderation.service.ts';
import type { ModelDirectory } from './requests/model-directory.ts';
import { PolicyCache } from './requests/policy-cache.ts';

/** Least time between two progress updates of one job (chat platforms limit message edits). */
export const PROGRESS_INTERVAL_MS = 1_500;
/** How long cached people, settings and block lists may be stale for other processes. */
export const POLICY_CACHE_TTL_MS = 10_000;
/** Step time assumed for ETAs before the first job has been measured (CPU-ish; learnt quickly). */
const INITIAL_MS_PER_STEP = 1_000;

/** The repositories the two services read and write: the database's, or memory ones in unit tests. */
export type ServiceRepositories = Pick<
  Repositories,
  'users' | 'workspaces' | 'workspaceBans' | 'generations' | 'images' | 'moderation' | 'blockedTerms' | 'userSettings' | 'jobLeases' | 'chatEvents'
>;

/** Builds the queue jobs wait in, given the services' clock and a logger for it. */
export type QueueFactory<Q extends GenerationQueue = GenerationQueue> = (parts: { now: () => number; logger: Logger }) => Q;

/** Caps, rate limit and ETA start of the in-process queue (`queue.*` in the config). */
export type InProcessQueueSettings = Omit<PQueueGenerationQueueOptions, 'now' | 'logger'>;

/** The in-process queue (p-queue, fair per person) with these settings. */
export function inProcessQueue(settings: InProcessQueueSettings): QueueFactory<PQueueGenerationQueue> {
  return ({ now, logger }) => new PQueueGenerationQueue({ ...settings, now, logger });
}

/** The in-process queue's settings from the configuration. */
export function queueSettingsFrom(config: Pick<DarkroomConfig, 'queue'>): InProcessQueueSettings {
  const { concurrency, perUserQueued, globalQueued, rateLimit } = config.queue;
  return { concurrency, perUserQueued, globalQueued, rateLimit, initialMsPerStep: INITIAL_MS_PER_STEP };
}

/** The services' policy from the configuration. `generation.imagesPerJob` is the count of a job whose request and /settings name none. */
export function generationPolicyFrom(config: Pick<DarkroomConfig, 'queue' | 'limits' | 'moderation' | 'engine' | 'generation'>): GenerationPolicy {
  return {
    limits: config.limits,
    quotas: config.queue.quotas,
    blockedTerms: config.moderation.blockedTerms,
    nsfw: config.moderation.nsfw,
    previews: config.engine.previews,
    defaultCount: config.generation.imagesPerJob,
    progressIntervalMs: PROGRESS_INTERVAL_MS,
  };
}

export interface GenerationServicesOptions<Q extends GenerationQueue = GenerationQueue> {
  repositories: ServiceRepositories;
  /** Accepted-job counts for quotas, and the usage summaries moderators read. */
  usage: Pick<UsageRepository, 'acceptedSince' | 'summarize'>;
  /** `generationPolicyFrom(config)`, or a test's own. */
  policy: GenerationPolicy;
  /** `inProcessQueue(queueSettingsFrom(config))`, or another backend (the cluster's queue). */
  queue: QueueFactory<Q>;
  engine: ImageEngine;
  store: ImageStore;
  models: ModelDirectory;
  /** Each part logs through a child of it (`component`: queue, generation, moderation). */
  logger: Logger;
  /** Epoch milliseconds; Date.now outside tests. */
  now: () => number;
  /** Uniform in [0, 1), for seeds; default Math.random. */
  random?: () => number;
  /** The events the service emits, given the adapters' fan-out (cluster mode sends job events through Redis); default the fan-out itself. */
  serviceEvents?: (adapters: EventFanout) => GenerationEvents;
  /** This process's owner id and lease durations (tests shorten them); default a fresh id, 60 s leases. */
  lease?: JobLeaseSettings;
  /** Staleness and size of the policy cache shared by both services; default 10 s, 10,000 entries. */
  policyCache?: { ttlMs: number; maxEntries: number };
}

export function createGenerationServices<Q extends GenerationQueue = GenerationQueue>(options: GenerationServicesOptions<Q>) {
  const { repositories, usage, policy, logger, now } = options;
  const cache = new PolicyCache({ ttlMs: options.policyCache?.ttlMs ?? POLICY_CACHE_TTL_MS, maxEntries: options.policyCache?.maxEntries ?? 10_000, now });
  const events = new EventFanout();
  const queue = options.queue({ now, logger: logger.child({ component: 'queue' }) });
  const generation = new GenerationService({
    repositories,
    counter: usage,
    cache,
    queue,
    engine: options.engine,
    store: options.store,
    models: options.models,
    events: options.serviceEvents?.(events) ?? events,
    policy,
    now,
    random: options.random ?? Math.random,
    logger: logger.child({ component: 'generation' }),
    ...(options.lease === undefined ? {} : { lease: options.lease }),
  });
  const moderation = new ModerationService({
    repositories,
    usage,
    limits: policy.limits,
    configTerms: policy.blockedTerms,
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

export type GenerationServices<Q extends GenerationQueue = GenerationQueue> = ReturnType<typeof createGenerationServices<Q>>;
