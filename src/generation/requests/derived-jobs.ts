/**
 * Reroll, variation and upscale jobs are built from the stored parent row, never from the chat
 * message, so a button pressed weeks later (or after a restart) does exactly what it says.
 */
import type { GenerationWithImages } from '../../db/domain.types.ts';
import type { NewGeneration } from '../../db/generation.repository.ts';

/** img2img strength of a variation: subtle keeps the composition, strong keeps mostly the idea. */
export const VARIATION_STRENGTH = { subtle: 0.35, strong: 0.65 } as const;
export type VariationStrength = keyof typeof VARIATION_STRENGTH;

/** The job parameters of a new row; who, where and the chat location are added by the caller. */
export type JobParameters = Omit<NewGeneration, 'userId' | 'workspaceId' | 'channelId' | 'chat'>;

function copyOf(parent: GenerationWithImages): Omit<JobParameters, 'kind' | 'parentId' | 'parentImageIndex' | 'seed' | 'strength'> {
  return {
    prompt: parent.prompt,
    negativePrompt: parent.negativePrompt,
    steps: parent.steps,
    guidance: parent.guidance,
    scheduler: parent.scheduler,
    width: parent.width,
    height: parent.height,
    model: parent.model,
    count: parent.count,
  };
}

/**
 * Same parameters, new seed. Rerolling a variation or an upscale makes a new one of the same
 * source image (its parent stays the source generation), and so does rerolling an edit; anything else is a `reroll` child.
 */
export function rerollOf(parent: GenerationWithImages, seed: number): JobParameters {
  if ((parent.kind === 'variation' || parent.kind === 'upscale') && parent.parentId !== undefined) {
    return { ...copyOf(parent), kind: parent.kind, parentId: parent.parentId, parentImageIndex: parent.parentImageIndex, seed, strength: parent.strength };
  }
  // An edit (issue 15): the same edit of the same source image, with a new seed.
  if (parent.kind === 'edit' && parent.parentId !== undefined && parent.edit !== undefined) {
    return { ...copyOf(parent), kind: 'edit', parentId: parent.parentId, parentImageIndex: parent.parentImageIndex, edit: parent.edit, seed, strength: parent.strength };
  }
  return { ...copyOf(parent), kind: 'reroll', parentId: parent.id, parentImageIndex: undefined, seed, strength: undefined };
}

/** img2img from image `index` of the parent, at the size of that image, with a new seed. */
export function variationOf(parent: GenerationWithImages, index: number, strength: VariationStrength, seed: number, size: { width: number; height: number }): JobParameters {
  return {
    ...copyOf(parent),
    ...size,
    kind: 'variation',
    parentId: parent.id,
    parentImageIndex: index,
    seed,
    strength: VARIATION_STRENGTH[strength],
  };
}

/** 2× upscale of image `index` (the engine decides how: ONNX upscaler or hires fix). */
export function upscaleOf(parent: GenerationWithImages, index: number, imageSeed: number, size: { width: number; height: number }): JobParameters {
  return {
    ...copyOf(parent),
    kind: 'upscale',
    parentId: parent.id,
    parentImageIndex: index,
    // The seed of that very image, so a hires-fix pass adds detail consistent with it.
    seed: imageSeed,
    width: size.width * 2,
    height: size.height * 2,
    count: 1,
    strength: undefined,
  };
}
