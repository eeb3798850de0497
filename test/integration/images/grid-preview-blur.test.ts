import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../src/images/rgb-image.ts';
import {
  blurImage,
  decodeImage,
  defaultGridColumns,
  encodePng,
  makeGrid,
  makePreview,
  readPngParameters,
  resizeImage,
} from '../../../src/images/index.ts';

type Rgb = [number, number, number];
const RED: Rgb = [255, 0, 0];
const GREEN: Rgb = [0, 255, 0];
const BLUE: Rgb = [0, 0, 255];
const YELLOW: Rgb = [255, 255, 0];
const BLACK: Rgb = [0, 0, 0];

function solid(width: number, height: number, colour: Rgb): RgbImage {
  const pixels = new Uint8Array(width * height * 3);
  for (let index = 0; index < pixels.length; index++) pixels[index] = colour[index % 3] ?? 0;
  return { width, height, pixels };
}

function pixelAt(image: RgbImage, x: number, y: number): Rgb {
  const offset = (y * image.width + x) * 3;
  return [image.pixels[offset] ?? -1, image.pixels[offset + 1] ?? -1, image.pixels[offset + 2] ?? -1];
}

/** 1-pixel black/white checkerboard: the most high-frequency image there is. */
function checkerboard(size: number): RgbImage {
  const pixels = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) pixels.fill((x + y) % 2 ? 255 : 0, (y * size + x) * 3, (y * size + x) * 3 + 3);
  return { width: size, height: size, pixels };
}

/** Mean squared difference between horizontal neighbours (energy at the highest frequency). */
function neighbourEnergy(image: RgbImage): number {
  let sum = 0;
  let count = 0;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x + 1 < image.width; x++) {
      const difference = (pixelAt(image, x, y)[0] ?? 0) - (pixelAt(image, x + 1, y)[0] ?? 0);
      sum += difference * difference;
      count++;
    }
  }
  return sum / count;
}

function mean(image: RgbImage): number {
  return image.pixels.reduce((total, value) => total + value, 0) / image.pixels.length;
}

describe('makeGrid', () => {
  it('lays 4 images out 2×2 in reading order', async () => {
    const pngs = await Promise.all([RED, GREEN, BLUE, YELLOW].map((colour) => encodePng(solid(8, 6, colour), undefined)));
    const grid = await decodeImage(await makeGrid(pngs, defaultGridColumns(4)));
    expect([grid.width, grid.height]).toEqual([16, 12]);
    expect(pixelAt(grid, 0, 0)).toEqual(RED);
    expect(pixelAt(grid, 7, 5)).toEqual(RED);
    expect(pixelAt(grid, 8, 0)).toEqual(GREEN);
    expect(pixelAt(grid, 15, 5)).toEqual(GREEN);
    expect(pixelAt(grid, 0, 6)).toEqual(BLUE);
    expect(pixelAt(grid, 7, 11)).toEqual(BLUE);
    expect(pixelAt(grid, 8, 6)).toEqual(YELLOW);
    expect(pixelAt(grid, 15, 11)).toEqual(YELLOW);
  });

  it('puts 2 images side by side and 3 images in a 2×2 with an empty black cell', async () => {
    const two = await decodeImage(await makeGrid(await Promise.all([RED, GREEN].map((c) => encodePng(solid(8, 6, c), undefined))), defaultGridColumns(2)));
    expect([two.width, two.height]).toEqual([16, 6]);
    expect([pixelAt(two, 3, 3), pixelAt(two, 12, 3)]).toEqual([RED, GREEN]);

    const three = await decodeImage(await makeGrid(await Promise.all([RED, GREEN, BLUE].map((c) => encodePng(solid(8, 6, c), undefined))), defaultGridColumns(3)));
    expect([three.width, three.height]).toEqual([16, 12]);
    expect([pixelAt(three, 3, 3), pixelAt(three, 12, 3), pixelAt(three, 3, 9), pixelAt(three, 12, 9)]).toEqual([RED, GREEN, BLUE, BLACK]);
  });

  it('centres a smaller image in a cell sized for the largest', async () => {
    const pngs = [await encodePng(solid(8, 8, RED), undefined), await encodePng(solid(4, 4, GREEN), undefined)];
    const grid = await decodeImage(await makeGrid(pngs, 2));
    expect([grid.width, grid.height]).toEqual([16, 8]);
    expect(pixelAt(grid, 9, 1)).toEqual(BLACK); // margin around the small image
    expect(pixelAt(grid, 10, 2)).toEqual(GREEN); // (8-4)/2 = 2 px offset in both directions
    expect(pixelAt(grid, 13, 5)).toEqual(GREEN);
    expect(pixelAt(grid, 14, 6)).toEqual(BLACK);
  });

  it('follows A1111 automatic layout for columns', () => {
    expect([1, 2, 3, 4, 5, 6, 9].map(defaultGridColumns)).toEqual([1, 2, 2, 2, 3, 3, 3]);
  });
});

describe('makePreview', () => {
  it('writes a JPEG that fits in maxSide, keeping the aspect ratio', async () => {
    const preview = await makePreview(solid(512, 256, BLUE), { format: 'jpeg', maxSide: 128, quality: 70 });
    expect([...preview.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const metadata = await sharp(preview).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['jpeg', 128, 64]);
  });

  it('writes a WebP from PNG bytes, does not enlarge small images and carries no prompt', async () => {
    const png = await encodePng(solid(50, 30, RED), 'secret prompt\nSteps: 1, Sampler: Euler, Seed: 1');
    const preview = await makePreview(png, { format: 'webp', maxSide: 256, quality: 80 });
    expect(preview.toString('latin1', 0, 4)).toBe('RIFF');
    expect(preview.toString('latin1', 8, 12)).toBe('WEBP');
    const metadata = await sharp(preview).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['webp', 50, 30]);
    expect(preview.includes('secret prompt')).toBe(false);
  });
});

describe('blurImage', () => {
  it('removes high-frequency detail but keeps the overall brightness', async () => {
    const board = checkerboard(64);
    const blurred = await decodeImage(await blurImage(await encodePng(board, undefined), 8));
    expect([blurred.width, blurred.height]).toEqual([64, 64]);
    expect(neighbourEnergy(board)).toBe(255 * 255);
    expect(neighbourEnergy(blurred)).toBeLessThan(0.001 * 255 * 255);
    expect(Math.abs(mean(blurred) - mean(board))).toBeLessThan(3);
  });

  it('drops the parameters chunk so a hidden image does not leak its prompt', async () => {
    const png = await encodePng(solid(16, 16, RED), 'nsfw prompt\nSteps: 1, Sampler: Euler, Seed: 1');
    expect(await readPngParameters(png)).toBeDefined();
    const blurred = await blurImage(png, 30);
    expect(await readPngParameters(blurred)).toBeUndefined();
    expect(blurred.includes('nsfw prompt')).toBe(false);
  });
});

describe('resizeImage', () => {
  it('nearest replicates each pixel into a block', async () => {
    const source: RgbImage = { width: 2, height: 1, pixels: new Uint8Array([...RED, ...BLUE]) };
    const resized = await resizeImage(source, 4, 2, 'nearest');
    expect([resized.width, resized.height]).toEqual([4, 2]);
    expect([0, 1, 2, 3].map((x) => pixelAt(resized, x, 1))).toEqual([RED, RED, BLUE, BLUE]);
  });

  it('lanczos3 keeps flat colour flat and averages a checkerboard to grey when shrinking', async () => {
    const flat = await resizeImage(solid(30, 20, GREEN), 61, 41, 'lanczos3');
    expect([flat.width, flat.height]).toEqual([61, 41]);
    expect(pixelAt(flat, 30, 20)).toEqual(GREEN);
    const shrunk = await resizeImage(checkerboard(64), 16, 16, 'lanczos3');
    for (const value of shrunk.pixels) expect(Math.abs(value - 127.5)).toBeLessThan(8);
  });
});
