/**
 * The composition root: the only place that wires Darkroom's parts together. Opens and migrates
 * the database, checks that there is something to serve (a chat platform, a model), starts the
 * services in order and stops them in reverse on shutdown.
 */
import type { DarkroomConfig } from './config/config.types.ts';
import { openDatabase } from './db/database.ts';
import type { Database } from './db/database.ts';
import { acquireDataDirLock, describeLockHolder } from './lifecycle/data-dir-lock.ts';
import { checkDefaultModel } from './lifecycle/model-availability.ts';
import { assessReadiness, nextSteps } from './lifecycle/readiness.ts';
import type { Service } from './lifecycle/services.ts';
import { startServices, untilAborted } from './lifecycle/services.ts';
import { ShutdownSequence } from './lifecycle/shutdown.ts';
import type { Logger } from './logging/logger.ts';
import { componentLogger } from './logging/logger.ts';

export interface StartOptions {
  logger: Logger;
  /** Aborts when Darkroom should stop (the first SIGINT/SIGTERM). */
  signal: AbortSignal;
  /** Plain words for the person at the terminal (what to configure next). */
  print: (text: string) => void;
  /** The shell's folder, to show short paths. */
  workingDir: string;
  /** Where a start-up model download shows its progress, and whether that is a terminal. */
  progress: { stream: NodeJS.WritableStream; interactive: boolean };
  /** How long each service may take to finish its running work at shutdown before it is aborted. */
  shutdownGraceMs: number;
}

/** What the services need from the composition root. */
interface ServiceContext {
  config: DarkroomConfig;
  database: Database;
  logger: Logger;
}

/**
 * The services of a running Darkroom, in start order (stopped in reverse). Later issues add
 * here: the engine (issue 3), the generation service and its queue, re-queueing interrupted
 * jobs (issue 4), then the Discord (issue 5) and Slack (issue 6) adapters last, so they take
 * work only once everything behind them runs, and stop taking it first.
 */
function buildServices(context: ServiceContext): Service[] {
  const log = componentLogger(context.logger, 'main');
  const planned: Array<[enabled: boolean, platform: string]> = [
    [context.config.discord.enabled, 'Discord'],
    [context.config.slack.enabled, 'Slack'],
  ];
  for (const [enabled, platform] of planned) {
    if (enabled) log.warn({ platform }, `${platform} is configured, but its adapter is not built yet (planned)`);
  }
  return [];
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
    const { applied } = await database.migrate();
    const status = await database.status();
    log.info({ kind: status.kind, location: status.location, applied, total: status.appliedMigrations.length }, 'db.ready');

    // Downloading gigabytes only makes sense once there is someone to serve.
    const chatConfigured = config.discord.enabled || config.slack.enabled;
    const pull = config.engine.autoPull && chatConfigured ? { ...options.progress, signal } : undefined;
    const model = await checkDefaultModel(config, pull);
    const readiness = assessReadiness(config, model);
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
    await startServices(buildServices({ config, database, logger }), shutdown, log);
    log.info({ model: model.name, discord: readiness.discord, slack: readiness.slack }, 'darkroom.ready');
    await untilAborted(signal);
    log.info('darkroom.stopping');
    return 0;
  } finally {
    await shutdown.run();
  }
}
