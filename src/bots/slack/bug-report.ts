/**
 * The Slack adapter's one catch-all: an exception is a bug. The person gets the `internal`
 * refusal (a short apology with a reference id); the log gets the stack and the same id, so
 * an admin can find one from the other.
 */
import type { Logger } from 'pino';
import { newReferenceId, refuse, type Refusal } from '../../commands/index.ts';

export function reportBug(logger: Logger, error: unknown, context: Record<string, unknown>): Refusal<'internal'> {
  const referenceId = newReferenceId();
  logger.error({ err: error, referenceId, ...context }, 'slack.bug');
  return refuse('internal', { referenceId });
}

/** The Slack error code of a failed Web API call (`not_in_channel`, …), if that is what `error` is. */
export function slackErrorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const data = (error as { data?: { error?: unknown } }).data;
  return typeof data?.error === 'string' ? data.error : undefined;
}
