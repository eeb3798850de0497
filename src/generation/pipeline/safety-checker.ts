/**
 * The diffusers safety checker (legacy ONNX exports ship `safety_checker/model.onnx`): CLIP image
 * preprocessing (shortest side → 224, centre crop, normalise with the feature extractor's
 * mean/std), one image per run like `OnnxStableDiffusionPipeline`, `has_nsfw_concepts` read back.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { RgbImage } from '../../images/rgb-image.ts';
import { resizeImage } from '../../images/index.ts';
import type { ModelSession } from '../onnx/index.ts';

/** CLIPImageProcessor settings the checker needs. */
export interface ClipPreprocessing {
  size: number;
  cropSize: number;
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

/** OpenAI CLIP defaults (used when `feature_extractor/preprocessor_config.json` is absent). */
export const CLIP_DEFAULT_PREPROCESSING: ClipPreprocessing = {
  size: 224,
  cropSize: 224,
  mean: [0.48145466, 0.4578275, 0.40821073],
  std: [0.26862954, 0.26130258, 0.27577711],
};

function triple(value: unknown): [number, number, number] | undefined {
  return Array.isArray(value) && value.length === 3 && value.every((entry) => typeof entry === 'number')
    ? [value[0] as number, value[1] as number, value[2] as number]
    : undefined;
}

function sizeOf(value: unknown, key: string): number | undefined {
  if (typeof value === 'number') return value;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const entry = record[key] ?? record['height'];
    if (typeof entry === 'number') return entry;
  }
  return undefined;
}

/** Reads `preprocessor_config.json` from a feature_extractor folder; CLIP defaults for anything missing. */
export async function readClipPreprocessing(featureExtractorDir: string | undefined): Promise<ClipPreprocessing> {
  if (!featureExtractorDir) return CLIP_DEFAULT_PREPROCESSING;
  let config: Record<string, unknown>;
  try {
    config = JSON.parse(await readFile(path.join(featureExtractorDir, 'preprocessor_config.json'), 'utf8')) as Record<string, unknown>;
  } catch {
    return CLIP_DEFAULT_PREPROCESSING;
  }
  return {
    size: sizeOf(config['size'], 'shortest_edge') ?? CLIP_DEFAULT_PREPROCESSING.size,
    cropSize: sizeOf(config['crop_size'], 'height') ?? CLIP_DEFAULT_PREPROCESSING.cropSize,
    mean: triple(config['image_mean']) ?? CLIP_DEFAULT_PREPROCESSING.mean,
    std: triple(config['image_std']) ?? CLIP_DEFAULT_PREPROCESSING.std,
  };
}

/**
 * `clip_input` [1, 3, crop, crop]: shortest side resized to `size` (transformers rounds the other
 * side down), centre-cropped, scaled to [0, 1] and normalised. Lanczos stands in for CLIP's
 * bicubic (the only resampling `src/images` offers besides nearest); the checker is a classifier
 * on a downscaled image, so the kernel does not decide its answer.
 */
export async function clipInput(image: RgbImage, settings: ClipPreprocessing): Promise<Float32Array> {
  const short = Math.min(image.width, image.height);
  const width = image.width === short ? settings.size : Math.floor((settings.size * image.width) / short);
  const height = image.height === short ? settings.size : Math.floor((settings.size * image.height) / short);
  const resized = width === image.width && height === image.height ? image : await resizeImage(image, width, height, 'lanczos3');
  const crop = settings.cropSize;
  const top = Math.floor((height - crop) / 2);
  const left = Math.floor((width - crop) / 2);
  const plane = crop * crop;
  const tensor = new Float32Array(3 * plane);
  for (let y = 0; y < crop; y++) {
    const sourceY = Math.min(height - 1, Math.max(0, top + y));
    for (let x = 0; x < crop; x++) {
      const sourceX = Math.min(width - 1, Math.max(0, left + x));
      const source = (sourceY * width + sourceX) * 3;
      for (let channel = 0; channel < 3; channel++) {
        const unit = (resized.pixels[source + channel] ?? 0) / 255;
        tensor[channel * plane + y * crop + x] = (unit - settings.mean[channel]!) / settings.std[channel]!;
      }
    }
  }
  return tensor;
}

/** Runs the checker on one image; true when it flags NSFW content. */
export async function checkImageSafety(checker: ModelSession, image: RgbImage, settings: ClipPreprocessing): Promise<boolean> {
  const crop = settings.cropSize;
  const images = new Float32Array(image.width * image.height * 3);
  for (let index = 0; index < images.length; index++) images[index] = (image.pixels[index] ?? 0) / 255;
  const outputs = await checker.run({
    clip_input: { data: await clipInput(image, settings), dims: [1, 3, crop, crop] },
    images: { data: images, dims: [1, image.height, image.width, 3] },
  });
  const flags = outputs['has_nsfw_concepts'] ?? Object.values(outputs).find((output) => output.data.length === 1);
  if (!flags) throw new Error(`${checker.path}: the safety checker returned no has_nsfw_concepts output`);
  return (flags.data[0] ?? 0) > 0.5;
}
