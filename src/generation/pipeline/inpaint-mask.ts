/**
 * diffusers' inpainting preprocessing, exactly: the mask processor (`VaeImageProcessor` with
 * `do_binarize`, `do_convert_grayscale`, no normalising) turns the mask into 0/1 at 0.5, the
 * masked image is `init_image × (mask < 0.5)` in [-1, 1] (masked pixels become 0, mid grey), and
 * `prepare_mask_latents` shrinks the mask to latent size with `torch.nn.functional.interpolate`
 * (mode `nearest`).
 */
import type { RgbImage } from '../../images/rgb-image.ts';
import type { MaskImage } from '../edit.types.ts';
import { imageToTensor } from './image-tensor.ts';

const f32 = Math.fround;

/** PIL's `convert("L")` (ITU-R 601-2 luma in fixed point, as Pillow computes it). */
export function maskFromRgb(image: RgbImage): MaskImage {
  const plane = image.width * image.height;
  const pixels = new Uint8Array(plane);
  for (let index = 0; index < plane; index++) {
    const red = image.pixels[index * 3]!;
    const green = image.pixels[index * 3 + 1]!;
    const blue = image.pixels[index * 3 + 2]!;
    pixels[index] = (red * 19595 + green * 38470 + blue * 7471 + 0x8000) >> 16;
  }
  return { width: image.width, height: image.height, pixels };
}

/** `binarize(byte / 255)`: 1 from 0.5 up. In float32 127/255 < 0.5 ≤ 128/255, so: byte ≥ 128. */
export function repaints(byte: number): boolean {
  return f32(byte / 255) >= 0.5;
}

/** A mask that repaints everything (txt2img and img2img on an inpainting UNet, Remix). */
export function fullMask(width: number, height: number): MaskImage {
  return { width, height, pixels: new Uint8Array(width * height).fill(255) };
}

/** Fraction of pixels the mask repaints. */
export function repaintedFraction(mask: MaskImage): number {
  let count = 0;
  for (const byte of mask.pixels) if (repaints(byte)) count++;
  return count / mask.pixels.length;
}

/**
 * torch's `nearest` source index (`nearest_idx`): `min(floor(dst · (in / out)), in − 1)` with the
 * scale in float32; exactly `dst / 2` when the output is twice the input.
 */
export function nearestSourceIndex(destination: number, inputSize: number, outputSize: number): number {
  if (outputSize === inputSize) return destination;
  if (outputSize === 2 * inputSize) return destination >> 1;
  const scale = f32(inputSize / outputSize);
  return Math.min(Math.floor(f32(destination * scale)), inputSize - 1);
}

/**
 * The binarised mask at latent size [1, 1, h, w] as 0/1 floats: `interpolate(mask, size=(h, w))`
 * of the full-size binarised mask.
 */
export function latentMask(mask: MaskImage, latentWidth: number, latentHeight: number): Float32Array {
  const result = new Float32Array(latentWidth * latentHeight);
  for (let y = 0; y < latentHeight; y++) {
    const sourceRow = nearestSourceIndex(y, mask.height, latentHeight) * mask.width;
    for (let x = 0; x < latentWidth; x++) {
      result[y * latentWidth + x] = repaints(mask.pixels[sourceRow + nearestSourceIndex(x, mask.width, latentWidth)]!) ? 1 : 0;
    }
  }
  return result;
}

/** `init_image × (mask < 0.5)`: the image as a [1, 3, H, W] tensor in [-1, 1], repainted pixels 0. */
export function maskedImageTensor(image: RgbImage, mask: MaskImage): Float32Array {
  if (mask.width !== image.width || mask.height !== image.height) {
    throw new RangeError(`the mask is ${mask.width}×${mask.height} but the image is ${image.width}×${image.height}`);
  }
  const tensor = imageToTensor(image);
  const plane = image.width * image.height;
  for (let index = 0; index < plane; index++) {
    if (!repaints(mask.pixels[index]!)) continue;
    tensor[index] = 0;
    tensor[plane + index] = 0;
    tensor[2 * plane + index] = 0;
  }
  return tensor;
}

/** A mid-grey image (txt2img on an inpainting UNet: everything is masked, so the pixels never count). */
export function greyImage(width: number, height: number): RgbImage {
  return { width, height, pixels: new Uint8Array(width * height * 3).fill(128) };
}

/** The mask at another size, nearest neighbour (a mask stays binary). */
export function resizeMask(mask: MaskImage, width: number, height: number): MaskImage {
  if (mask.width === width && mask.height === height) return mask;
  const pixels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const sourceRow = Math.min(mask.height - 1, Math.floor(((y + 0.5) * mask.height) / height)) * mask.width;
    for (let x = 0; x < width; x++) {
      pixels[y * width + x] = mask.pixels[sourceRow + Math.min(mask.width - 1, Math.floor(((x + 0.5) * mask.width) / width))]!;
    }
  }
  return { width, height, pixels };
}
