/**
 * What one request may ask for, per role and per workspace: the defaults, then the overrides
 * of the person's role (admins get moderator overrides too), then the workspace's (the most
 * specific choice, made by whoever runs that server, applies last).
 */
import type { GenerationLimits, LimitsConfig } from '../../config/config.types.ts';
import { resolveForRole, type PolicyRole } from '../queue/quota.policy.ts';

export type { GenerationLimits } from '../../config/config.types.ts';

/** The limits for a person of `role` in the workspace with this platform id (undefined in DMs). */
export function effectiveLimits(config: LimitsConfig, role: PolicyRole, workspaceExternalId: string | undefined): GenerationLimits {
  const byRole = resolveForRole(config.default, config.roles, role);
  const byWorkspace = workspaceExternalId === undefined ? undefined : config.workspaces[workspaceExternalId];
  if (byWorkspace === undefined) return byRole;
  const defined = Object.fromEntries(Object.entries(byWorkspace).filter(([, value]) => value !== undefined));
  return { ...byRole, ...defined };
}

/** Whether `model` may be used under these limits (an empty allow-list allows every model). */
export function modelAllowed(limits: GenerationLimits, model: string): boolean {
  return limits.allowedModels.length === 0 || limits.allowedModels.some((name) => name.toLowerCase() === model.toLowerCase());
}

/** The parts of a job the limits look at. */
export interface LimitedJob {
  steps: number;
  count: number;
  width: number;
  height: number;
}

/** Largest side of any image Darkroom makes (the aspect-size rule never goes past it either). */
export const MAX_IMAGE_SIDE = 4096;

/**
 * The first limit a stored job's parameters break under today's limits (a reroll of an old job,
 * or one pressed by someone with lower limits), in the words of an `invalid_option` refusal;
 * undefined when none. The size is checked separately, on the job's output: {@link outputTooLarge}.
 */
export function firstLimitBroken(job: LimitedJob, limits: GenerationLimits): { option: string; value: string; expected: string } | undefined {
  if (job.steps > limits.maxSteps) return { option: '--steps', value: String(job.steps), expected: `a whole number from 1 to ${limits.maxSteps}` };
  if (job.count > limits.maxCount) return { option: '--count', value: String(job.count), expected: `a whole number from 1 to ${limits.maxCount}` };
  return undefined;
}

/**
 * Whether a job's OUTPUT (`width`×`height` of the image it makes: twice the source for an
 * upscale) breaks the pixel or side limit. What costs memory and time is the image the engine
 * makes, so a 1024² upscale of a 512² image is checked as 1024², and ⬆️ on that as 2048².
 */
export function outputTooLarge(job: Pick<LimitedJob, 'width' | 'height'>, limits: GenerationLimits): boolean {
  return job.width * job.height > limits.maxPixels || Math.max(job.width, job.height) > MAX_IMAGE_SIDE;
}
