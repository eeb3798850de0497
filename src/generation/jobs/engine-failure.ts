/**
 * Turns an error from a job into what the person reads: expected problems (a model that is
 * gone, a source image deleted meanwhile) and operator faults (a full or read-only image store,
 * a model whose files do not load) get their own code, logged once with their cause; anything
 * else is a bug, logged with a reference id that the apology repeats.
 */
import type { Logger } from 'pino';
import { ImageNotFoundError, StorageUnavailableError } from '../../storage/image.store.ts';
import { newReferenceId, refuse, type Refusal } from '../requests/refusal.ts';

/** Thrown by the runner when a derived job's source image was deleted before the job ran. */
export class SourceImageGoneError extends Error {
  override readonly name = 'SourceImageGoneError';
  constructor(readonly generationId: string, readonly imageIndex: number) {
    super(`source image ${generationId}#${imageIndex} was deleted`);
  }
}

/**
 * Errors of a model whose files are there but do not load: a truncated or corrupt ONNX file, a
 * missing external-weights file, an unreadable tokenizer. Recognised by name, since the session
 * host's errors cross a worker thread.
 */
const BROKEN_MODEL_ERRORS: ReadonlySet<string> = new Set(['OnnxModelLoadError', 'TokenizerLoadError']);

/** True when a job failed because its model's files do not load (the model is not usable until fixed). */
export function isBrokenModelError(error: unknown): boolean {
  return error instanceof Error && BROKEN_MODEL_ERRORS.has(error.name);
}

/** The refusal a failed job reports; logs the error (with the reference id for bugs) on the job's logger. */
export function failureFor(error: unknown, context: { model: string; available: readonly string[]; logger: Logger }): Refusal {
  const name = error instanceof Error ? error.name : undefined;
  if (name === 'ModelUnavailableError' || name === 'UnsupportedModelError') {
    context.logger.warn({ err: error }, 'job.model_unavailable');
    return refuse('model_unavailable', { model: context.model, available: context.available });
  }
  if (isBrokenModelError(error)) {
    context.logger.error({ err: error, model: context.model }, 'job.model_broken');
    return refuse('model_broken', { model: context.model, available: context.available.filter((name) => name !== context.model) });
  }
  if (error instanceof StorageUnavailableError) {
    context.logger.error({ err: error }, 'job.storage_unavailable');
    return refuse('storage_unavailable', { action: error.operation === 'put' ? 'save the images' : error.operation === 'get' ? 'read the image' : 'delete the image' });
  }
  if (name === 'EditUnsupportedError') {
    return refuse('forbidden', { action: 'edit images with the engine configured here', allowed: 'no one' });
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
