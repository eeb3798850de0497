/**
 * pino set-up: one root logger per process and one child per component (`component: "db"`,
 * `"queue"`, `"discord"` …), so every line says where it came from. JSON lines with ISO times
 * for log collectors; readable, coloured lines (pino-pretty) when a person watches a terminal.
 */
import { createRequire } from 'node:module';
import { isatty } from 'node:tty';
import { pino } from 'pino';
import type { DestinationStream, Logger } from 'pino';
import type PinoPretty from 'pino-pretty';
import type { LogLevel } from '../config/config.types.ts';

export type { Logger } from 'pino';

export interface LoggerOptions {
  level: LogLevel;
  /**
   * 1 = stdout (the bot: logs are its output), 2 = stderr (CLI commands, whose stdout is the
   * answer a person reads).
   */
  fileDescriptor: 1 | 2;
  /**
   * true = human-readable lines, false = JSON lines; undefined = readable when the file
   * descriptor is a terminal, JSON otherwise (pipes, files, containers, journald).
   */
  pretty: boolean | undefined;
}

/** Secrets live in the config object; never print them if someone logs it by mistake. */
/** Secrets pino replaces with `[secret]` wherever they appear in a logged object. */
export const REDACT = {
  paths: ['*.token', '*.botToken', '*.appToken', '*.signingSecret', '*.hubToken', 'config.*.token', '*.secretAccessKey', '*.*.secretAccessKey', 'config.storage.s3.secretAccessKey'],
  censor: '[secret]',
};

/**
 * The root logger. Writes synchronously: volume is low (lifecycle events, not per-pixel work) and
 * a line logged just before `process.exit` must not be lost.
 */
export function createRootLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty ?? isatty(options.fileDescriptor);
  return pino(
    {
      level: options.level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: REDACT,
    },
    pretty ? prettyStream(options.fileDescriptor) : pino.destination({ dest: options.fileDescriptor, sync: true }),
  );
}

/** pino-pretty as a synchronous stream in this thread (no transport worker), loaded only when used. */
function prettyStream(fileDescriptor: 1 | 2): DestinationStream {
  const pinoPretty = createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
  return pinoPretty({
    destination: fileDescriptor,
    sync: true,
    colorize: isatty(fileDescriptor),
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
}

/** The logger of one component; every line carries `component`. */
export function componentLogger(parent: Logger, component: string): Logger {
  return parent.child({ component });
}

/** A logger that drops everything (tests, and commands that must print nothing but their answer). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
