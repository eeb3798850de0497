import { describe, expect, it } from 'vitest';
import { decodeImage } from '../../../src/images/index.ts';
import { createHarness, from, options } from '../../support/service/service-harness.ts';

type RgbImage = Awaited<ReturnType<typeof decodeImage>>;

/** 32×32 in one colour, unlike any seed image (8×8 in the seed's colour). */
function decoded(): RgbImage {
  const pixels = new Uint8Array(32 * 32 * 3);
  for (let offset = 0; offset < pixels.length; offset += 3) pixels.set([250, 10, 130], offset);
  return { width: 32, height: 32, pixels };
}

async function sentPreviews(decodedPreview: (() => RgbImage) | undefined): Promise<RgbImage[]> {
  const harness = createHarness({ policy: { previews: true, progressIntervalMs: 0 }, engine: { decodedPreview } });
  await harness.service.start();
  const outcome = await harness.service.imagine({ ...from('alice'), options: options('a cat --steps 4 --count 1 --seed 7') });
  if (!outcome.ok) throw new Error(outcome.message);
  await harness.recorder.waitFor('finished', outcome.generation.id);
  const progress = harness.recorder.of(outcome.generation.id).filter((event) => event.type === 'progress');
  const previews = progress.map((event) => event.event['preview']).filter((preview): preview is Buffer => Buffer.isBuffer(preview));
  expect(previews.length).toBeGreaterThan(0);
  return Promise.all(previews.map((preview) => decodeImage(preview)));
}

describe('progress previews', () => {
  it("are the engine's decoded preview (TAESD) when it offers one, else the latent-RGB approximation", async () => {
    for (const image of await sentPreviews(decoded)) {
      expect(image.width).toBe(32);
      // JPEG/WebP: near the colour, not exact.
      expect(Math.abs(image.pixels[0]! - 250) + Math.abs(image.pixels[1]! - 10) + Math.abs(image.pixels[2]! - 130)).toBeLessThan(30);
    }
    for (const image of await sentPreviews(undefined)) expect(image.width).toBe(8);
  });
});
