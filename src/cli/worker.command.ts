/** `darkroom worker`: a GPU worker process of a cluster (queue.backend: redis), until SIGINT/SIGTERM. */
import type { Command } from 'commander';
import { DatabaseUnavailableError } from '../db/database-errors.ts';
import { componentLogger } from '../logging/logger.ts';
import type { CliContext } from './cli-context.ts';
import { EXIT } from './cli-context.ts';
import { listenForStop } from './stop-signals.ts';

export function registerWorkerCommand(program: Command, context: CliContext): void {
  program
    .command('worker')
    .description('run a GPU worker of a cluster: take jobs from Redis (queue.backend: redis), run them, store the images')
    .action(async () => {
      const config = context.config();
      if (config === undefined) return;
      const logger = context.logger(config, 'stdout');
      const stopping = listenForStop(logger, context);
      try {
        // Loaded here: the other commands skip the engine and the queue.
        const { startWorker } = await import('../worker-main.ts');
        context.exitCode = await startWorker(config, {
          logger,
          signal: stopping.signal,
          print: context.err,
          shutdownGraceMs: config.shutdown.graceSeconds * 1000,
        });
      } catch (error) {
        if (error instanceof DatabaseUnavailableError) {
          componentLogger(logger, 'main').fatal({ reason: error.reason, location: error.location }, 'worker.database_unavailable');
          context.err(error.message);
        } else {
          componentLogger(logger, 'main').fatal({ err: error }, 'worker.failed');
          context.err(`The worker stopped on an error: ${error instanceof Error ? error.message : String(error)}`);
        }
        context.exitCode = EXIT.failure;
      } finally {
        stopping.stopListening();
      }
    });
}
