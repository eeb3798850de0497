import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../src/images/rgb-image.ts';
import { decoderValueToByte, imageToTensor, tensorToImage } from '../../../src/generation/pipeline/image-tensor.ts';

function gradient(width: number, height: number): RgbImage {
  const pixels = new Uint8Array(width * height * 3);
  for (let index = 0; index < pixels.length; index++) pixels[index] = (index * 37) % 256;
  return { width, height, pixels };
}

describe('image ↔ tensor conversion', () => {
  it('maps bytes to [-1, 1] in planar NCHW order', () => {
    const image: RgbImage = { width: 2, height: 1, pixels: Uint8Array.from([0, 255, 51, 255, 0, 102]) };
    const tensor = imageToTensor(image);
    // R plane, then G plane, then B plane; 2·p/255 − 1.
    const expected = [-1, 1, 1, -1, 2 * (51 / 255) - 1, 2 * (102 / 255) - 1];
    expected.forEach((value, index) => expect(tensor[index]).toBeCloseTo(value, 6));
  });

  it('round-trips every byte value through the decoder mapping unchanged', () => {
    const image = gradient(16, 16); // 768 values, covers 0..255
    const back = tensorToImage(imageToTensor(image), 0, 16, 16);
    expect(back.width).toBe(16);
    expect(back.height).toBe(16);
    expect(Buffer.from(back.pixels).equals(Buffer.from(image.pixels))).toBe(true);
  });

  it('clamps out-of-range decoder values and turns NaN into black', () => {
    expect(decoderValueToByte(-1)).toBe(0);
    expect(decoderValueToByte(1)).toBe(255);
    expect(decoderValueToByte(3.2)).toBe(255);
    expect(decoderValueToByte(-7)).toBe(0);
    expect(decoderValueToByte(Number.NaN)).toBe(0);
    // 0 → 0.5 · 255 = 127.5, which numpy rounds half to even: 128.
    expect(decoderValueToByte(0)).toBe(128);
  });

  it('picks image i out of a batch', () => {
    const first = gradient(4, 2);
    const second: RgbImage = { width: 4, height: 2, pixels: first.pixels.map((value) => 255 - value) };
    const batch = new Float32Array(2 * 3 * 8);
    batch.set(imageToTensor(first), 0);
    batch.set(imageToTensor(second), 24);
    expect(Array.from(tensorToImage(batch, 1, 4, 2).pixels)).toEqual(Array.from(second.pixels));
  });
});
