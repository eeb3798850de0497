/** `darkroom start`: runs the bot until SIGINT/SIGTERM (a second signal exits at once). */
import { Option, type Command } from 'commander';
import { DatabaseUnavailableError } from '../db/database-errors.ts';
import { ChatStartError } from '../lifecycle/chat-connect.ts';
import { componentLogger } from '../logging/logger.ts';
import type { CliContext } from './cli-context.ts';
import { EXIT } from './cli-context.ts';
import { listenForStop } from './stop-signals.ts';

export function registerStartCommand(program: Command, context: CliContext): void {
  program
    .command('start')
    .description('run the bot (npm start): migrate the database, then serve Discord and Slack')
    .addOption(
      new Option('--role <role>', 'all = chat and jobs in this process; bot = chat only, jobs in darkroom worker processes (queue.backend: redis)')
        .choices(['all', 'bot'])
        .default('all'),
    )
    .action(async (flags: { role: 'all' | 'bot' }) => {
      const config = context.config();
      if (config === undefined) return;
      const logger = context.logger(config, 'stdout');
      const stopping = listenForStop(logger, context);
      try {
        // Loaded here, not at the top: `darkroom --help` and the other commands skip the whole bot.
        const { startDarkroom } = await import('../main.ts');
        const { terminalPullDisplay } = await import('./pull-progress.reporter.ts');
        context.exitCode = await startDarkroom(config, {
          logger,
          signal: stopping.signal,
          print: context.err,
          workingDir: context.workingDir,
          progress: terminalPullDisplay(process.stderr, process.stderr.isTTY === true),
          shutdownGraceMs: config.shutdown.graceSeconds * 1000,
          role: flags.role,
        });
      } catch (error) {
        if (error instanceof DatabaseUnavailableError) {
          // Expected on a misconfigured or stopped server: the sentence says it all, no stack.
          componentLogger(logger, 'main').fatal({ reason: error.reason, location: error.location }, 'darkroom.database_unavailable');
          context.err(error.message);
          context.exitCode = EXIT.failure;
          return;
        }
        if (error instanceof ChatStartError) {
          componentLogger(logger, 'main').fatal({ platform: error.platform, failure: error.failure }, 'darkroom.chat_unavailable');
          context.err(error.message);
          context.exitCode = EXIT.failure;
          return;
        }
        componentLogger(logger, 'main').fatal({ err: error }, 'darkroom.failed');
        context.err(`Darkroom stopped on an error: ${error instanceof Error ? error.message : String(error)}`);
        context.exitCode = EXIT.failure;
      } finally {
        stopping.stopListening();
      }
    });
}
