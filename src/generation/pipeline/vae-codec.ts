/**
 * VAE encode (img2img) and decode, as diffusers does them: the encoder's posterior is sampled
 * with the image's own generator and multiplied by the scaling factor
 * (`retrieve_latents(vae.encode(x), generator)`, `DiagonalGaussianDistribution.sample`); the
 * decoder gets `latents / scaling_factor`, one image at a time to cap memory. Inputs with a side
 * longer than the VAE's tile go through in overlapping tiles (`vae-tiling.ts`, diffusers'
 * `enable_vae_tiling`); smaller ones run whole, exactly as before.
 */
import type { NoiseSource } from '../engine.types.ts';
import type { RgbImage } from '../../images/rgb-image.ts';
import type { ModelSession } from '../onnx/index.ts';
import { imageToTensor, tensorToImage } from './image-tensor.ts';
import type { VaeTileSize } from './large-image.ts';
import type { VaeEncoderOutput } from './model-signature.ts';
import { needsVaeTiling, runTiledVae } from './vae-tiling.ts';

const f32 = Math.fround;

/**
 * Latents of `image` for each of `generators.length` images, × scaling factor: [N, 4, h, w].
 * Each generator draws one posterior sample, before any other noise of its image (diffusers order).
 * A `latent_sample` encoder samples inside the graph; its image's generator still advances by the
 * same count, so the noise drawn next is the one torch-diffusers would draw. With tiling, the
 * posterior parameters (or samples) are blended before the one sampling pass, as in diffusers.
 */
export async function encodeInitLatents(
  encoder: ModelSession,
  output: VaeEncoderOutput,
  image: RgbImage,
  generators: readonly NoiseSource[],
  scalingFactor: number,
  tile: VaeTileSize | undefined,
): Promise<Float32Array> {
  return encodePixelLatents(encoder, output, { data: imageToTensor(image), width: image.width, height: image.height }, generators, scalingFactor, tile);
}

/**
 * {@link encodeInitLatents} of a [1, 3, H, W] tensor in [-1, 1] that is not an 8-bit image
 * (inpainting's masked image, whose repainted pixels are exactly 0).
 */
export async function encodePixelLatents(
  encoder: ModelSession,
  output: VaeEncoderOutput,
  image: { data: Float32Array; width: number; height: number },
  generators: readonly NoiseSource[],
  scalingFactor: number,
  tile: VaeTileSize | undefined,
): Promise<Float32Array> {
  const channels = output.kind === 'parameters' ? 8 : 4;
  const runEncoder = async (data: Float32Array, height: number, width: number): Promise<Float32Array> => {
    const outputs = await encoder.run({ sample: { data, dims: [1, 3, height, width] } }, [output.name]);
    const encoded = outputs[output.name];
    if (!encoded) throw new Error(`${encoder.path}: output ${output.name} missing`);
    return encoded.data;
  };
  const pixels = image.data;
  const encoded = {
    data:
      tile && needsVaeTiling(image.height, image.width, tile.sample)
        ? await runTiledVae(runEncoder, pixels, 3, image.height, image.width, { inputTile: tile.sample, outputTile: tile.latent, outputChannels: channels })
        : await runEncoder(pixels, image.height, image.width),
  };
  const plane = encoded.data.length / channels;
  const size = plane * 4;
  const scale = f32(scalingFactor);
  const latents = new Float32Array(size * generators.length);
  generators.forEach((generator, imageIndex) => {
    const epsilon = generator.randn(size);
    const base = imageIndex * size;
    for (let index = 0; index < size; index++) {
      let value: number;
      if (output.kind === 'parameters') {
        const mean = encoded.data[index]!;
        const logvar = Math.min(20, Math.max(-30, encoded.data[size + index]!));
        const std = f32(Math.exp(f32(0.5 * logvar)));
        value = f32(mean + f32(std * epsilon[index]!));
      } else {
        value = encoded.data[index]!;
      }
      latents[base + index] = f32(scale * value);
    }
  });
  return latents;
}

/** Decodes image `index` of a latent batch [N, 4, h, w] into RGB bytes (in tiles when larger than `tile`). */
export async function decodeLatents(
  decoder: ModelSession,
  latents: Float32Array,
  index: number,
  latentHeight: number,
  latentWidth: number,
  scalingFactor: number,
  tile: VaeTileSize | undefined,
): Promise<RgbImage> {
  const size = 4 * latentHeight * latentWidth;
  const scale = f32(scalingFactor);
  const input = new Float32Array(size);
  for (let element = 0; element < size; element++) input[element] = latents[index * size + element]! / scale;
  const runDecoder = async (data: Float32Array, height: number, width: number): Promise<{ data: Float32Array; dims: number[] }> => {
    const outputs = await decoder.run({ latent_sample: { data, dims: [1, 4, height, width] } });
    const decoded = outputs['sample'] ?? Object.values(outputs)[0];
    if (!decoded) throw new Error(`${decoder.path}: the VAE decoder returned nothing`);
    return decoded;
  };
  if (tile && needsVaeTiling(latentHeight, latentWidth, tile.latent)) {
    const options = { inputTile: tile.latent, outputTile: tile.sample, outputChannels: 3 };
    const pixels = await runTiledVae(async (data, height, width) => (await runDecoder(data, height, width)).data, input, 4, latentHeight, latentWidth, options);
    return tensorToImage(pixels, 0, latentWidth * 8, latentHeight * 8);
  }
  const decoded = await runDecoder(input, latentHeight, latentWidth);
  const height = decoded.dims[2] ?? latentHeight * 8;
  const width = decoded.dims[3] ?? latentWidth * 8;
  return tensorToImage(decoded.data, 0, width, height);
}
