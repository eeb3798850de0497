/**
 * How much work a job is, for queue ETAs: steps actually run × images × pixels relative to 512².
 */
import type { Generation } from '../../db/domain.types.ts';
import type { JobCost } from '../queue/generation-queue.ts';

const REFERENCE_PIXELS = 512 * 512;

export function jobCost(generation: Pick<Generation, 'kind' | 'steps' | 'count' | 'width' | 'height' | 'strength'>): JobCost {
  const pixels = (generation.width * generation.height) / REFERENCE_PIXELS;
  // img2img runs only the last `strength` share of the schedule (diffusers' rule).
  const steps = generation.strength === undefined ? generation.steps : Math.max(1, Math.floor(generation.steps * generation.strength));
  return { steps, weight: Math.max(0.01, generation.count * pixels) };
}
