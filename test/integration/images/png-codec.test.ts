import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import type { RgbImage } from '../../../src/images/rgb-image.ts';
import {
  ImageDecodeError,
  decodeImage,
  encodePng,
  formatA1111Parameters,
  parseA1111Parameters,
  readPngParameters,
} from '../../../src/images/index.ts';
import type { PngTextParameters } from '../../../src/images/index.ts';
import { readChunks } from '../../unit/images/png-reader.fixture.ts';

/** A deterministic, photo-like test image (gradients plus a pseudo-random texture). */
function testImage(width: number, height: number, salt: number): RgbImage {
  const pixels = new Uint8Array(width * height * 3);
  let state = 12345 + salt;
  for (let index = 0; index < pixels.length; index++) {
    state = (state * 1103515245 + 12345) >>> 0;
    const x = Math.floor(index / 3) % width;
    pixels[index] = (x * 2 + (state >>> 27) + salt * 40) & 0xff;
  }
  return { width, height, pixels };
}

const PARAMETERS: PngTextParameters = {
  prompt: 'portrait of an old fisherman, 85mm, golden hour',
  negativePrompt: 'cartoon, blurry',
  steps: 25,
  sampler: 'DPM++ 2M',
  cfgScale: 6.5,
  seed: 1234567890,
  width: 64,
  height: 48,
  model: 'epicrealism, pure evolution',
  modelHash: undefined,
  denoisingStrength: undefined,
  extra: { 'Schedule type': 'Karras' },
};

describe('encodePng / readPngParameters', () => {
  it('stores the infotext so our reader, an independent chunk reader and sharp all read it back', async () => {
    const text = formatA1111Parameters(PARAMETERS);
    const png = await encodePng(testImage(64, 48, 0), text);

    expect(await readPngParameters(png)).toBe(text);
    expect(parseA1111Parameters(text)).toMatchObject({ seed: 1234567890, model: 'epicrealism, pure evolution' });

    const chunks = readChunks(png);
    for (const chunk of chunks) expect(chunk.storedCrc, chunk.type).toBe(chunk.computedCrc);
    const textChunk = chunks.find((chunk) => chunk.type === 'tEXt');
    expect(textChunk?.data.toString('latin1')).toBe(`parameters\0${text}`);
    expect(chunks.findIndex((chunk) => chunk.type === 'tEXt')).toBeLessThan(chunks.findIndex((chunk) => chunk.type === 'IDAT'));

    // libvips parses PNG text chunks on its own: a third, independent reader.
    const metadata = await sharp(png).metadata();
    expect(metadata.comments).toEqual([{ keyword: 'parameters', text }]);
  });

  it('keeps non-Latin prompts intact (iTXt) for sharp too', async () => {
    const text = formatA1111Parameters({ ...PARAMETERS, prompt: '雨の東京、夜の写真 📷' });
    const png = await encodePng(testImage(16, 16, 1), text);
    expect(await readPngParameters(png)).toBe(text);
    expect((await sharp(png).metadata()).comments).toEqual([{ keyword: 'parameters', text }]);
  });

  it('keeps the pixels exactly (lossless) and writes no text chunk without parameters', async () => {
    const image = testImage(37, 23, 2);
    const png = await encodePng(image, undefined);
    expect(readChunks(png).some((chunk) => ['tEXt', 'iTXt', 'zTXt'].includes(chunk.type))).toBe(false);
    expect(await readPngParameters(png)).toBeUndefined();
    const decoded = await decodeImage(png);
    expect(decoded.width).toBe(37);
    expect(decoded.height).toBe(23);
    expect(Buffer.from(decoded.pixels).equals(Buffer.from(image.pixels))).toBe(true);
  });

  it('is deterministic: same pixels and text give byte-identical PNGs; other text or pixels do not', async () => {
    const text = formatA1111Parameters(PARAMETERS);
    const first = await encodePng(testImage(64, 48, 3), text);
    const second = await encodePng(testImage(64, 48, 3), text);
    expect(first.equals(second)).toBe(true);
    expect(first.equals(await encodePng(testImage(64, 48, 3), `${text}, Version: 2`))).toBe(false);
    expect(first.equals(await encodePng(testImage(64, 48, 4), text))).toBe(false);
  });

  it('refuses a pixel buffer that does not match the stated size', async () => {
    await expect(encodePng({ width: 4, height: 4, pixels: new Uint8Array(47) }, undefined)).rejects.toThrow(RangeError);
  });
});

describe('decodeImage', () => {
  it('flattens transparency onto white', async () => {
    const rgba = Buffer.alloc(2 * 1 * 4);
    rgba.set([255, 0, 0, 255], 0); // opaque red
    rgba.set([0, 0, 0, 0], 4); // fully transparent
    const png = await sharp(rgba, { raw: { width: 2, height: 1, channels: 4 } }).png().toBuffer();
    const decoded = await decodeImage(png);
    expect([...decoded.pixels]).toEqual([255, 0, 0, 255, 255, 255]);
  });

  it('reads greyscale, 16-bit, CMYK JPEG and WebP inputs as 8-bit RGB of the right size', async () => {
    const base = sharp(Buffer.from(testImage(20, 10, 5).pixels), { raw: { width: 20, height: 10, channels: 3 } });
    const inputs = {
      grey: await base.clone().greyscale().png().toBuffer(),
      sixteenBit: await base.clone().toColourspace('rgb16').png().toBuffer(),
      cmykJpeg: await base.clone().toColourspace('cmyk').jpeg().toBuffer(),
      webp: await base.clone().webp({ lossless: true }).toBuffer(),
    };
    for (const [name, bytes] of Object.entries(inputs)) {
      const decoded = await decodeImage(bytes);
      expect({ name, width: decoded.width, height: decoded.height, length: decoded.pixels.length }).toEqual({
        name, width: 20, height: 10, length: 600,
      });
    }
    const grey = await decodeImage(inputs.grey);
    expect(grey.pixels[0]).toBe(grey.pixels[1]); // grey means R = G = B
    expect(grey.pixels[1]).toBe(grey.pixels[2]);
  });

  it('applies EXIF orientation so a rotated phone photo comes out upright', async () => {
    // Stored 4 wide × 2 high, orientation 6 = "rotate 90° clockwise to display" → 2 × 4 upright.
    const jpeg = await sharp({ create: { width: 4, height: 2, channels: 3, background: '#808080' } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const decoded = await decodeImage(jpeg);
    expect([decoded.width, decoded.height]).toEqual([2, 4]);
  });

  it('refuses what it cannot read with a stable code', async () => {
    const codeOf = async (bytes: Buffer): Promise<string> => {
      try {
        await decodeImage(bytes);
        return 'decoded';
      } catch (error) {
        return error instanceof ImageDecodeError ? error.code : `other: ${String(error)}`;
      }
    };
    expect(await codeOf(Buffer.from('definitely not an image'))).toBe('unsupported-format');
    expect(await codeOf(Buffer.alloc(0))).toBe('unsupported-format');
    const png = await encodePng(testImage(64, 64, 6), undefined);
    expect(await codeOf(png.subarray(0, 60))).toBe('corrupt');
    // A PNG header claiming 10000×10000 pixels is refused before allocation.
    const huge = Buffer.from(png);
    huge.writeUInt32BE(10_000, 16);
    huge.writeUInt32BE(10_000, 20);
    expect(await codeOf(huge)).toBe('too-large');
  });
});
