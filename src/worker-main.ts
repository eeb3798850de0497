/**
 * The composition root of `darkroom worker`: a GPU worker process of a cluster (queue.backend
 * redis). No chat platform: it announces the models installed here, runs the jobs the
 * dispatcher hands it (claiming each row's lease), stores the images, and publishes progress
 * and results for the bot processes. Stops like `start`: the running job finishes or, past the
 * grace period, goes back to `queued` for another worker.
 */
import path from 'node:path';
import type { DarkroomConfig } from './config/config.types.ts';
import { openDatabase } from './db/database.ts';
import { createRepositories } from './db/repositories.ts';
import { PrismaUsageRepository } from './db/usage.repository.ts';
import { createClusterParts } from './generation/cluster/cluster.factory.ts';
import { createDiffusionEngine } from './generation/engine.factory.ts';
import { createGenerationServices, generationPolicyFrom } from './generation/generation-services.factory.ts';
import { InstalledModelDirectory } from './generation/requests/model-directory.ts';
import { readCatalog } from './lifecycle/model-availability.ts';
import { startServices, untilAborted, type Service } from './lifecycle/services.ts';
import { ShutdownSequence } from './lifecycle/shutdown.ts';
import type { Logger } from './logging/logger.ts';
import { componentLogger } from './logging/logger.ts';
import { DEFAULT_S3_LIMITS, openImageStore } from './storage/index.ts';
import { pingDatabase } from './db/database-ping.ts';
import { Observability } from './observability/index.ts';

/** How long the list of installed models is trusted before the folder is scanned again. */
const MODEL_SCAN_TTL_MS = 60_000;

export interface WorkerOptions {
  logger: Logger;
  /** Aborts when the worker should stop (the first SIGINT/SIGTERM). */
  signal: AbortSignal;
  /** Plain words for the person at the terminal. */
  print: (text: string) => void;
  shutdownGraceMs: number;
}

/** Why this configuration cannot run a worker, in plain words; undefined when it can. */
export function workerConfigProblem(config: Pick<DarkroomConfig, 'queue' | 'database'>): string | undefined {
  if (config.queue.backend !== 'redis' || config.queue.redis.url === null) {
    return 'darkroom worker takes its jobs from Redis: set queue.backend: redis (DARKROOM_QUEUE__BACKEND=redis) and REDIS_URL, and DATABASE_URL to the PostgreSQL server the bot processes use.';
  }
  if (config.database.url === undefined) return 'darkroom worker needs the PostgreSQL server the bot processes use: set DATABASE_URL.';
  return undefined;
}

/** Runs a worker until `signal` aborts; returns the exit code. */
export async function startWorker(config: DarkroomConfig, options: WorkerOptions): Promise<number> {
  const { logger, signal, print } = options;
  const problem = workerConfigProblem(config);
  if (problem !== undefined) {
    print(problem);
    return 1;
  }
  const log = componentLogger(logger, 'main');
  const shutdown = new ShutdownSequence({ logger: componentLogger(logger, 'shutdown'), graceMs: options.shutdownGraceMs, abortWaitMs: 2_000 });
  try {
    const database = await openDatabase({ url: config.database.url, dataDir: config.dataDir, logger });
    shutdown.add('database', () => database.close());
    // /healthz, /readyz (database, engine) and /metrics on metrics.port, as for start.
    const observability = new Observability({ config: config.metrics, logger, now: Date.now });
    observability.checks.push({ name: 'database', check: async () => void (await pingDatabase(database)) }, observability.engineCheck);
    shutdown.add('health', () => observability.close());
    await observability.listen();
    const status = await database.status();
    if (status.pendingMigrations.length > 0) {
      print(`The database is not up to date (${status.pendingMigrations.length} migrations pending): start a bot process first (it migrates), or run npx darkroom db migrate.`);
      return 1;
    }
    const read = await readCatalog(config.models);
    if (read.catalog === undefined) throw new Error(read.problem ?? 'cannot read the model catalog');
    const engine = createDiffusionEngine({
      engine: config.engine,
      locations: { catalog: read.catalog, modelsDir: config.models.dir },
      cachedPipelines: 1,
      modelCacheDir: path.join(config.dataDir, 'cache', 'onnx'),
      logger,
      onPipelineLoaded: observability.pipelineLoaded,
    });
    const images = await openImageStore(config.storage, { sharedLocalFolder: true, s3Limits: DEFAULT_S3_LIMITS });
    const models = await InstalledModelDirectory.open({
      defaultModel: config.engine.defaultModel,
      modelsDir: config.models.dir,
      catalogFile: config.models.catalog,
      ttlMs: MODEL_SCAN_TTL_MS,
      now: Date.now,
    });
    const cluster = createClusterParts({ queue: config.queue, database, models, role: 'worker', logger, now: Date.now });
    const generation = createGenerationServices({
      repositories: createRepositories(database, () => new Date()),
      usage: new PrismaUsageRepository(database.prisma),
      policy: generationPolicyFrom(config),
      queue: () => cluster.queue,
      serviceEvents: cluster.serviceEvents,
      engine: observability.meter(engine),
      store: images.store,
      models,
      logger,
      now: Date.now,
    });
    const services: Service[] = [
      { name: 'engine', start: async () => void engine.warmUp(config.engine.defaultModel), stop: () => engine.close() },
      {
        name: 'image-store',
        start: async () => {
          const access = await images.check();
          if (!access.ok) throw new Error(`cannot use the image store (${images.description}): ${access.problem}`);
          await images.start();
        },
        stop: () => images.close(),
      },
      { name: 'cluster-events', start: async () => undefined, stop: () => cluster.close() },
      generation.service,
    ];
    await startServices(services, shutdown, log);
    const installed = (await models.list()).map((model) => model.name);
    log.info({ workerId: cluster.workerId, models: installed, concurrency: config.queue.concurrency }, 'worker.ready');
    if (installed.length === 0) print(`No model is installed in ${config.models.dir}: this worker will get no jobs (npx darkroom models pull <name>).`);
    await untilAborted(signal);
    log.info('worker.stopping');
    return 0;
  } finally {
    await shutdown.run();
  }
}
