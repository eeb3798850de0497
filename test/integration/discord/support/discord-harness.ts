/**
 * Darkroom's Discord side wired for real, as the composition root would: the DiscordAdapter
 * (real discord.js client) against the fake Discord, the real GenerationService with its p-queue
 * queue, PGlite repositories, the local image store, and either the fake engine (fast) or the
 * real DiffusionEngine on the shared tiny fixture models. `restart()` stops the adapter and the
 * service and starts new ones on the same database file and image folder.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import { chatJobsOf } from '../../../../src/bots/chat-adapter.ts';
import { DiscordAdapter } from '../../../../src/bots/discord/index.ts';
import { CommandHandlers } from '../../../../src/commands/index.ts';
import { createRepositories, openDatabase, openMemoryDatabase, type Database } from '../../../../src/db/index.ts';
import { systemClock } from '../../../../src/db/domain.types.ts';
import { PrismaUsageRepository } from '../../../../src/db/usage.repository.ts';
import type { ImageEngine } from '../../../../src/generation/engine.types.ts';
import { createGenerationServices, inProcessQueue } from '../../../../src/generation/generation-services.factory.ts';
import type { GenerationService, GenerationPolicy } from '../../../../src/generation/jobs/index.ts';
import { StaticModelDirectory, type ModelDirectory } from '../../../../src/generation/requests/index.ts';
import { compactPicture } from '../../../../src/images/index.ts';
import { LocalImageStore } from '../../../../src/storage/index.ts';
import { FakeImageEngine } from '../../../support/generation/fake-image-engine.ts';
import { sharedPath } from '../../../support/shared-dir.ts';
import { OpenApiValidator, SCENE, startFakeDiscord, type FakeDiscord, type FakeDiscordOptions } from '../../../fakes/discord/index.ts';
import type { ChatApiObserver } from '../../../../src/observability/index.ts';

/** Models the fake engine pretends to have (64 px keeps the PNGs tiny). */
export const FAKE_MODELS = [
  { name: 'photon', nativeWidth: 64, nativeHeight: 64, steps: 6, guidance: 5, scheduler: 'euler' as const },
  { name: 'epicrealism', nativeWidth: 64, nativeHeight: 64, steps: 8, guidance: 6, scheduler: 'dpmpp-2m' as const },
];

export interface DiscordHarnessOptions {
  engine: ImageEngine;
  models: ModelDirectory;
  policy: Partial<GenerationPolicy>;
  fake: Partial<FakeDiscordOptions>;
  /** Reuse a running fake (restart tests). */
  fakeDiscord: FakeDiscord | undefined;
  /** Keep the database in files under this folder (restart tests); undefined = in memory. */
  dataDir: string | undefined;
  allowDMs: boolean;
  guildIds: readonly string[];
  concurrency: number;
  logger: Logger;
  /** Told about REST answers with an error status (metrics tests); undefined = nobody. */
  apiObserver: ChatApiObserver | undefined;
}

let specPromise: Promise<OpenApiValidator | undefined> | undefined;

/** Discord's OpenAPI subset from shared/, loaded once; undefined when shared/ is absent. */
export function loadSpec(): Promise<OpenApiValidator | undefined> {
  const file = sharedPath('ref', 'discord', 'openapi-bot-subset.json');
  specPromise ??= file === undefined ? Promise.resolve(undefined) : OpenApiValidator.load(file);
  return specPromise;
}

export function defaultPolicy(): GenerationPolicy {
  return {
    limits: { default: { maxSteps: 50, maxPixels: 1024 * 1024, maxCount: 4, allowedModels: [] }, roles: {}, workspaces: {} },
    quotas: { default: { perHour: null, perDay: null }, roles: {} },
    blockedTerms: ['forbiddenword'],
    nsfw: 'blur',
    previews: false,
    defaultCount: 1,
    progressIntervalMs: 200,
  };
}

export function fakeEngine(stepMs = 5): FakeImageEngine {
  return new FakeImageEngine({ stepMs, nsfwWord: 'nsfwword', failWord: 'explode', onStep: undefined });
}

export class DiscordHarness {
  adapter!: DiscordAdapter;
  service!: GenerationService;
  #database!: Database;

  private constructor(
    readonly fake: FakeDiscord,
    readonly options: DiscordHarnessOptions,
    readonly imagesDir: string,
    private readonly ownsFake: boolean,
  ) {}

  static async start(overrides: Partial<DiscordHarnessOptions> = {}): Promise<DiscordHarness> {
    const options: DiscordHarnessOptions = {
      engine: fakeEngine(),
      models: new StaticModelDirectory('photon', FAKE_MODELS),
      policy: {},
      fake: {},
      fakeDiscord: undefined,
      dataDir: undefined,
      allowDMs: false,
      guildIds: [SCENE.guildId],
      concurrency: 1,
      logger: pino({ level: process.env['DARKROOM_TEST_LOG'] ?? 'silent' }),
      apiObserver: undefined,
      ...overrides,
    };
    const fake = options.fakeDiscord ?? (await startFakeDiscord({ spec: await loadSpec(), ...options.fake }));
    const imagesDir = options.dataDir === undefined ? await mkdtemp(path.join(tmpdir(), 'darkroom-discord-')) : path.join(options.dataDir, 'images');
    const harness = new DiscordHarness(fake, options, imagesDir, options.fakeDiscord === undefined);
    await harness.#boot();
    return harness;
  }

  get database(): Database {
    return this.#database;
  }

  async #boot(): Promise<void> {
    const { options } = this;
    this.#database = options.dataDir === undefined ? await openMemoryDatabase() : await openDatabase({ url: undefined, dataDir: options.dataDir, logger: undefined });
    await this.#database.migrate();
    const policy = { ...defaultPolicy(), ...options.policy };
    // The service is built before the adapter that listens to it (on `built.events`).
    const built = createGenerationServices({
      repositories: createRepositories(this.#database, systemClock),
      usage: new PrismaUsageRepository(this.#database.prisma),
      policy,
      queue: inProcessQueue({ concurrency: options.concurrency, perUserQueued: 20, globalQueued: 500, rateLimit: { intervalMs: 60_000, intervalCap: 10_000 }, initialMsPerStep: 50 }),
      engine: options.engine,
      store: new LocalImageStore(this.imagesDir),
      models: options.models,
      logger: options.logger,
      now: Date.now,
      policyCache: { ttlMs: 30_000, maxEntries: 1_000 },
    });
    this.service = built.generation;
    const { events, moderation } = built;
    const commands = new CommandHandlers({ generation: this.service, moderation, now: Date.now });
    this.adapter = new DiscordAdapter({
      config: { token: this.fake.token, apiUrl: this.fake.apiUrl, guildIds: options.guildIds, allowDMs: options.allowDMs },
      moderators: { roleIds: [SCENE.helpersRole], userIds: [] },
      commands,
      jobs: chatJobsOf(this.service),
      models: options.models,
      logger: options.logger,
      now: Date.now,
      compactPicture,
      apiObserver: options.apiObserver,
    });
    events.add(this.adapter.events);
    await this.service.start();
    await this.adapter.start();
  }

  /**
   * Shuts down as the composition root should: the adapter stops taking work, the service
   * finishes (or, with `abortJobs`, at once aborts) the running job while the adapter can still
   * post its result, then the adapter disconnects and the database closes.
   */
  async stopApp(abortJobs = false): Promise<void> {
    await this.adapter.stopTakingWork();
    await this.service.stop(abortJobs ? AbortSignal.abort() : AbortSignal.timeout(10_000));
    await this.adapter.disconnect(AbortSignal.timeout(10_000));
    await this.#database.close();
  }

  /** Starts a new "process" after {@link stopApp}: same database, images and fake Discord. */
  async startApp(): Promise<void> {
    await this.#boot();
  }

  /** A new process on the same database, images and fake Discord (`abortJobs`: the old one was killed mid-job). */
  async restart(abortJobs = false): Promise<void> {
    await this.stopApp(abortJobs);
    await this.#boot();
  }

  async close(): Promise<void> {
    await this.stopApp();
    if (this.ownsFake) await this.fake.close();
    if (this.options.dataDir === undefined) await rm(this.imagesDir, { recursive: true, force: true });
  }
}
