import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../src/images/rgb-image.ts';
import { resizeImage } from '../../../src/images/index.ts';
import { hiresFix, UpscaleAbortedError, type HiresFixOptions, type Img2ImgFunction } from '../../../src/generation/upscale/index.ts';
import { testImage } from './support/fake-upscaler.session.ts';

interface Img2ImgCall {
  image: RgbImage;
  strength: number;
}

/** A fake img2img that records what it got and returns the colour-inverted image. */
function fakeImg2Img(): { img2img: Img2ImgFunction; calls: Img2ImgCall[] } {
  const calls: Img2ImgCall[] = [];
  const img2img: Img2ImgFunction = (image, strength) => {
    calls.push({ image, strength });
    return Promise.resolve({ ...image, pixels: image.pixels.map((value) => 255 - value) });
  };
  return { img2img, calls };
}

function options(img2img: Img2ImgFunction, overrides: Partial<HiresFixOptions> = {}): HiresFixOptions {
  return { img2img, strength: 0.3, factor: 2, maxPixels: 1024 * 1024, signal: undefined, onStage: undefined, ...overrides };
}

describe('hiresFix', () => {
  it('hands img2img the 2× Lanczos enlargement and the strength, and returns what img2img made', async () => {
    const { img2img, calls } = fakeImg2Img();
    const image = testImage(96, 64, 11);
    const result = await hiresFix(image, options(img2img));
    expect(calls).toHaveLength(1);
    const call = calls[0] as Img2ImgCall;
    expect(call.strength).toBe(0.3);
    expect([call.image.width, call.image.height]).toEqual([192, 128]);
    expect(Buffer.from(call.image.pixels).equals(Buffer.from((await resizeImage(image, 192, 128, 'lanczos3')).pixels))).toBe(true);
    // Lanczos, not a pixel repeat: a 2× nearest enlargement would look different.
    expect(Buffer.from(call.image.pixels).equals(Buffer.from((await resizeImage(image, 192, 128, 'nearest')).pixels))).toBe(false);
    expect(result.image.pixels[0]).toBe(255 - (call.image.pixels[0] ?? 0));
    expect([result.image.width, result.image.height, result.scale, result.warnings]).toEqual([192, 128, 2, []]);
  });

  it('keeps a flat colour flat (the enlargement preserves the image, it does not invent content)', async () => {
    const { img2img, calls } = fakeImg2Img();
    const flat: RgbImage = { width: 40, height: 24, pixels: new Uint8Array(40 * 24 * 3).map((_, index) => [200, 120, 40][index % 3] ?? 0) };
    await hiresFix(flat, options(img2img));
    const received = calls[0]?.image.pixels ?? new Uint8Array();
    expect(received.length).toBe(80 * 48 * 3);
    expect(received.every((value, index) => value === [200, 120, 40][index % 3])).toBe(true);
  });

  it('caps the target at maxPixels, keeping the aspect ratio, and says so', async () => {
    const { img2img, calls } = fakeImg2Img();
    // 128×96 ×2 = 256×192 = 49152 px > 19200 px; √(19200 / 12288) = 1.25 → 160×120.
    const result = await hiresFix(testImage(128, 96, 12), options(img2img, { maxPixels: 19_200 }));
    expect([calls[0]?.image.width, calls[0]?.image.height]).toEqual([160, 120]);
    expect(result.scale).toBe(1.25);
    expect(result.warnings.join()).toMatch(/160×120 instead of 256×192.*19200 pixels/);
  });

  it('rounds an odd size down to multiples of 8 for Stable Diffusion and says so', async () => {
    const { img2img, calls } = fakeImg2Img();
    const result = await hiresFix(testImage(333, 97, 13), options(img2img));
    expect([calls[0]?.image.width, calls[0]?.image.height]).toEqual([664, 192]);
    expect(result.warnings.join()).toMatch(/664×192 instead of 666×194.*multiples of 8/);
  });

  it('does not run img2img when the image is already at the size limit', async () => {
    const { img2img, calls } = fakeImg2Img();
    const image = testImage(128, 96, 14);
    const result = await hiresFix(image, options(img2img, { maxPixels: 128 * 96 }));
    expect(calls).toHaveLength(0);
    expect(result.image).toBe(image);
    expect(result.scale).toBe(1);
    expect(result.warnings.join()).toMatch(/not upscaled/);
  });

  it('stops before img2img when aborted after the resize', async () => {
    const { img2img, calls } = fakeImg2Img();
    const controller = new AbortController();
    const run = hiresFix(testImage(64, 64, 15), options(img2img, { signal: controller.signal, onStage: () => controller.abort() }));
    await expect(run).rejects.toBeInstanceOf(UpscaleAbortedError);
    await expect(run).rejects.toMatchObject({ completed: 1, total: 2 });
    expect(calls).toHaveLength(0);
  });

  it('treats an img2img that changes the size as a bug', async () => {
    const shrink: Img2ImgFunction = (image) => Promise.resolve({ width: 8, height: 8, pixels: image.pixels.slice(0, 192) });
    await expect(hiresFix(testImage(64, 64, 16), options(shrink))).rejects.toThrow(/returned 8×8, expected 128×128/);
  });
});
