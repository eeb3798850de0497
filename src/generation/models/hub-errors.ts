import { HubApiError, InvalidApiResponseFormatError } from '@huggingface/hub';
import path from 'node:path';
import { isNetworkFailure } from '../../lifecycle/network-failure.ts';
import { modelProblem, pullCommandFor, type ModelProblem } from './model.types.ts';

/** What a failed hub call was about, for the words of the message. */
export interface HubContext {
  name: string;
  repo: string;
  revision: string;
  hubUrl: string;
  modelsDir: string;
  tokenSent: boolean;
}

/** True for "could not talk to the server at all" failures from fetch. */
export function isNetworkError(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  // The socket codes are the ones chat start-up retries on (one list: lifecycle/network-failure.ts).
  return isNetworkFailure(error) || error.message === 'fetch failed';
}

/** The problem shown when the hub cannot be reached: what to run on a connected machine, or where to put the folder. */
export function unreachableProblem(context: HubContext): ModelProblem {
  const command = pullCommandFor(context.name);
  const folder = path.join(context.modelsDir, context.name) + path.sep;
  return modelProblem(
    'hub_unreachable',
    `cannot reach ${context.hubUrl}; download on a connected machine with \`${command}\` or place the folder in ${folder}`,
    command,
  );
}

/** Problem for an HTTP status from the hub (listing, resolve or file transfer). */
export function httpStatusProblem(status: number, hubMessage: string | undefined, context: HubContext): ModelProblem {
  const where = `${context.repo}@${context.revision}`;
  const detail = hubMessage ? ` (hub says: ${hubMessage})` : '';
  if (status === 401 || status === 403) {
    const fix = context.tokenSent
      ? `the hub refused HF_TOKEN: check the token and accept the model's terms at ${context.hubUrl}/${context.repo}`
      : `set HF_TOKEN to a Hugging Face access token (hf_…) of an account that accepted the terms at ${context.hubUrl}/${context.repo}`;
    return modelProblem('gated', `this repo is gated or private (HTTP ${status} for ${where}): ${fix}${detail}`);
  }
  if (status === 404) {
    return modelProblem('not_found', `no such repo/revision: ${where} on ${context.hubUrl}${detail}`);
  }
  return modelProblem(
    'hub_error',
    `the hub answered HTTP ${status} for ${where}${detail}; try again later with \`${pullCommandFor(context.name)}\``,
    pullCommandFor(context.name),
  );
}

/**
 * Turns an error thrown by `@huggingface/hub` or fetch into a problem value. Aborts and programming
 * errors are rethrown: they are not the hub's answer.
 */
export function hubErrorToProblem(error: unknown, context: HubContext): ModelProblem {
  if (error instanceof HubApiError) {
    const hubMessage = typeof error.data?.['error'] === 'string' ? error.data['error'] : undefined;
    return httpStatusProblem(error.statusCode, hubMessage, context);
  }
  if (error instanceof InvalidApiResponseFormatError) {
    return modelProblem('hub_error', `unexpected answer from ${context.hubUrl} for ${context.repo}: ${error.message}`);
  }
  if (isNetworkError(error)) return unreachableProblem(context);
  throw error;
}
