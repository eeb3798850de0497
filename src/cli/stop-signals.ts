/**
 * What `darkroom start` and `darkroom worker` do on SIGINT/SIGTERM: the first signal asks the
 * process to stop (logged, and said on stderr), a second one exits at once.
 */
import type { Logger } from 'pino';
import { exitCodeForSignal, listenForShutdownSignals } from '../lifecycle/shutdown.ts';
import type { CliContext } from './cli-context.ts';

export interface StopSignals {
  /** Aborted by the first signal. */
  signal: AbortSignal;
  /** Stops listening (call when the command's work is over). */
  stopListening: () => void;
}

export function listenForStop(logger: Logger, context: Pick<CliContext, 'err'>): StopSignals {
  const stopping = new AbortController();
  const stopListening = listenForShutdownSignals({
    source: process,
    signals: ['SIGINT', 'SIGTERM'],
    onShutdown: (signal) => {
      logger.info({ signal }, 'shutdown.requested');
      context.err(`Stopping (${signal})… press Ctrl+C again to exit at once.`);
      stopping.abort();
    },
    onForce: (signal) => {
      logger.warn({ signal }, 'shutdown.forced');
      process.exit(exitCodeForSignal(signal));
    },
  });
  return { signal: stopping.signal, stopListening };
}
