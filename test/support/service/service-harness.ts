/**
 * A GenerationService wired to fakes: in-memory repositories and image store, the fake engine,
 * the real p-queue queue, a manual clock, and a recorder of lifecycle events.
 */
import { pino } from 'pino';
import type { ImagineOptions } from '../../../src/generation/requests/imagine-options.ts';
import { parseImagineRequest, promptOnly } from '../../../src/commands/imagine-request.parser.ts';
import { createGenerationServices, inProcessQueue, type InProcessQueueSettings } from '../../../src/generation/generation-services.factory.ts';
import type { GenerationPolicy } from '../../../src/generation/jobs/generation.service.ts';
import { StaticModelDirectory } from '../../../src/generation/requests/model-directory.ts';
import { CommandHandlers } from '../../../src/commands/command-handlers.ts';
import type { GenerationEvents } from '../../../src/generation/jobs/job.types.ts';
import type { RequestFrom } from '../../../src/generation/requests/request.types.ts';
import { FakeImageEngine, type FakeEngineOptions } from '../generation/fake-image-engine.ts';
import { MemoryImageStore } from '../generation/memory-image.store.ts';
import { memoryRepositories, type MemoryRepositories } from './memory-repositories.ts';
import type { Repositories } from '../../../src/db/repositories.ts';
import type { UsageRepository } from '../../../src/db/usage.repository.ts';
import type { ImageEngine } from '../../../src/generation/engine.types.ts';
import type { ModelDirectory } from '../../../src/generation/requests/model-directory.ts';
import type { ImageStore } from '../../../src/storage/image.store.ts';
import type { JobLeaseSettings } from '../../../src/generation/jobs/job-lease.ts';

export const MODELS = [
  { name: 'lcm-dreamshaper-v7', nativeWidth: 512, nativeHeight: 512, steps: 4, guidance: 8, scheduler: 'lcm' as const },
  { name: 'epicrealism', nativeWidth: 512, nativeHeight: 512, steps: 10, guidance: 6, scheduler: 'dpmpp-2m' as const },
];

export type RecordedEvent = { type: keyof GenerationEvents; id: string; at: number; event: Record<string, unknown> };

/** Records every lifecycle event and lets a test wait for one. */
export class EventRecorder implements GenerationEvents {
  readonly events: RecordedEvent[] = [];
  readonly #waiters: Array<{ test: (event: RecordedEvent) => boolean; resolve: (event: RecordedEvent) => void }> = [];

  constructor(private readonly now: () => number) {}

  queued = (event: Parameters<GenerationEvents['queued']>[0]) => this.#record('queued', event);
  started = (event: Parameters<GenerationEvents['started']>[0]) => this.#record('started', event);
  progress = (event: Parameters<GenerationEvents['progress']>[0]) => this.#record('progress', event);
  finished = (event: Parameters<GenerationEvents['finished']>[0]) => this.#record('finished', event);
  failed = (event: Parameters<GenerationEvents['failed']>[0]) => this.#record('failed', event);
  cancelled = (event: Parameters<GenerationEvents['cancelled']>[0]) => this.#record('cancelled', event);

  of(id: string): RecordedEvent[] {
    return this.events.filter((event) => event.id === id);
  }

  typesOf(id: string): string[] {
    return this.of(id).map((event) => event.type);
  }

  /** Resolves with the first event (past or future) of that type for that job. */
  waitFor(type: keyof GenerationEvents, id: string): Promise<RecordedEvent> {
    const test = (event: RecordedEvent) => event.type === type && event.id === id;
    const seen = this.events.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve) => this.#waiters.push({ test, resolve }));
  }

  #record(type: keyof GenerationEvents, event: { generation: { id: string } }): void {
    const recorded = { type, id: event.generation.id, at: this.now(), event: event as unknown as Record<string, unknown> };
    this.events.push(recorded);
    for (const waiter of [...this.#waiters]) {
      if (!waiter.test(recorded)) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(recorded);
    }
  }
}

export interface HarnessOptions {
  engine: Partial<FakeEngineOptions>;
  queue: Partial<InProcessQueueSettings>;
  policy: Partial<GenerationPolicy>;
  repositories: MemoryRepositories | undefined;
  /** Real parts for integration tests: repositories + quota counter + usage, store, engine, models. */
  real: {
    repositories: Repositories;
    usage: UsageRepository;
    store: ImageStore;
    engine: ImageEngine | undefined;
    models: ModelDirectory | undefined;
  } | undefined;
  /** Start time of the manual clock. */
  startAt: number;
  /** The fake engine without its `edit` (an engine that cannot edit images). */
  noEditor: boolean;
  /** Installed models instead of {@link MODELS} (the fake engine is used). */
  models: ModelDirectory;
  /** The service's owner id and lease durations (default: a fresh id, 60 s leases). */
  lease: JobLeaseSettings;
}

export function defaultPolicy(): GenerationPolicy {
  return {
    limits: { default: { maxSteps: 50, maxPixels: 1024 * 1024, maxCount: 4, allowedModels: [] }, roles: {}, workspaces: {} },
    quotas: { default: { perHour: null, perDay: null }, roles: {} },
    blockedTerms: [],
    nsfw: 'blur',
    previews: false,
    defaultCount: 2,
    progressIntervalMs: 1500,
  };
}

export function createHarness(options: Partial<HarnessOptions> = {}) {
  const clock = { now: options.startAt ?? Date.UTC(2026, 0, 1, 12) };
  const now = () => clock.now;
  const memory = options.repositories ?? memoryRepositories(() => new Date(clock.now));
  const repositories: Repositories = options.real?.repositories ?? memory;
  const fakeEngine = new FakeImageEngine({ stepMs: 1, nsfwWord: 'nsfwword', failWord: 'explode', onStep: undefined, ...options.engine });
  const engine: ImageEngine =
    options.real?.engine ?? (options.noEditor ? { generate: fakeEngine.generate.bind(fakeEngine), upscale: fakeEngine.upscale.bind(fakeEngine) } : fakeEngine);
  const memoryStore = new MemoryImageStore();
  const store: ImageStore = options.real?.store ?? memoryStore;
  const recorder = new EventRecorder(now);
  let seed = 1000;
  const noUsage = { totals: { jobs: 0, images: 0, gpuSeconds: 0, failures: 0, cancelled: 0 }, byUser: [], byDay: [] };
  const built = createGenerationServices({
    repositories,
    usage: options.real?.usage ?? { acceptedSince: (userId, windowStarts) => memory.generations.acceptedSince(userId, windowStarts), summarize: async () => noUsage },
    policy: { ...defaultPolicy(), ...options.policy },
    queue: inProcessQueue({ concurrency: 1, perUserQueued: 100, globalQueued: 1000, rateLimit: { intervalMs: 60_000, intervalCap: 10_000 }, initialMsPerStep: 100, ...options.queue }),
    engine,
    store,
    models: options.real?.models ?? options.models ?? new StaticModelDirectory('lcm-dreamshaper-v7', MODELS),
    // DARKROOM_TEST_LOG=debug shows the service's log lines when a test needs explaining.
    logger: pino({ level: process.env['DARKROOM_TEST_LOG'] ?? 'silent' }),
    now,
    // Deterministic seeds: 1000, 1100, 1200 … (as fractions of 2^32).
    random: () => (seed += 100) / 2 ** 32,
    ...(options.lease !== undefined && { lease: options.lease }),
    policyCache: { ttlMs: 10_000, maxEntries: 1000 },
  });
  built.events.add(recorder);
  const { queue, generation: service, moderation } = built;
  const commands = new CommandHandlers({ generation: service, moderation, now });
  return { clock, repositories: memory, db: repositories, engine: fakeEngine, store: memoryStore, realStore: store, recorder, queue, service, moderation, commands };
}

/** A request from a person in a SFW guild channel. */
export function from(person: string, overrides: { moderator?: boolean; nsfwAllowed?: boolean; guild?: string } = {}): RequestFrom {
  return {
    requester: { identity: { platform: 'discord', externalId: person, displayName: person }, platformModerator: overrides.moderator ?? false },
    place: {
      workspace: { platform: 'discord', externalId: overrides.guild ?? 'guild-1', name: 'Guild' },
      channelId: 'channel-1',
      chat: { messageId: undefined, interactionToken: `token-${person}`, threadTs: undefined },
      nsfwAllowed: overrides.nsfwAllowed ?? false,
    },
  };
}

/** Parsed /imagine options from prompt text with flags. */
export function options(prompt: string): ImagineOptions {
  const parsed = parseImagineRequest(promptOnly(prompt));
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.options;
}
