/**
 * Conversions between 8-bit RGB images and the float NCHW tensors the VAE reads and writes,
 * with diffusers' exact float32 arithmetic (`VaeImageProcessor.preprocess` / `postprocess`
 * followed by `numpy_to_pil`), so the same latents give the same bytes here as there.
 */
import type { RgbImage } from '../../images/rgb-image.ts';
import { roundHalfEven } from '../round-half-even.ts';

const f32 = Math.fround;

/**
 * Writes `image` into `target` at `offset` as planar RGB in [-1, 1] (one [3, H, W] slab of an
 * NCHW batch): `2 · (p / 255) − 1`, each operation rounded to float32 like numpy/torch.
 */
export function writeImageTensor(image: RgbImage, target: Float32Array, offset: number): void {
  const plane = image.width * image.height;
  const lookup = new Float32Array(256);
  for (let value = 0; value < 256; value++) lookup[value] = f32(f32(2 * f32(value / 255)) - 1);
  const pixels = image.pixels;
  for (let index = 0; index < plane; index++) {
    target[offset + index] = lookup[pixels[index * 3] ?? 0] ?? 0;
    target[offset + plane + index] = lookup[pixels[index * 3 + 1] ?? 0] ?? 0;
    target[offset + 2 * plane + index] = lookup[pixels[index * 3 + 2] ?? 0] ?? 0;
  }
}

/** One image as a [1, 3, H, W] tensor in [-1, 1]. */
export function imageToTensor(image: RgbImage): Float32Array {
  const tensor = new Float32Array(3 * image.width * image.height);
  writeImageTensor(image, tensor, 0);
  return tensor;
}

/** The uint8 a decoder value in [-1, 1] becomes: `round(clamp(x/2 + 0.5, 0, 1) · 255)`. */
export function decoderValueToByte(value: number): number {
  let unit = f32(f32(value / 2) + 0.5);
  // NaN (an fp16 overflow upstream) becomes black rather than poisoning the PNG.
  if (!(unit > 0)) unit = 0;
  else if (unit > 1) unit = 1;
  return roundHalfEven(f32(unit * 255));
}

/**
 * Image `index` of a VAE decoder output [B, 3, H, W] in about [-1, 1] as interleaved RGB bytes,
 * each byte as {@link decoderValueToByte} computes it. The last rounding is done by a
 * Uint8ClampedArray store, whose conversion is exactly numpy's round-half-to-even on the float32
 * product (three times faster than rounding by hand on a 512×512 image).
 */
export function tensorToImage(sample: Float32Array, index: number, width: number, height: number): RgbImage {
  const plane = width * height;
  const base = index * 3 * plane;
  if (sample.length < base + 3 * plane) throw new RangeError(`decoder output holds no image ${index} of ${width}×${height}`);
  const bytes = new Uint8ClampedArray(plane * 3);
  for (let channel = 0; channel < 3; channel++) {
    const from = base + channel * plane;
    for (let pixel = 0; pixel < plane; pixel++) {
      let unit = f32(f32(sample[from + pixel]! / 2) + 0.5);
      // NaN (an fp16 overflow upstream) becomes black rather than poisoning the PNG.
      if (!(unit > 0)) unit = 0;
      else if (unit > 1) unit = 1;
      bytes[pixel * 3 + channel] = f32(unit * 255);
    }
  }
  return { width, height, pixels: new Uint8Array(bytes.buffer) };
}
