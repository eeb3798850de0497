/**
 * Bolt and its Socket Mode client log through their own `Logger` interface; this one writes to
 * our pino child logger, so their lines carry `component: "slack"` like ours. Bolt logs at
 * info for routine things (connections, reconnects); its debug lines are very chatty and are
 * only passed on when pino's level asks for them.
 */
import { LogLevel, type Logger as BoltLogger } from '@slack/bolt';
import type { Logger } from 'pino';

const PINO_TO_BOLT: Record<string, LogLevel> = {
  trace: LogLevel.DEBUG,
  debug: LogLevel.DEBUG,
  info: LogLevel.INFO,
  warn: LogLevel.WARN,
  error: LogLevel.ERROR,
  fatal: LogLevel.ERROR,
  silent: LogLevel.ERROR,
};

function text(parts: unknown[]): string {
  return parts.map((part) => (typeof part === 'string' ? part : part instanceof Error ? part.message : JSON.stringify(part))).join(' ');
}

/** A Bolt logger writing to `logger` (with `library: "bolt"` on every line). */
export function boltLogger(logger: Logger): BoltLogger {
  let log = logger.child({ library: 'bolt' });
  return {
    debug: (...parts: unknown[]) => log.debug(text(parts)),
    info: (...parts: unknown[]) => log.info(text(parts)),
    warn: (...parts: unknown[]) => log.warn(text(parts)),
    error: (...parts: unknown[]) => log.error(text(parts)),
    // Bolt calls setLevel with its own default; pino's level (from our config) stays in charge.
    setLevel: () => {},
    getLevel: () => PINO_TO_BOLT[logger.level] ?? LogLevel.INFO,
    setName: (name: string) => {
      log = logger.child({ library: name });
    },
  };
}
