/**
 * diffusers' `StableDiffusionInpaintPipeline.__call__` written out step by step from its source
 * (diffusers `pipelines/stable_diffusion/pipeline_stable_diffusion_inpaint.py`,
 * `image_processor.py`, `schedulers/scheduling_euler_discrete.py`,
 * `models/autoencoders/vae.py`), independent of the engine's pipeline code: its own mask
 * preprocessing, nearest interpolation, Euler schedule and steps, posterior sampling and
 * post-processing, on the model's ONNX sessions opened directly. Only the prompt embeddings come
 * from the engine (their parity with diffusers is tested in diffusers-reference.test.ts) and the
 * torch-exact generator from src/generation/rng (tested against torch in its own unit test).
 */
import path from 'node:path';
import type { RgbImage } from '../../../../src/images/rgb-image.ts';
import type { MaskImage } from '../../../../src/generation/edit.types.ts';
import { createSession, type ModelSession } from '../../../../src/generation/onnx/index.ts';
import { TorchGenerator } from '../../../../src/generation/rng/torch-generator.ts';

const f32 = Math.fround;

export interface ReferenceInpaintRequest {
  modelDir: string;
  /** [negative rows…, positive rows…] as the UNet sees them ([images or 2·images, 77, D]); one row set per image. */
  encoderHiddenStates: Float32Array;
  hiddenShape: [sequence: number, hidden: number];
  image: RgbImage;
  mask: MaskImage;
  seeds: number[];
  steps: number;
  guidance: number;
  strength: number;
  scalingFactor: number;
  /** EulerDiscreteScheduler or EulerAncestralDiscreteScheduler (noise from every image's generator each step). */
  scheduler: 'euler' | 'euler-ancestral';
}

/** EulerDiscreteScheduler for SD 1.5's config (scaled_linear 0.00085–0.012, leading, steps_offset 1). */
function eulerSchedule(steps: number): { timesteps: number[]; sigmas: number[]; initNoiseSigma: number } {
  const train = 1000;
  const start = Math.sqrt(0.00085);
  const end = Math.sqrt(0.012);
  const sigmasTrain: number[] = [];
  let cumprod = 1;
  for (let index = 0; index < train; index++) {
    const root = f32(start + ((end - start) * index) / (train - 1));
    const beta = f32(root * root);
    cumprod = f32(cumprod * f32(1 - beta));
    sigmasTrain.push(f32(Math.sqrt(f32(f32(1 - cumprod) / cumprod))));
  }
  const ratio = Math.floor(train / steps);
  const timesteps = Array.from({ length: steps }, (_, index) => index * ratio + 1).reverse();
  const sigmas = [...timesteps.map((t) => sigmasTrain[t]!), 0];
  return { timesteps, sigmas, initNoiseSigma: f32(Math.sqrt(f32(f32(sigmas[0]! * sigmas[0]!) + 1))) };
}

/** VaeImageProcessor.preprocess: [1, 3, H, W], `2·(p/255) − 1`. */
function imageTensor(image: RgbImage): Float32Array {
  const plane = image.width * image.height;
  const tensor = new Float32Array(3 * plane);
  for (let pixel = 0; pixel < plane; pixel++) {
    for (let channel = 0; channel < 3; channel++) tensor[channel * plane + pixel] = f32(f32(2 * f32(image.pixels[pixel * 3 + channel]! / 255)) - 1);
  }
  return tensor;
}

/** The mask processor: `p/255`, then binarize (`< 0.5` → 0, else 1). */
function maskTensor(mask: MaskImage): Float32Array {
  return Float32Array.from(mask.pixels, (byte) => (f32(byte / 255) < 0.5 ? 0 : 1));
}

/** `torch.nn.functional.interpolate(mask, size=(h, w))` (mode nearest: `floor(dst · in/out)`). */
function interpolateNearest(values: Float32Array, width: number, height: number, outWidth: number, outHeight: number): Float32Array {
  const result = new Float32Array(outWidth * outHeight);
  const scaleY = f32(height / outHeight);
  const scaleX = f32(width / outWidth);
  for (let y = 0; y < outHeight; y++) {
    const sourceY = Math.min(Math.floor(f32(y * scaleY)), height - 1);
    for (let x = 0; x < outWidth; x++) result[y * outWidth + x] = values[sourceY * width + Math.min(Math.floor(f32(x * scaleX)), width - 1)]!;
  }
  return result;
}

const sessionOptions = { provider: 'cpu' as const, threads: 1, freeDimensionOverrides: undefined, logger: undefined, cacheDir: undefined, tuning: undefined };

/** `retrieve_latents(vae.encode(x), generator)` × scaling factor: a posterior sample from `mean ‖ logvar`. */
async function encode(encoder: ModelSession, pixels: Float32Array, width: number, height: number, generator: TorchGenerator, scalingFactor: number): Promise<Float32Array> {
  const outputs = await encoder.run({ sample: { data: pixels, dims: [1, 3, height, width] } });
  const parameters = outputs['latent_parameters']!.data;
  const size = parameters.length / 2;
  const epsilon = generator.randn(size);
  return Float32Array.from({ length: size }, (_, index) => {
    const logvar = Math.min(20, Math.max(-30, parameters[size + index]!));
    const std = f32(Math.exp(f32(0.5 * logvar)));
    return f32(f32(scalingFactor) * f32(parameters[index]! + f32(std * epsilon[index]!)));
  });
}

/** The pipeline's output images as uint8 RGB, and what each fed the VAE decoder (`latents / scaling_factor`). */
export async function referenceInpaint(request: ReferenceInpaintRequest): Promise<{ images: RgbImage[]; decoderInputs: Float32Array[] }> {
  const { image, mask, seeds, steps, guidance, strength, scalingFactor } = request;
  const open = (part: string) => createSession(path.join(request.modelDir, part, 'model.onnx'), sessionOptions);
  const [unet, encoder, decoder] = await Promise.all([open('unet'), open('vae_encoder'), open('vae_decoder')]);
  try {
    const batch = seeds.length;
    const width = image.width;
    const height = image.height;
    const latentWidth = width / 8;
    const latentHeight = height / 8;
    const plane = latentWidth * latentHeight;
    const size = 4 * plane;
    const generators = seeds.map((seed) => new TorchGenerator(seed));
    const unetChannels = Number(unet.inputs.find((input) => input.name === 'sample')!.shape[1]);
    const guided = guidance > 1;

    // 4. timesteps, get_timesteps(strength), set_begin_index
    const schedule = eulerSchedule(steps);
    const initTimestep = Math.min(Math.trunc(steps * strength), steps);
    const tStart = Math.max(steps - initTimestep, 0);
    const timesteps = schedule.timesteps.slice(tStart);
    const strengthMax = strength === 1;

    // 5. preprocess image and mask; masked_image = init_image * (mask < 0.5)
    const initImage = imageTensor(image);
    const maskCondition = maskTensor(mask);
    const maskedImage = initImage.map((value, index) => (maskCondition[index % (width * height)]! < 0.5 ? value : f32(value * 0)));

    // 6. prepare_latents: image latents (4-channel UNet or strength < 1) with generator[0], then noise
    let imageLatents: Float32Array | undefined;
    if (unetChannels === 4 || !strengthMax) imageLatents = await encode(encoder, initImage, width, height, generators[0]!, scalingFactor);
    const noise = new Float32Array(batch * size);
    generators.forEach((generator, index) => noise.set(generator.randn(size), index * size));
    const sigmaStart = schedule.sigmas[tStart]!;
    let latents = Float32Array.from(noise, (value, index) =>
      strengthMax ? f32(value * schedule.initNoiseSigma) : f32(imageLatents![index % size]! + f32(value * sigmaStart)),
    );

    // 7. prepare_mask_latents: nearest to latent size; masked image latents with generator[0]
    const maskLatent = interpolateNearest(maskCondition, width, height, latentWidth, latentHeight);
    const maskedImageLatents = await encode(encoder, maskedImage, width, height, generators[0]!, scalingFactor);

    // 10. denoising loop (Euler, no churn)
    const rows = guided ? 2 * batch : batch;
    for (const [stepIndex, t] of timesteps.entries()) {
      const sigma = schedule.sigmas[tStart + stepIndex]!;
      const sigmaNext = schedule.sigmas[tStart + stepIndex + 1]!;
      const scale = f32(Math.sqrt(f32(f32(sigma * sigma) + 1)));
      const ancestral = request.scheduler === 'euler-ancestral';
      // EulerAncestral: sigma_up = √(σ_to² (σ_from² − σ_to²) / σ_from²), sigma_down = √(σ_to² − sigma_up²).
      const sigmaUp = f32(Math.sqrt(f32(f32(f32(sigmaNext * sigmaNext) * f32(f32(sigma * sigma) - f32(sigmaNext * sigmaNext))) / f32(sigma * sigma))));
      const sigmaDown = f32(Math.sqrt(f32(f32(sigmaNext * sigmaNext) - f32(sigmaUp * sigmaUp))));
      const input = new Float32Array(rows * unetChannels * plane);
      for (let row = 0; row < rows; row++) {
        const imageIndex = row % batch;
        const base = row * unetChannels * plane;
        for (let index = 0; index < size; index++) input[base + index] = f32(latents[imageIndex * size + index]! / scale);
        if (unetChannels === 9) {
          input.set(maskLatent, base + size);
          input.set(maskedImageLatents, base + size + plane);
        }
      }
      const outputs = await unet.run({
        sample: { data: input, dims: [rows, unetChannels, latentHeight, latentWidth] },
        timestep: { data: new Float32Array([t]), dims: [] },
        encoder_hidden_states: { data: request.encoderHiddenStates, dims: [rows, ...request.hiddenShape] },
      });
      const prediction = outputs['out_sample']!.data;
      const next = new Float32Array(batch * size);
      for (let index = 0; index < batch * size; index++) {
        const epsilon = guided
          ? f32(prediction[index]! + f32(f32(guidance) * f32(prediction[batch * size + index]! - prediction[index]!)))
          : prediction[index]!;
        const sample = latents[index]!;
        const predOriginal = f32(sample - f32(sigma * epsilon));
        const derivative = f32(f32(sample - predOriginal) / sigma);
        next[index] = f32(sample + f32(derivative * f32((ancestral ? sigmaDown : sigmaNext) - sigma)));
      }
      if (ancestral) {
        // randn_tensor(shape, generator=[g0, g1, …]): each image's share from its own generator.
        generators.forEach((generator, image) => {
          const drawn = generator.randn(size);
          for (let index = 0; index < size; index++) next[image * size + index] = f32(next[image * size + index]! + f32(drawn[index]! * sigmaUp));
        });
      }
      latents = next;
      if (unetChannels === 4) {
        // init_latents_proper = add_noise(image_latents, noise, timesteps[i + 1]) before the last step
        const last = stepIndex === timesteps.length - 1;
        const properSigma = schedule.sigmas[tStart + stepIndex + 1]!;
        latents = latents.map((value, index) => {
          const proper = last ? imageLatents![index % size]! : f32(imageLatents![index % size]! + f32(noise[index]! * properSigma));
          const m = maskLatent[index % plane]!;
          return f32(f32(f32(1 - m) * proper) + f32(m * value));
        });
      }
    }

    // decode latents / scaling_factor; postprocess (x/2 + 0.5).clamp(0, 1) · 255, round
    const images: RgbImage[] = [];
    const decoderInputs: Float32Array[] = [];
    for (let index = 0; index < batch; index++) {
      const slice = latents.slice(index * size, (index + 1) * size).map((value) => f32(value / f32(scalingFactor)));
      decoderInputs.push(slice);
      const decoded = (await decoder.run({ latent_sample: { data: slice, dims: [1, 4, latentHeight, latentWidth] } }))['sample']!.data;
      const pixels = new Uint8Array(width * height * 3);
      for (let pixel = 0; pixel < width * height; pixel++) {
        for (let channel = 0; channel < 3; channel++) {
          const unit = Math.min(1, Math.max(0, f32(f32(decoded[channel * width * height + pixel]! / 2) + 0.5)));
          pixels[pixel * 3 + channel] = Math.round(f32(unit * 255));
        }
      }
      images.push({ width, height, pixels });
    }
    return { images, decoderInputs };
  } finally {
    await Promise.allSettled([unet.release(), encoder.release(), decoder.release()]);
  }
}
