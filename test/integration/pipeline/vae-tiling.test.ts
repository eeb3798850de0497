/**
 * Tiled VAE work on real sessions (shared tiny SD 1.5 VAE): an image one tile-stride larger than
 * the native 512² decodes and encodes in tiles to nearly what the whole-image pass gives — the
 * blends hide the seams — and the native size runs exactly as before.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../src/images/rgb-image.ts';
import { createSession, type ModelSession } from '../../../src/generation/onnx/index.ts';
import { planLargeImage } from '../../../src/generation/pipeline/large-image.ts';
import { readVaeEncoderOutput } from '../../../src/generation/pipeline/model-signature.ts';
import { decodeLatents, encodeInitLatents } from '../../../src/generation/pipeline/vae-codec.ts';
import { TorchGenerator } from '../../../src/generation/rng/torch-generator.ts';
import { sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';

const model = sharedPath('fixtures', 'models', 'tiny-sd15-optimum');
const options = { provider: 'cpu' as const, threads: 1, freeDimensionOverrides: undefined, logger: undefined };
const SCALING = 0.18215;

function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let total = 0;
  for (let index = 0; index < a.length; index++) total += Math.abs(a[index]! - b[index]!);
  return total / a.length;
}

describe.skipIf(!model)('tiled VAE on real sessions' + sharedSkipReason, () => {
  let decoder: ModelSession;
  let encoder: ModelSession;
  const { vaeTile } = planLargeImage(512, 576, 576);

  beforeAll(async () => {
    decoder = await createSession(path.join(model!, 'vae_decoder', 'model.onnx'), options);
    encoder = await createSession(path.join(model!, 'vae_encoder', 'model.onnx'), options);
  });
  afterAll(async () => {
    await decoder?.release();
    await encoder?.release();
  });

  it('decodes 576² latents in tiles to nearly the whole-image decode', async () => {
    const latents = new TorchGenerator(3).randn(4 * 72 * 72);
    const whole = await decodeLatents(decoder, latents, 0, 72, 72, SCALING, undefined);
    const tiled = await decodeLatents(decoder, latents, 0, 72, 72, SCALING, vaeTile);
    expect([tiled.width, tiled.height]).toEqual([576, 576]);
    expect(tiled.pixels).not.toEqual(whole.pixels);
    expect(meanAbsDiff(tiled.pixels, whole.pixels)).toBeLessThan(2); // measured 0.91 levels
  });

  it('decodes the native size exactly as without tiling', async () => {
    const latents = new TorchGenerator(4).randn(4 * 64 * 64);
    const whole = await decodeLatents(decoder, latents, 0, 64, 64, SCALING, undefined);
    const planned = await decodeLatents(decoder, latents, 0, 64, 64, SCALING, planLargeImage(512, 512, 512).vaeTile);
    expect(Buffer.from(planned.pixels).equals(Buffer.from(whole.pixels))).toBe(true);
  });

  it('encodes a 576² image in tiles to nearly the whole-image latents', async () => {
    const pixels = new Uint8Array(576 * 576 * 3).map((_, index) => (index * 37 + (index >> 7)) & 255);
    const image: RgbImage = { width: 576, height: 576, pixels };
    const output = readVaeEncoderOutput(encoder.outputs, encoder.path);
    const whole = await encodeInitLatents(encoder, output, image, [new TorchGenerator(5)], SCALING, undefined);
    const tiled = await encodeInitLatents(encoder, output, image, [new TorchGenerator(5)], SCALING, vaeTile);
    expect(tiled.length).toBe(whole.length);
    const spread = meanAbsDiff(whole, new Float32Array(whole.length));
    expect(meanAbsDiff(tiled, whole)).toBeLessThan(0.1 * spread);
  });
});
