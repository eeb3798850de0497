/**
 * The composition root: the only place that wires Darkroom's parts together. Opens and migrates
 * the database, checks that there is something to serve (a chat platform, a model), starts the
 * services in order and stops them in reverse on shutdown.
 */
import path from 'node:path';
import { chatJobsOf, type ChatAdapter, type ChatConnection } from './bots/chat-adapter.ts';
import { DiscordAdapter } from './bots/discord/index.ts';
import { compactPicture } from './images/index.ts';
import { SlackAdapter } from './bots/slack/index.ts';
import { CommandHandlers } from './commands/index.ts';
import type { DarkroomConfig } from './config/config.types.ts';
import { openDatabase } from './db/database.ts';
import { createDiffusionEngine } from './generation/engine.factory.ts';
import { InstalledModelDirectory } from './generation/requests/model-directory.ts';
import { createClusterParts } from './generation/cluster/cluster.factory.ts';
import type { ImageEngine } from './generation/engine.types.ts';
import type { GenerationQueue } from './generation/queue/generation-queue.ts';
import { createGenerationServices, generationPolicyFrom, inProcessQueue, queueSettingsFrom } from './generation/generation-services.factory.ts';
import type { Database } from './db/database.ts';
import { acquireDataDirLock, describeLockHolder } from './lifecycle/data-dir-lock.ts';
import { checkDefaultModel, readCatalog } from './lifecycle/model-availability.ts';
import type { PullDisplay } from './generation/models/model-install.ts';
import { assessReadiness, nextSteps } from './lifecycle/readiness.ts';
import type { Service } from './lifecycle/services.ts';
import { startServices, untilAborted } from './lifecycle/services.ts';
import { abortableSleep, connectChatPlatform, type ChatConnectOptions } from './lifecycle/chat-connect.ts';
import { ShutdownSequence } from './lifecycle/shutdown.ts';
import type { Logger } from './logging/logger.ts';
import { componentLogger } from './logging/logger.ts';
import { pingDatabase } from './db/database-ping.ts';
import { createRepositories } from './db/repositories.ts';
import { PrismaUsageRepository } from './db/usage.repository.ts';
import { Observability } from './observability/index.ts';
import { DEFAULT_S3_LIMITS, openImageStore } from './storage/index.ts';

/** The engine of a bot process (`start --role bot`): jobs run in worker processes, never here. */
const NO_ENGINE: ImageEngine = {
  generate: () => Promise.reject(new Error('a bot process (start --role bot) runs no jobs')),
  upscale: () => Promise.reject(new Error('a bot process (start --role bot) runs no jobs')),
};

/** How long the list of installed models is trusted before the folder is scanned again. */
const MODEL_SCAN_TTL_MS = 60_000;

export interface StartOptions {
  logger: Logger;
  /** Aborts when Darkroom should stop (the first SIGINT/SIGTERM). */
  signal: AbortSignal;
  /** Plain words for the person at the terminal (what to configure next). */
  print: (text: string) => void;
  /** The shell's folder, to show short paths. */
  workingDir: string;
  /** Where a start-up model download shows its notes and progress. */
  progress: PullDisplay;
  /** How long each service may take to finish its running work at shutdown before it is aborted. */
  shutdownGraceMs: number;
  /**
   * `all`: chat and jobs in this process. `bot` (`start --role bot`, queue.backend redis): chat
   * and the service only; `darkroom worker` processes run the jobs and no model is loaded here.
   */
  role: 'all' | 'bot';
}

/** What the services need from the composition root. */
interface ServiceContext {
  config: DarkroomConfig;
  database: Database;
  logger: Logger;
  observability: Observability;
  /** Aborts when Darkroom should stop (ends a wait between connection attempts). */
  signal: AbortSignal;
  role: StartOptions['role'];
}

/** Connection attempts as `startup` configures them: network failures retried, refused tokens not. */
function chatConnection(context: ServiceContext, platform: ChatConnection & Pick<ChatConnectOptions, 'connect'>): () => Promise<void> {
  const { startup } = context.config;
  return () =>
    connectChatPlatform({
      ...platform,
      attempts: startup.chatConnectAttempts,
      firstDelayMs: startup.chatRetryDelaySeconds * 1000,
      maxDelayMs: 60_000,
      signal: context.signal,
      sleep: abortableSleep,
      logger: componentLogger(context.logger, 'main'),
    });
}

/** A service with nothing to start, only something to stop (a slot in the stop order). */
function stopOnly(name: string, stop: Service['stop']): Service {
  return { name, start: async () => undefined, stop };
}

/**
 * The services of a running Darkroom, in start order (stopped in reverse): the engine, the image
 * store, the generation service (its start re-queues what a previous run left), then the chat
 * adapters last, so they take work only once everything behind them runs and stop taking it
 * first. Adapters stay connected while the generation service finishes its running job, so that
 * job's result still reaches its message; they disconnect after it ("chat-disconnect").
 */
async function buildServices(context: ServiceContext): Promise<Service[]> {
  const { config, database, logger, observability } = context;
  const read = await readCatalog(config.models);
  if (read.catalog === undefined) throw new Error(read.problem ?? 'cannot read the model catalog');
  const locations = { catalog: read.catalog, modelsDir: config.models.dir };
  const modelCacheDir = path.join(config.dataDir, 'cache', 'onnx');
  const engine = createDiffusionEngine({
    engine: config.engine,
    locations,
    cachedPipelines: 1,
    modelCacheDir,
    logger,
    onPipelineLoaded: observability.pipelineLoaded,
  });
  // Processes sharing a PostgreSQL server may share a local images folder too.
  const images = await openImageStore(config.storage, { sharedLocalFolder: config.database.url !== undefined, s3Limits: DEFAULT_S3_LIMITS });
  const store = images.store;
  const installed = await InstalledModelDirectory.open({
    defaultModel: config.engine.defaultModel,
    modelsDir: config.models.dir,
    catalogFile: config.models.catalog,
    ttlMs: MODEL_SCAN_TTL_MS,
    now: Date.now,
  });
  // queue.backend redis: the cluster's queue; in role bot, jobs run in `darkroom worker` processes.
  const cluster = config.queue.backend === 'redis' ? createClusterParts({ queue: config.queue, database, models: installed, role: context.role, logger, now: Date.now }) : undefined;
  const models = cluster?.models ?? installed;
  const generation = createGenerationServices({
    repositories: createRepositories(database, () => new Date()),
    usage: new PrismaUsageRepository(database.prisma),
    policy: generationPolicyFrom(config),
    queue: cluster === undefined ? inProcessQueue(queueSettingsFrom(config)) : (): GenerationQueue => cluster.queue,
    ...(cluster === undefined ? {} : { serviceEvents: cluster.serviceEvents }),
    engine: context.role === 'bot' ? NO_ENGINE : observability.meter(engine),
    store,
    models,
    logger,
    now: Date.now,
  });
  const commandServices = { generation: generation.generation, moderation: generation.moderation, now: Date.now, refusals: observability.refusals };

  const commands = new CommandHandlers(commandServices);
  const jobs = chatJobsOf(generation.generation);
  const adapters: ChatAdapter[] = [];
  if (config.discord.enabled) {
    adapters.push(
      new DiscordAdapter({
        config: config.discord,
        moderators: { roleIds: config.moderation.moderatorRoleIds, userIds: config.moderation.moderatorUserIds },
        commands,
        jobs,
        models,
        logger: componentLogger(logger, 'discord'),
        now: Date.now,
        compactPicture,
        apiObserver: observability.chatObserver('discord'),
      }),
    );
  }
  if (config.slack.enabled) {
    adapters.push(
      new SlackAdapter({
        config: config.slack,
        moderatorUserIds: config.moderation.moderatorUserIds,
        nsfwChannels: config.moderation.slackNsfwChannels,
        commands,
        jobs,
        logger: componentLogger(logger, 'slack'),
        listenHost: undefined,
        socketPingTimeoutMs: undefined,
        now: Date.now,
        apiObserver: observability.chatObserver('slack'),
      }),
    );
  }
  for (const adapter of adapters) {
    generation.events.add(adapter.events);
    observability.checks.push({ name: adapter.name, check: () => adapter.readiness() });
  }
  generation.events.add(observability.jobMetrics);
  generation.events.add(observability.activity);
  observability.metrics.watchQueue(generation.queue);
  const relay = cluster?.relay({
    adapters: generation.events,
    repositories: generation.repositories,
    store,
    platforms: [...(config.discord.enabled ? (['discord'] as const) : []), ...(config.slack.enabled ? (['slack'] as const) : [])],
    nsfw: config.moderation.nsfw,
  });

  const services: Service[] = [
    // The default model loads in the background (warmUp never rejects), so the first job does not wait for it.
    { name: 'engine', start: async () => void (context.role === 'bot' ? undefined : engine.warmUp(config.engine.defaultModel)), stop: () => engine.close() },
    {
      name: 'image-store',
      start: async () => {
        // A bucket that cannot be written stops start-up now, not at the first finished job.
        const access = await images.check();
        if (!access.ok) throw new Error(`cannot use the image store (${images.description}): ${access.problem}`);
        await images.start();
        componentLogger(logger, 'main').info({ storage: images.description }, 'storage.ready');
      },
      stop: () => images.close(),
    },
    // Job events from workers reach the adapters through the relay until they disconnect.
    ...(relay === undefined || cluster === undefined
      ? []
      : [{ name: 'cluster-events', start: () => relay.start(), stop: async () => { await relay.stop(); await cluster.close(); } }]),
    stopOnly('chat-disconnect', async (deadline) => {
      await Promise.all(adapters.map((adapter) => adapter.disconnect(deadline)));
    }),
    observability.announcingWaits(generation.service, componentLogger(logger, 'shutdown')),
  ];
  for (const adapter of adapters) {
    const { connection } = adapter;
    const start = connection === undefined ? () => adapter.start() : chatConnection(context, { ...connection, connect: () => adapter.start() });
    services.push({ name: adapter.name, start, stop: (deadline) => adapter.stopTakingWork(deadline) });
  }
  // Results that finished while no bot process listened, posted once the adapters are connected.
  if (relay !== undefined) services.push({ name: 'late-results', start: async () => relay.startCatchUp(), stop: async () => undefined });
  return services;
}

/**
 * Runs Darkroom until `signal` aborts. Returns the process exit code: 0 after a clean shutdown,
 * 1 when there is nothing to serve yet (after migrating the database and saying what to do).
 */
export async function startDarkroom(config: DarkroomConfig, options: StartOptions): Promise<number> {
  const { logger, signal, print } = options;
  const log = componentLogger(logger, 'main');
  const shutdown = new ShutdownSequence({
    logger: componentLogger(logger, 'shutdown'),
    graceMs: options.shutdownGraceMs,
    abortWaitMs: 2_000,
  });
  if (options.role === 'bot' && config.queue.backend !== 'redis') {
    print('start --role bot serves chat only; the jobs run in darkroom worker processes, which need queue.backend: redis (DARKROOM_QUEUE__BACKEND=redis), REDIS_URL and DATABASE_URL.');
    return 1;
  }
  const embedded = config.database.url === undefined;
  if (embedded) {
    const lock = acquireDataDirLock(config.dataDir, 'start');
    if (!lock.ok) {
      print(describeLockHolder(lock));
      return 1;
    }
    shutdown.add('data-dir-lock', async () => lock.release());
  }
  try {
    log.info({ dataDir: config.dataDir, embeddedDatabase: embedded, configFiles: config.files }, 'darkroom.starting');
    const database = await openDatabase({ url: config.database.url, dataDir: config.dataDir, logger });
    shutdown.add('database', () => database.close());
    // Health and metrics from here on (stopped just before the database closes).
    const observability = new Observability({ config: config.metrics, logger, now: Date.now });
    // The engine check is there from the start, so nothing reads as ready before the model has loaded.
    // A bot process (role bot) loads no model: its readiness does not wait for one.
    observability.checks.push({ name: 'database', check: async () => void (await pingDatabase(database)) }, ...(options.role === 'bot' ? [] : [observability.engineCheck]));
    shutdown.add('health', () => observability.close());
    await observability.listen();
    const { applied } = await database.migrate();
    const status = await database.status();
    log.info({ kind: status.kind, location: status.location, applied, total: status.appliedMigrations.length }, 'db.ready');

    // Downloading gigabytes only makes sense once there is someone to serve.
    const chatConfigured = config.discord.enabled || config.slack.enabled;
    const pull = config.engine.autoPull && chatConfigured && options.role !== 'bot' ? { display: options.progress, signal } : undefined;
    const model = await checkDefaultModel(config, pull);
    // The workers hold the models of a bot process (role bot); a job for a model none has waits, marked so.
    const readiness = assessReadiness(config, options.role === 'bot' ? { ...model, present: true, problem: undefined } : model);
    if (!readiness.ready) {
      print(
        [
          `Darkroom is not ready to serve yet. The database is ready (${status.kind}, ${status.location}).`,
          '',
          'What to do next:',
          ...nextSteps(readiness, config, options.workingDir),
          '',
          'Then run npm start again; npx darkroom doctor checks everything.',
        ].join('\n'),
      );
      return 1;
    }
    if (signal.aborted) return 0;
    await startServices(await buildServices({ config, database, logger, observability, signal, role: options.role }), shutdown, log);
    log.info({ model: model.name, discord: readiness.discord, slack: readiness.slack }, 'darkroom.ready');
    await untilAborted(signal);
    log.info('darkroom.stopping');
    return 0;
  } finally {
    await shutdown.run();
  }
}
