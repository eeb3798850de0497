/**
 * What every CLI command receives: where it runs, where to print, and the configuration,
 * loaded once on first use. Command files (`*.command.ts`) register themselves on the
 * commander program with `register…Command(program, context)` and report their result with
 * `context.exitCode`.
 */
import type { DarkroomConfig, ModelsConfig } from '../config/config.types.ts';
import type { Environment } from '../config/environment.ts';
import { loadConfig } from '../config/load-config.ts';
import type { Logger } from '../logging/logger.ts';
import { createRootLogger } from '../logging/logger.ts';
import type { ModelCatalog } from '../generation/models/model-catalog.ts';
import { readCatalog } from '../lifecycle/model-availability.ts';
import { exitCodeForSignal, listenForShutdownSignals } from '../lifecycle/shutdown.ts';
import { formatConfigProblems } from './config-problems.format.ts';

/** Exit codes of the `darkroom` command. */
export const EXIT = { ok: 0, failure: 1, config: 2 } as const;

export interface CliIo {
  /** The environment snapshot (with `.env` already loaded). */
  env: Environment;
  /** The `.env` file that was loaded, if any (doctor shows it). */
  envFile: string | undefined;
  /** The shell's current folder. */
  workingDir: string;
  /** Standard output: the answer a person asked for. */
  out: (text: string) => void;
  /** Standard error: problems, guidance. */
  err: (text: string) => void;
}

export interface CliContext extends CliIo {
  /**
   * The validated configuration, loaded on first call. On problems, prints every one of them,
   * sets `exitCode` to 2 and returns undefined: the command should then return at once.
   */
  config(): DarkroomConfig | undefined;
  /** A root logger: `start` logs to stdout at the configured level; other commands to stderr, warnings and up by default. */
  logger(config: DarkroomConfig, destination: 'stdout' | 'stderr'): Logger;
  /** What the process exits with; commands set it. */
  exitCode: number;
}

export function createCliContext(io: CliIo): CliContext {
  let loaded: { config: DarkroomConfig | undefined } | undefined;
  const context: CliContext = {
    ...io,
    exitCode: EXIT.ok,
    config() {
      if (loaded === undefined) {
        const result = loadConfig({ configDir: undefined, env: io.env, workingDir: io.workingDir, defaultsFile: undefined });
        if (!result.ok) io.err(formatConfigProblems(result.problems, io.workingDir));
        loaded = { config: result.ok ? result.config : undefined };
      }
      if (loaded.config === undefined) context.exitCode = EXIT.config;
      return loaded.config;
    },
    logger(config, destination) {
      // A one-off command's answer is its printed text: at the default level its log keeps to
      // warnings; LOG_LEVEL=debug (or trace) still shows everything.
      const level = destination === 'stderr' && config.log.level === 'info' ? 'warn' : config.log.level;
      return createRootLogger({ level, fileDescriptor: destination === 'stdout' ? 1 : 2, pretty: undefined });
    },
  };
  return context;
}

/**
 * The model catalog, or undefined after saying why it cannot be read (exit code 1): the
 * command should then return at once.
 */
export async function catalogOrReport(context: CliContext, models: ModelsConfig): Promise<ModelCatalog | undefined> {
  const read = await readCatalog(models);
  if (read.catalog === undefined) {
    context.err(read.problem ?? 'cannot read the model catalog');
    context.exitCode = EXIT.failure;
  }
  return read.catalog;
}

/**
 * For long one-off work (a download, a generation): the first Ctrl+C / SIGTERM aborts `signal`
 * so the work stops cleanly; a second one exits at once. Call `dispose` when the work is done.
 */
export function interruptOnSignals(): { signal: AbortSignal; dispose: () => void } {
  const interrupt = new AbortController();
  const dispose = listenForShutdownSignals({
    source: process,
    signals: ['SIGINT', 'SIGTERM'],
    onShutdown: () => interrupt.abort(),
    onForce: (signal) => process.exit(exitCodeForSignal(signal)),
  });
  return { signal: interrupt.signal, dispose };
}
