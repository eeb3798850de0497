import { describe, expect, it } from 'vitest';
import { compactPicture, encodePng } from '../../../src/images/index.ts';

/** Incompressible noise: the hardest picture to make small. */
function noisePng(side: number): Promise<Buffer> {
  const pixels = new Uint8Array(side * side * 3);
  let state = 12345;
  for (let offset = 0; offset < pixels.length; offset++) {
    state = (state * 1103515245 + 12345) >>> 0;
    pixels[offset] = state >>> 24;
  }
  return encodePng({ width: side, height: side, pixels }, undefined);
}

const isWebp = (bytes: Buffer) => bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP';

describe('compactPicture', () => {
  it('makes a picture fit a byte budget as WebP, smaller when it must', async () => {
    const png = await noisePng(1024);
    for (const budget of [png.length, 300_000, 60_000]) {
      const compact = await compactPicture(png, budget);
      expect(compact).toBeDefined();
      expect(compact?.length).toBeLessThanOrEqual(budget);
      expect(isWebp(compact as Buffer)).toBe(true);
    }
  });

  it('says so when not even a small version fits', async () => {
    expect(await compactPicture(await noisePng(512), 1_000)).toBeUndefined();
  });
});
