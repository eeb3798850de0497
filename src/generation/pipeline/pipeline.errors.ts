/**
 * Errors the pipeline throws on purpose. The generation service recognises them by `name` /
 * `code`, never by message text.
 */
import type { ModelProblem, ModelProblemCode } from '../models/model.types.ts';

/** Generation stopped because the caller's AbortSignal fired. `name === 'AbortError'` like DOM aborts. */
export class GenerationAbortedError extends Error {
  override readonly name = 'AbortError';
  readonly code = 'aborted';
  constructor(readonly completedSteps: number) {
    super(`generation cancelled after ${completedSteps} step(s)`);
  }
}

/** The model folder holds something this pipeline cannot run (inpainting UNet, x4 upscaler, …). */
export class UnsupportedModelError extends Error {
  override readonly name = 'UnsupportedModelError';
  readonly code = 'unsupported_model';
}

/**
 * The model cannot be used as named: not downloaded, unknown, or a folder with missing files.
 * Carries the models room's problem `code` and, when pulling fixes it, the exact command.
 */
export class ModelUnavailableError extends Error {
  override readonly name = 'ModelUnavailableError';
  readonly code: ModelProblemCode;
  readonly pullCommand: string | undefined;
  constructor(problem: ModelProblem) {
    super(problem.message);
    this.code = problem.code;
    this.pullCommand = problem.pullCommand;
  }
}

/** Throws {@link GenerationAbortedError} when `signal` has fired. */
export function throwIfAborted(signal: AbortSignal | undefined, completedSteps: number): void {
  if (signal?.aborted) throw new GenerationAbortedError(completedSteps);
}
