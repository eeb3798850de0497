/**
 * Connecting to a chat platform at start-up. A token the platform refuses is final: one plain
 * sentence with the fix, no retry (retrying cannot help and a platform may lock out a bot that
 * keeps logging in with a bad token). A network failure (DNS, refused connection, reset,
 * timeout) is retried a bounded number of times with a doubling pause, because a container often
 * starts before its network is up; then start-up stops with a plain sentence too.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';

/** What a failed connection attempt means. `undefined` from a classifier = neither: a bug. */
export type ChatStartFailure = 'refused' | 'unreachable';

/** Chat platforms by the name a person reads. */
export type ChatPlatformName = 'Discord' | 'Slack';

/** Start-up could not connect to a chat platform; `message` is the sentence to print. */
export class ChatStartError extends Error {
  override readonly name = 'ChatStartError';

  constructor(
    readonly platform: ChatPlatformName,
    readonly failure: ChatStartFailure,
    message: string,
    options: { cause: unknown },
  ) {
    super(message, options);
  }
}

export interface ChatConnectOptions {
  readonly platform: ChatPlatformName;
  /** Where the platform's API is, for the message (`https://discord.com/api`). */
  readonly apiUrl: string;
  /** The sentence for a refused token: which variable, and how to get a new one. */
  readonly refusedMessage: (error: unknown) => string;
  /** One connection attempt; must be safe to call again after it rejected. */
  readonly connect: () => Promise<void>;
  /** The platform adapter's reading of a failure. */
  readonly classify: (error: unknown) => ChatStartFailure | undefined;
  /** Attempts in all (at least 1). */
  readonly attempts: number;
  /** Pause before the second attempt; doubled for each later one, capped at `maxDelayMs`. */
  readonly firstDelayMs: number;
  readonly maxDelayMs: number;
  /** Aborts the waiting (a shutdown signal during start-up). */
  readonly signal: AbortSignal | undefined;
  readonly sleep: (ms: number, signal: AbortSignal | undefined) => Promise<void>;
  readonly logger: Logger;
}

/** A pause that ends early (without rejecting) when `signal` aborts. */
export async function abortableSleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  await delay(ms, undefined, signal === undefined ? undefined : { signal }).catch(() => undefined);
}

/** The network error code or message of a failure, for the sentence (`ECONNREFUSED`, `ENOTFOUND`). */
export function networkDetail(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 6 && typeof current === 'object' && current !== null; depth += 1) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return error instanceof Error ? error.message : String(error);
}

/** Pause before attempt `attempt` (2, 3, …). */
export function retryDelayMs(attempt: number, firstDelayMs: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, firstDelayMs * 2 ** Math.max(0, attempt - 2));
}

/**
 * Runs `connect` until it succeeds, retrying network failures with backoff. Rejects with a
 * {@link ChatStartError} for a refused token (at once) or after the last network failure; any
 * other error is rethrown as it is.
 */
export async function connectChatPlatform(options: ChatConnectOptions): Promise<void> {
  const { platform, logger } = options;
  // A function, not a property read: the signal may abort while this function awaits.
  const stopped = (): boolean => options.signal?.aborted === true;
  for (let attempt = 1; ; attempt += 1) {
    try {
      await options.connect();
      return;
    } catch (error) {
      const failure = options.classify(error);
      if (failure === 'refused') {
        throw new ChatStartError(platform, failure, options.refusedMessage(error), { cause: error });
      }
      if (failure === undefined) throw error;
      const detail = networkDetail(error);
      if (attempt >= options.attempts || stopped()) {
        const tries = attempt === 1 ? 'once' : `${attempt} times`;
        throw new ChatStartError(
          platform,
          failure,
          `Cannot reach ${platform} at ${options.apiUrl} (${detail}; tried ${tries}): check this machine's network connection, DNS and proxy settings, then start again.`,
          { cause: error },
        );
      }
      const delayMs = retryDelayMs(attempt + 1, options.firstDelayMs, options.maxDelayMs);
      logger.warn({ platform, attempt, of: options.attempts, delayMs, detail }, 'chat.connect_retry');
      await options.sleep(delayMs, options.signal);
      if (stopped()) {
        throw new ChatStartError(platform, failure, `Start-up was stopped while waiting to reach ${platform} at ${options.apiUrl} (${detail}).`, { cause: error });
      }
    }
  }
}
