/**
 * Turns an error from a job into what the person reads: expected problems (a model that is
 * gone, a source image deleted meanwhile) get their own code; anything else is a bug, logged
 * with a reference id that the apology repeats.
 */
import type { Logger } from 'pino';
import { ImageNotFoundError } from '../../storage/image.store.ts';
import { newReferenceId, refuse, type Refusal } from './refusal.ts';

/** Thrown by the runner when a derived job's source image was deleted before the job ran. */
export class SourceImageGoneError extends Error {
  override readonly name = 'SourceImageGoneError';
  constructor(readonly generationId: string, readonly imageIndex: number) {
    super(`source image ${generationId}#${imageIndex} was deleted`);
  }
}

/** The refusal a failed job reports; logs the error (with the reference id for bugs) on the job's logger. */
export function failureFor(error: unknown, context: { model: string; available: readonly string[]; logger: Logger }): Refusal {
  const name = error instanceof Error ? error.name : undefined;
  if (name === 'ModelUnavailableError' || name === 'UnsupportedModelError') {
    context.logger.warn({ err: error }, 'job.model_unavailable');
    return refuse('model_unavailable', { model: context.model, available: context.available });
  }
  if (error instanceof SourceImageGoneError) {
    return refuse('not_found', { what: 'image', id: `${error.generationId} #${error.imageIndex + 1}` });
  }
  if (error instanceof ImageNotFoundError) {
    return refuse('not_found', { what: 'image', id: error.key });
  }
  const referenceId = newReferenceId();
  context.logger.error({ referenceId, err: error }, 'job.internal_error');
  return refuse('internal', { referenceId });
}
