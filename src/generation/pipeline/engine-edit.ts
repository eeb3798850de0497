/**
 * One edit on a loaded pipeline (`DiffusionEngine.edit`): plan where the model runs
 * (`edit-geometry.ts`), build the work image and mask, inpaint, and put the finished images
 * together. Zoom Out and Pan paste the source back at full resolution over the generated canvas;
 * Vary (Region) keeps every pixel outside the mask as it was (diffusers' `apply_overlay`); Remix
 * returns the model's image as it is. The pipeline itself follows diffusers exactly: with a
 * 9-channel UNet it does not keep the unmasked pixels by itself, only this composition does.
 */
import { resizeImage } from '../../images/index.ts';
import type { RgbImage } from '../../images/rgb-image.ts';
import type { EditOperation, EditRequest, MaskImage } from '../edit.types.ts';
import type { GenerateOptions } from '../engine.types.ts';
import {
  canvasMask,
  outpaintWorkMask,
  pasteImage,
  planInPlace,
  planPan,
  planZoomOut,
  solidImage,
  type EditPlan,
  type ModelGeometry,
} from './edit-geometry.ts';
import { fullMask, resizeMask } from './inpaint-mask.ts';
import type { PipelineOutput, PipelineRequest, PipelineRunOptions } from './pipeline-request.ts';

/** What the edit needs of a pipeline. */
export interface EditablePipeline {
  readonly info: { sampleSize: number };
  readonly sizeMultiple: number;
  generate(request: PipelineRequest, options: PipelineRunOptions): Promise<PipelineOutput>;
}

export interface EditOutcome {
  /** The pipeline's output with the finished (composed) images. */
  output: PipelineOutput;
  plan: EditPlan;
  /** What changed, at the finished size. */
  mask: MaskImage;
  strength: number;
}

/** The plan for an operation on a `source`-sized image. */
export function planEdit(source: { width: number; height: number }, operation: EditOperation, model: ModelGeometry): EditPlan {
  switch (operation.kind) {
    case 'zoom':
      return planZoomOut(source, operation.factor, model);
    case 'pan':
      return planPan(source, operation.direction, model);
    case 'region':
    case 'remix':
      return planInPlace(source, model);
  }
}

async function resized(image: RgbImage, width: number, height: number): Promise<RgbImage> {
  return image.width === width && image.height === height ? image : resizeImage(image, width, height, 'lanczos3');
}

/** The work image, its mask and the strength the model runs with. */
async function workInput(source: RgbImage, operation: EditOperation, plan: EditPlan): Promise<{ image: RgbImage; mask: MaskImage; strength: number }> {
  const { work } = plan;
  if (operation.kind === 'zoom' || operation.kind === 'pan') {
    // The new part starts from pure noise, so its pixels never count (mid grey).
    const image = solidImage(work, 128);
    const inside = plan.sourceInWork;
    pasteImage(image, await resized(source, inside.width, inside.height), inside.left, inside.top);
    return { image, mask: outpaintWorkMask(plan), strength: 1 };
  }
  const image = await resized(source, work.width, work.height);
  if (operation.kind === 'remix') return { image, mask: fullMask(work.width, work.height), strength: operation.strength };
  const { mask } = operation;
  if (mask.width !== source.width || mask.height !== source.height) {
    throw new RangeError(`the region mask is ${mask.width}×${mask.height} but the image is ${source.width}×${source.height}`);
  }
  return { image, mask: resizeMask(mask, work.width, work.height), strength: operation.strength };
}

/** The finished image from one generated work image. */
async function compose(generated: RgbImage, source: RgbImage, operation: EditOperation, plan: EditPlan): Promise<RgbImage> {
  if (operation.kind === 'zoom' || operation.kind === 'pan') {
    const canvas = solidImage(plan.canvas, 0);
    pasteImage(canvas, await resized(generated, plan.window.width, plan.window.height), plan.window.left, plan.window.top);
    pasteImage(canvas, source, plan.source.left, plan.source.top);
    return canvas;
  }
  const image = await resized(generated, source.width, source.height);
  if (operation.kind === 'remix') return image;
  const result = { ...image, pixels: Uint8Array.from(image.pixels) };
  pasteImage(result, source, 0, 0, operation.mask);
  return result;
}

/** Runs `request` on `pipeline` for `seeds` (image i uses seeds[i]). */
export async function runEdit(pipeline: EditablePipeline, request: EditRequest, seeds: readonly number[], options: GenerateOptions): Promise<EditOutcome> {
  const { image: source, operation } = request;
  if ((operation.kind === 'region' || operation.kind === 'remix') && !(operation.strength > 0 && operation.strength <= 1)) {
    throw new RangeError(`edit strength must be in (0, 1], got ${operation.strength}`);
  }
  const plan = planEdit(source, operation, { nativeSize: pipeline.info.sampleSize, sizeMultiple: pipeline.sizeMultiple });
  const input = await workInput(source, operation, plan);
  const output = await pipeline.generate(
    {
      prompt: request.prompt,
      negativePrompt: request.negativePrompt,
      seeds,
      steps: request.steps,
      guidance: request.guidance,
      scheduler: request.scheduler,
      width: plan.work.width,
      height: plan.work.height,
      initImage: { image: input.image, strength: input.strength },
      mask: input.mask,
    },
    { signal: options.signal, onProgress: options.onProgress, previews: options.previews },
  );
  const images = [];
  for (const generated of output.images) images.push({ ...generated, image: await compose(generated.image, source, operation, plan) });
  const mask =
    operation.kind === 'region' ? operation.mask : operation.kind === 'remix' ? fullMask(source.width, source.height) : canvasMask(plan);
  return { output: { ...output, images }, plan, mask, strength: input.strength };
}
