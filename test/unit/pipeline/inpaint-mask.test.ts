/**
 * diffusers' mask preprocessing, exactly: PIL luma, binarisation at 0.5, torch `nearest`
 * interpolation to latent size, masked pixels set to 0 in [-1, 1].
 */
import { describe, expect, it } from 'vitest';
import { latentMask, maskedImageTensor, maskFromRgb, nearestSourceIndex, repaints, resizeMask } from '../../../src/generation/pipeline/inpaint-mask.ts';

describe('inpainting mask', () => {
  it('converts RGB with Pillow’s fixed-point luma', () => {
    const rgb = { width: 4, height: 1, pixels: Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255, 128, 128, 128]) };
    // Pillow: L = (R·19595 + G·38470 + B·7471 + 0x8000) >> 16 → red 76, green 150, blue 29, grey 128.
    expect([...maskFromRgb(rgb).pixels]).toEqual([76, 150, 29, 128]);
  });

  it('repaints from 0.5 up: byte 128 repaints, 127 keeps', () => {
    expect(repaints(127)).toBe(false);
    expect(repaints(128)).toBe(true);
    expect(repaints(255)).toBe(true);
  });

  it('shrinks to latent size as torch nearest does (top-left pixel of each cell; floor(dst · in/out) otherwise)', () => {
    expect([0, 1, 2, 7].map((index) => nearestSourceIndex(index, 64, 8))).toEqual([0, 8, 16, 56]);
    // 80 → 10 is exact; 100 → 12 uses the float32 scale 8.333…: floor(11 · 8.333) = 91.
    expect(nearestSourceIndex(11, 100, 12)).toBe(91);
    expect(nearestSourceIndex(3, 8, 16)).toBe(1);
    const mask = { width: 16, height: 16, pixels: new Uint8Array(256) };
    // Only pixel (8, 0) repaints: the latent cell (1, 0) samples exactly it.
    mask.pixels[8] = 255;
    expect([...latentMask(mask, 2, 2)]).toEqual([0, 1, 0, 0]);
    // A repainted pixel that is not a cell's top-left corner is not seen (diffusers behaves the same).
    mask.pixels.fill(0);
    mask.pixels[9] = 255;
    expect([...latentMask(mask, 2, 2)]).toEqual([0, 0, 0, 0]);
  });

  it('sets repainted pixels to exactly 0 (mid grey) in the [-1, 1] image, keeps the rest', () => {
    const image = { width: 2, height: 1, pixels: Uint8Array.from([255, 255, 255, 0, 0, 0]) };
    const mask = { width: 2, height: 1, pixels: Uint8Array.from([255, 0]) };
    expect([...maskedImageTensor(image, mask)]).toEqual([0, -1, 0, -1, 0, -1]);
    expect(() => maskedImageTensor(image, { width: 1, height: 1, pixels: new Uint8Array(1) })).toThrow(/mask is 1×1 but the image is 2×1/);
  });

  it('resizes a mask by nearest neighbour and keeps it binary', () => {
    const mask = { width: 2, height: 1, pixels: Uint8Array.from([0, 255]) };
    expect([...resizeMask(mask, 4, 2).pixels]).toEqual([0, 0, 255, 255, 0, 0, 255, 255]);
  });
});
