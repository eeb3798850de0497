/**
 * The inpainting parts of diffusers' `StableDiffusionInpaintPipeline.__call__`, for both kinds of
 * UNet it accepts:
 *
 * - 9 channels (`inpaint`): every UNet call gets `cat([scale_model_input(latents), mask,
 *   masked_image_latents], dim=1)`; only the 4 latent channels are scaled.
 * - 4 channels (`legacy-blend`, an ordinary model): after every step the known region is put back,
 *   `(1 − mask) · add_noise(image_latents, noise, t_next) + mask · latents` (the clean image
 *   latents after the last step), so the unmasked region ends as the VAE round trip of the image.
 *
 * Random draws in diffusers' order with one generator per image: the image latents (only when
 * needed: a 4-channel UNet or strength < 1) and the masked-image latents are one posterior sample
 * each from image 0's generator (`_encode_vae_image` encodes the single source image with
 * `generator[0]`, then repeats it), the starting noise one draw from every image's generator,
 * in between. A 4-channel UNet never reads the masked-image latents, so that encode is skipped
 * and only its draw is made (the same noise follows, one VAE encoder run less).
 */
import type { RgbImage } from '../../images/rgb-image.ts';
import type { EditPath, MaskImage } from '../edit.types.ts';
import type { NoiseSource } from '../engine.types.ts';
import type { ModelSession } from '../onnx/index.ts';
import { img2imgTimesteps, type Scheduler } from '../schedulers/index.ts';
import { latentMask, maskedImageTensor } from './inpaint-mask.ts';
import type { VaeTileSize } from './large-image.ts';
import type { VaeEncoderOutput } from './model-signature.ts';
import type { NoisePredictor } from './tiled-unet.ts';
import { encodeInitLatents, encodePixelLatents } from './vae-codec.ts';

const f32 = Math.fround;

/** The image to edit, what to repaint (white) and how strongly. */
export interface InpaintSource {
  image: RgbImage;
  mask: MaskImage;
  /** (0, 1]; 1 starts from pure noise (diffusers `is_strength_max`). */
  strength: number;
}

export interface InpaintInput {
  source: InpaintSource;
  /** The run's size; the source and mask must already have it. */
  width: number;
  height: number;
  steps: number;
  scheduler: Scheduler;
  /** One per image, seeded with that image's seed. */
  generators: readonly NoiseSource[];
  /** The per-image noise stream over `generators` (draws image i's share from generator i). */
  noise: NoiseSource;
  encoder: { session: ModelSession; output: VaeEncoderOutput };
  scalingFactor: number;
  vaeTile: VaeTileSize | undefined;
  unetInputChannels: 4 | 9;
  warnings: string[];
}

export interface InpaintStart {
  path: EditPath;
  timesteps: readonly number[];
  /** [images, 4, h, w] */
  latents: Float32Array;
  /** The UNet seen by the loop: adds the mask and masked-image channels for a 9-channel UNet. */
  predictor(unet: NoisePredictor): NoisePredictor;
  /** The known-region blend after each step (4-channel UNets); undefined for 9-channel ones. */
  afterStep: ((stepIndex: number, latents: Float32Array) => Float32Array) | undefined;
}

/** Repeats one [1, …] tensor `count` times along the batch. */
function repeatBatch(tensor: Float32Array, count: number): Float32Array {
  const result = new Float32Array(tensor.length * count);
  for (let index = 0; index < count; index++) result.set(tensor, index * tensor.length);
  return result;
}

/** Timesteps for `strength` (`get_timesteps`); a strength below one step runs one step, as img2img does. */
function editTimesteps(scheduler: Scheduler, steps: number, strength: number, warnings: string[]): readonly number[] {
  const { timesteps } = img2imgTimesteps(scheduler, steps, strength);
  if (timesteps.length > 0) return timesteps;
  warnings.push(`strength ${strength} × ${steps} steps is less than one step; ran 1 step`);
  return img2imgTimesteps(scheduler, steps, Math.min(1, (1 + 1e-9) / steps)).timesteps;
}

/** diffusers `prepare_latents` + `prepare_mask_latents` for an inpainting run. */
export async function prepareInpaint(input: InpaintInput): Promise<InpaintStart> {
  const { source, width, height, scheduler, generators, encoder, unetInputChannels } = input;
  const { image, mask, strength } = source;
  if (image.width !== width || image.height !== height || mask.width !== width || mask.height !== height) {
    throw new RangeError(`inpainting needs the image and mask at ${width}×${height}, got ${image.width}×${image.height} and ${mask.width}×${mask.height}`);
  }
  if (!(strength > 0 && strength <= 1)) throw new RangeError(`inpainting strength must be in (0, 1], got ${strength}`);
  const images = generators.length;
  const latentWidth = width / 8;
  const latentHeight = height / 8;
  const plane = latentWidth * latentHeight;
  const size = 4 * plane;
  const timesteps = editTimesteps(scheduler, input.steps, strength, input.warnings);
  const first = timesteps[0];
  if (first === undefined) throw new Error('inpainting: the scheduler returned no timesteps');
  const strengthMax = strength === 1;
  const firstGenerator = [generators[0]!];

  const imageLatents =
    unetInputChannels === 4 || !strengthMax
      ? repeatBatch(await encodeInitLatents(encoder.session, encoder.output, image, firstGenerator, input.scalingFactor, input.vaeTile), images)
      : undefined;
  const noise = input.noise.randn(size * images);
  let latents: Float32Array;
  if (strengthMax) {
    const sigma = f32(scheduler.initNoiseSigma);
    latents = noise.map((value) => f32(value * sigma));
  } else {
    latents = scheduler.addNoise(imageLatents!, noise, first);
  }
  const maskLatent = latentMask(mask, latentWidth, latentHeight);

  if (unetInputChannels === 9) {
    const maskedImageLatents = await encodePixelLatents(
      encoder.session,
      encoder.output,
      { data: maskedImageTensor(image, mask), width, height },
      firstGenerator,
      input.scalingFactor,
      input.vaeTile,
    );
    return {
      path: 'inpaint',
      timesteps,
      latents,
      predictor: (unet) => new InpaintUnetInput(unet, maskLatent, maskedImageLatents, plane),
      afterStep: undefined,
    };
  }
  // diffusers encodes the masked image here too, and a 4-channel UNet never reads it: only its
  // posterior draw from image 0's generator matters (later ancestral noise comes after it).
  generators[0]!.randn(size);
  const known = imageLatents!;
  return {
    path: 'legacy-blend',
    timesteps,
    latents,
    predictor: (unet) => unet,
    afterStep: (stepIndex, stepped) => {
      const next = timesteps[stepIndex + 1];
      // The known region at the noise level of the next step (clean after the last one).
      const proper = next === undefined ? known : scheduler.addNoise(known, noise, next);
      const blended = new Float32Array(stepped.length);
      for (let index = 0; index < stepped.length; index++) {
        blended[index] = maskLatent[index % plane] === 1 ? stepped[index]! : proper[index]!;
      }
      return blended;
    },
  };
}

/**
 * A 9-channel UNet behind the loop's 4-channel interface: each row's input becomes
 * [scaled latents 4 | mask 1 | masked-image latents 4] (the same mask and masked image for every
 * row, negative and positive, as diffusers repeats and doubles them).
 */
export class InpaintUnetInput implements NoisePredictor {
  #input: Float32Array | undefined;

  constructor(
    private readonly unet: NoisePredictor,
    private readonly mask: Float32Array,
    private readonly maskedImageLatents: Float32Array,
    private readonly plane: number,
  ) {
    if (mask.length !== plane || maskedImageLatents.length !== 4 * plane) throw new Error('inpainting: mask and masked-image latents do not match the latent size');
  }

  predict(sample: Float32Array, t: number): Promise<Float32Array> {
    const { plane } = this;
    const rows = sample.length / (4 * plane);
    if (!Number.isInteger(rows)) throw new Error(`inpainting UNet input has ${sample.length} values, not a whole number of 4-channel rows`);
    this.#input ??= new Float32Array(rows * 9 * plane);
    const input = this.#input;
    for (let row = 0; row < rows; row++) {
      const base = row * 9 * plane;
      input.set(sample.subarray(row * 4 * plane, (row + 1) * 4 * plane), base);
      input.set(this.mask, base + 4 * plane);
      input.set(this.maskedImageLatents, base + 5 * plane);
    }
    return this.unet.predict(input, t);
  }
}
