/**
 * The diffusion "hires fix" used when no ONNX upscaler is configured (A1111 `sample_hr_pass`,
 * FastSD CPU "SD upscale"): enlarge with Lanczos, then let the diffusion model redraw fine detail
 * with img2img at a low strength. The img2img step is injected, so this module knows nothing of
 * the pipeline and tests can pass a fake.
 */
import { resizeImage } from '../../images/index.ts';
import type { RgbImage } from '../../images/rgb-image.ts';
import { throwIfUpscaleAborted } from './upscale.errors.ts';
import { enlarges, upscaleTarget } from './upscale-size.ts';

/**
 * Redraws `image` at its own size with img2img at `strength` (the caller binds prompt, model and
 * seed). Must return an image of the same size.
 */
export type Img2ImgFunction = (image: RgbImage, strength: number, signal: AbortSignal | undefined) => Promise<RgbImage>;

/** Stable Diffusion latents are 1/8 of the image: both sides must be multiples of 8. */
export const HIRES_SIZE_MULTIPLE = 8;

export interface HiresFixOptions {
  img2img: Img2ImgFunction;
  /** img2img denoising strength in (0, 1]; 0.3 keeps the composition and sharpens detail. */
  strength: number;
  /** Enlargement before img2img (A1111 `hr_scale`), usually 2. */
  factor: number;
  /** Largest result in pixels; larger targets are shrunk (with a warning). */
  maxPixels: number;
  signal: AbortSignal | undefined;
  /** Called with (completed, total) stages: 1 after the resize, 2 after img2img. */
  onStage: ((completed: number, total: number) => void) | undefined;
}

export interface HiresFixResult {
  image: RgbImage;
  /** Result width / input width (1 when the image was already at the size limit). */
  scale: number;
  warnings: string[];
}

const STAGES = 2;

/**
 * Lanczos-enlarges `image` by `factor` (rounded down to multiples of 8, capped to `maxPixels`),
 * then refines it with img2img.
 * @throws UpscaleAbortedError when `signal` fires before a stage.
 */
export async function hiresFix(image: RgbImage, options: HiresFixOptions): Promise<HiresFixResult> {
  if (!(options.strength > 0 && options.strength <= 1)) {
    throw new RangeError(`hires-fix strength must be in (0, 1], got ${options.strength}`);
  }
  const target = upscaleTarget(image.width, image.height, options.factor, options.maxPixels, HIRES_SIZE_MULTIPLE);
  const asked = `${Math.round(image.width * options.factor)}×${Math.round(image.height * options.factor)}`;
  if (!enlarges(target, image.width, image.height)) {
    return {
      image,
      scale: 1,
      warnings: [`not upscaled: ${image.width}×${image.height} is already at the hires-fix limit of ${options.maxPixels} pixels`],
    };
  }
  const warnings: string[] = [];
  if (target.capped) {
    warnings.push(`upscaled to ${target.width}×${target.height} instead of ${asked}: hires fix is limited to ${options.maxPixels} pixels`);
  } else if (`${target.width}×${target.height}` !== asked) {
    warnings.push(`upscaled to ${target.width}×${target.height} instead of ${asked}: Stable Diffusion needs multiples of 8`);
  }
  throwIfUpscaleAborted(options.signal, 0, STAGES);
  const enlarged = await resizeImage(image, target.width, target.height, 'lanczos3');
  options.onStage?.(1, STAGES);
  throwIfUpscaleAborted(options.signal, 1, STAGES);
  const refined = await options.img2img(enlarged, options.strength, options.signal);
  if (refined.width !== target.width || refined.height !== target.height) {
    throw new Error(`hires-fix img2img returned ${refined.width}×${refined.height}, expected ${target.width}×${target.height}`);
  }
  options.onStage?.(2, STAGES);
  return { image: refined, scale: target.width / image.width, warnings };
}
