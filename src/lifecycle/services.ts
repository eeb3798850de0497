/**
 * Long-running parts of Darkroom (queue, engine, chat adapters) as the composition root sees
 * them: started in order, stopped in reverse.
 */
import type { Logger } from 'pino';
import type { ShutdownSequence, StopHook } from './shutdown.ts';

export interface Service {
  /** Short name for logs (`queue`, `discord`). */
  readonly name: string;
  /** Resolves once the service is ready for work. */
  start(): Promise<void>;
  /** See {@link StopHook}: stop taking work, finish or (when `deadline` aborts) abort, release resources. */
  stop: StopHook;
}

/**
 * Starts services one after the other. Each stop hook is registered as soon as its service has
 * started, so when a later one fails the caller's shutdown stops exactly those that are running.
 */
export async function startServices(services: readonly Service[], shutdown: ShutdownSequence, logger: Logger): Promise<void> {
  for (const service of services) {
    const started = performance.now();
    await service.start();
    shutdown.add(service.name, (deadline) => service.stop(deadline));
    logger.info({ service: service.name, durationMs: Math.round(performance.now() - started) }, 'service.started');
  }
}

/**
 * Resolves when `signal` aborts (at once if it already has). Keeps the process alive meanwhile:
 * an abort listener alone does not, and a bot whose adapters hold no socket yet must not exit.
 */
export function untilAborted(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const keepAlive = setInterval(() => {}, 2 ** 30);
    signal.addEventListener(
      'abort',
      () => {
        clearInterval(keepAlive);
        resolve();
      },
      { once: true },
    );
  });
}
