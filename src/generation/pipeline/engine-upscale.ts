/**
 * `ImageEngine.upscale` on top of the upscale room: a tiled ONNX upscaler when configured, else
 * the hires fix, whose img2img pass runs through this engine's pipeline with the request's
 * prompt, seed and settings. The result is a PNG with A1111 parameters in A1111's own terms:
 * a hires fix says `Size` = the first-pass size, `Hires upscale`, `Hires steps`, `Hires upscaler`
 * and `Denoising strength` (as txt2img with hires fix writes them); an ONNX upscale is what A1111
 * calls a postprocessing upscale (`Postprocess upscale by`, `Postprocess upscaler`).
 */
import type { GenerateOptions, GeneratedImage, GenerationRequest } from '../engine.types.ts';
import type { RgbImage } from '../../images/rgb-image.ts';
import { decodeImage, encodePng, formatA1111Parameters } from '../../images/index.ts';
import type { Upscaler } from '../upscale/index.ts';

/** Runs img2img of `image` at `strength` for the request (bound by the engine). */
export type RequestImg2Img = (
  image: RgbImage,
  strength: number,
  signal: AbortSignal | undefined,
) => Promise<{ image: RgbImage; nsfw: boolean | undefined; samplerLabel: string }>;

export interface UpscaledImage {
  image: GeneratedImage;
  warnings: string[];
}

/** A1111 infotext fields describing an upscale of a `source`-sized first pass. */
export function upscaleInfotextFields(
  result: { method: 'onnx' | 'hires-fix'; scale: number },
  request: Pick<GenerationRequest, 'steps'>,
  hiresStrength: number | undefined,
): { denoisingStrength: number | undefined; extra: Record<string, string> } {
  const scale = String(Number(result.scale.toFixed(3)));
  if (result.scale === 1) return { denoisingStrength: undefined, extra: {} };
  if (result.method === 'onnx') {
    return { denoisingStrength: undefined, extra: { 'Postprocess upscale by': scale, 'Postprocess upscaler': 'ONNX upscaler' } };
  }
  return {
    denoisingStrength: hiresStrength,
    extra: { 'Hires upscale': scale, 'Hires steps': String(request.steps), 'Hires upscaler': 'Lanczos' },
  };
}

/** Upscales one PNG and re-encodes it with parameters describing the upscale. */
export async function upscalePng(
  upscaler: Upscaler,
  png: Buffer,
  request: GenerationRequest,
  /** Name written as `Model`; hash as `Model hash` (undefined while not yet computed). */
  model: { name: string; hash: string | undefined },
  /** A1111 sampler label of the request, for ONNX upscales (no sampler runs). */
  requestSampler: string,
  options: GenerateOptions,
  img2img: RequestImg2Img,
): Promise<UpscaledImage> {
  const source = await decodeImage(png);
  // Filled in by the hires fix's img2img pass; an ONNX upscale is not checked by the safety checker.
  let nsfw: boolean | undefined;
  let sampler = requestSampler;
  let hiresStrength: number | undefined;
  const result = await upscaler.upscale(source, {
    signal: options.signal,
    // Tiles are the progress of an ONNX upscale; for the hires fix the img2img steps report themselves.
    onProgress: (progress) => {
      if (progress.method === 'onnx') options.onProgress?.({ step: progress.completed, totalSteps: progress.total, preview: undefined });
    },
    img2img: async (image, strength, signal) => {
      const refined = await img2img(image, strength, signal);
      hiresStrength = strength;
      nsfw = refined.nsfw;
      sampler = refined.samplerLabel;
      return refined.image;
    },
  });
  const fields = upscaleInfotextFields(result, request, hiresStrength);
  const parameters = formatA1111Parameters({
    prompt: request.prompt,
    // A1111's infotext has no way to say "explicitly empty": both are no line.
    negativePrompt: request.negativePrompt ?? '',
    steps: request.steps,
    sampler,
    cfgScale: request.guidance,
    seed: request.seed,
    // A1111: `Size` is the first pass; the result's size is Size × Hires upscale.
    width: source.width,
    height: source.height,
    model: model.name,
    modelHash: model.hash,
    denoisingStrength: fields.denoisingStrength,
    extra: fields.extra,
  });
  return {
    image: {
      index: 0,
      seed: request.seed,
      width: result.image.width,
      height: result.image.height,
      png: await encodePng(result.image, parameters),
      nsfw,
    },
    warnings: result.warnings,
  };
}
