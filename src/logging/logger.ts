/**
 * pino set-up: one JSON root logger per process and one child per component
 * (`component: "db"`, `"queue"`, `"discord"` …), so every line says where it came from.
 */
import { pino } from 'pino';
import type { Logger } from 'pino';
import type { LogLevel } from '../config/config.types.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: LogLevel;
  /**
   * 1 = stdout (the bot: logs are its output), 2 = stderr (CLI commands, whose stdout is the
   * answer a person reads).
   */
  fileDescriptor: 1 | 2;
}

/**
 * The root logger. Writes synchronously: volume is low (lifecycle events, not per-pixel work) and
 * a line logged just before `process.exit` must not be lost.
 */
export function createRootLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      // Secrets live in the config object; never print them if someone logs it by mistake.
      redact: {
        paths: ['*.token', '*.botToken', '*.appToken', '*.signingSecret', '*.hubToken', 'config.*.token'],
        censor: '[secret]',
      },
    },
    pino.destination({ dest: options.fileDescriptor, sync: true }),
  );
}

/** The logger of one component; every line carries `component`. */
export function componentLogger(parent: Logger, component: string): Logger {
  return parent.child({ component });
}

/** A logger that drops everything (tests, and commands that must print nothing but their answer). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
