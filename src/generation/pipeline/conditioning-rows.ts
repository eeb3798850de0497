/**
 * Lays out the UNet's per-row conditioning for a batch of images, as diffusers does with
 * `num_images_per_prompt`: negative rows for every image first, then positive rows
 * (`torch.cat([negative_prompt_embeds, prompt_embeds])`), SDXL `text_embeds` and `time_ids`
 * likewise, and the LCM guidance embedding on every row.
 */
import { guidanceScaleEmbedding } from './guidance-embedding.ts';
import type { UnetSignature } from './model-signature.ts';
import type { EncodedPrompt } from './text-conditioning.ts';
import type { UnetConditioning } from './unet-runner.ts';

/** SDXL refiner defaults (diffusers `StableDiffusionXLImg2ImgPipeline`: aesthetic 6.0, negative 2.5). */
const AESTHETIC_SCORE = 6;
const NEGATIVE_AESTHETIC_SCORE = 2.5;

/**
 * SDXL micro-conditioning: `[orig_h, orig_w, crop_top, crop_left, target_h, target_w]` (base /
 * turbo), or `[orig_h, orig_w, crop_top, crop_left, aesthetic_score]` for 5-wide refiner UNets.
 */
export function sdxlTimeIds(length: number, height: number, width: number, negative: boolean): number[] {
  if (length === 5) return [height, width, 0, 0, negative ? NEGATIVE_AESTHETIC_SCORE : AESTHETIC_SCORE];
  if (length === 6) return [height, width, 0, 0, height, width];
  throw new Error(`time_ids of length ${length} are not supported (expected 5 or 6)`);
}

function repeatRows(parts: readonly Float32Array[], times: number): Float32Array {
  const rowLength = parts[0]?.length ?? 0;
  const result = new Float32Array(rowLength * parts.length * times);
  let offset = 0;
  for (const part of parts) {
    for (let copy = 0; copy < times; copy++) {
      result.set(part, offset);
      offset += rowLength;
    }
  }
  return result;
}

export interface ConditioningLayout {
  positive: EncodedPrompt;
  /** Present when classifier-free guidance runs. */
  negative: EncodedPrompt | undefined;
  images: number;
  width: number;
  height: number;
  guidance: number;
  unet: UnetSignature;
}

/** The rows a {@link UnetRunner} feeds the UNet: 2 × images with guidance, else images. */
export function buildConditioning(layout: ConditioningLayout): { conditioning: UnetConditioning; rows: number } {
  const { positive, negative, images, unet } = layout;
  const prompts = negative ? [negative, positive] : [positive];
  const rows = prompts.length * images;
  let textEmbeds: Float32Array | undefined;
  let timeIds: Float32Array | undefined;
  if (unet.textEmbedsDim !== undefined || unet.timeIdsLength !== undefined) {
    const pooled = prompts.map((prompt) => prompt.pooled);
    if (pooled.some((value) => value === undefined)) throw new Error('SDXL needs a pooled text embedding (text_embeds) from text_encoder_2');
    textEmbeds = repeatRows(pooled as Float32Array[], images);
    if (unet.textEmbedsDim !== undefined && textEmbeds.length !== rows * unet.textEmbedsDim) {
      throw new Error(`pooled text embedding is ${textEmbeds.length / rows} wide, the UNet wants ${unet.textEmbedsDim}`);
    }
    const length = unet.timeIdsLength ?? 6;
    const ids = prompts.map((prompt) => Float32Array.from(sdxlTimeIds(length, layout.height, layout.width, prompt === negative)));
    timeIds = repeatRows(ids, images);
  }
  const timestepCond =
    unet.timestepCondDim === undefined ? undefined : guidanceScaleEmbedding(layout.guidance - 1, unet.timestepCondDim, rows);
  return {
    rows,
    conditioning: {
      encoderHiddenStates: repeatRows(prompts.map((prompt) => prompt.hidden), images),
      seqLen: positive.seqLen,
      hiddenSize: positive.hiddenSize,
      textEmbeds,
      timeIds,
      timestepCond,
    },
  };
}
