/**
 * A cheap progress preview: latents mapped to RGB by a fixed linear 4×3 matrix, at latent
 * resolution (1/8 of the image), no model run. The matrices are the well-known fits from
 * AUTOMATIC1111 `sd_vae_approx.cheap_approximation` (SD 1.x/2.x and SDXL latent spaces).
 */
import type { RgbImage } from '../../images/rgb-image.ts';

/** Which latent space the latents live in. */
export type LatentSpace = 'sd' | 'sdxl';

/** Rows = latent channels 0..3, columns = R, G, B. Applied to UNet-space latents (not ÷ scaling factor). */
export const LATENT_RGB_FACTORS: Record<LatentSpace, readonly (readonly [number, number, number])[]> = {
  sd: [
    [0.298, 0.207, 0.208],
    [0.187, 0.286, 0.173],
    [-0.158, 0.189, 0.264],
    [-0.184, -0.271, -0.473],
  ],
  sdxl: [
    [0.3448, 0.4168, 0.4395],
    [-0.1953, -0.029, 0.025],
    [0.1074, 0.0886, -0.0163],
    [-0.373, -0.2499, -0.2088],
  ],
};

/**
 * Preview of image `index` in a latent batch [B, 4, h, w]: RGB = latents · factors, then
 * `(x + 1) / 2` clamped to [0, 1] and scaled to bytes.
 */
export function latentPreview(latents: Float32Array, index: number, latentHeight: number, latentWidth: number, space: LatentSpace): RgbImage {
  const plane = latentHeight * latentWidth;
  const base = index * 4 * plane;
  if (latents.length < base + 4 * plane) throw new RangeError(`latents hold no image ${index} of ${latentWidth}×${latentHeight}`);
  const factors = LATENT_RGB_FACTORS[space];
  const [r0, g0, b0] = factors[0]!;
  const [r1, g1, b1] = factors[1]!;
  const [r2, g2, b2] = factors[2]!;
  const [r3, g3, b3] = factors[3]!;
  const pixels = new Uint8Array(plane * 3);
  for (let pixel = 0; pixel < plane; pixel++) {
    const c0 = latents[base + pixel]!;
    const c1 = latents[base + plane + pixel]!;
    const c2 = latents[base + 2 * plane + pixel]!;
    const c3 = latents[base + 3 * plane + pixel]!;
    // each colour summed from 0 channel by channel, in this order
    pixels[pixel * 3] = toByte(0 + c0 * r0 + c1 * r1 + c2 * r2 + c3 * r3);
    pixels[pixel * 3 + 1] = toByte(0 + c0 * g0 + c1 * g1 + c2 * g2 + c3 * g3);
    pixels[pixel * 3 + 2] = toByte(0 + c0 * b0 + c1 * b1 + c2 * b2 + c3 * b3);
  }
  return { width: latentWidth, height: latentHeight, pixels };
}

/** `(x + 1) / 2` clamped to [0, 1], as a byte. */
function toByte(sum: number): number {
  return Math.round(Math.min(1, Math.max(0, (sum + 1) / 2)) * 255);
}

/** Decodes image 0's latents [1, 4, h, w] into a preview (TAESD); any failure falls back to the latent-RGB approximation. */
export type PreviewDecode = (latents: Float32Array) => Promise<RgbImage>;

/**
 * Progress for a step whose preview is computed only if someone reads it: the service sends a
 * progress update at most every few seconds, so most steps' previews were computed for nothing
 * (issue 16). Image 0's latents are copied now (the loop overwrites its arrays on the next step);
 * `preview` maps them to RGB on its first read, `previewImage()` decodes them with `decode`
 * (TAESD) on its first call, or answers `preview` when there is none or decoding fails.
 */
export function progressWithLazyPreview(
  step: number,
  totalSteps: number,
  latents: Float32Array | undefined,
  latentHeight: number,
  latentWidth: number,
  space: LatentSpace,
  decode?: PreviewDecode,
): { step: number; totalSteps: number; readonly preview: RgbImage | undefined; previewImage(): Promise<RgbImage | undefined> } {
  const snapshot = latents?.slice(0, 4 * latentHeight * latentWidth);
  let preview: RgbImage | undefined;
  let decoded: Promise<RgbImage | undefined> | undefined;
  return {
    step,
    totalSteps,
    get preview() {
      if (snapshot && !preview) preview = latentPreview(snapshot, 0, latentHeight, latentWidth, space);
      return preview;
    },
    previewImage() {
      if (!snapshot || !decode) return Promise.resolve(this.preview);
      decoded ??= decode(snapshot).catch(() => this.preview);
      return decoded;
    },
  };
}
