/**
 * The init image of `darkroom generate`: each mistake with the file is a plain answer, the read
 * is bounded, and the output size never passes the side limit.
 */
import { existsSync, mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_INIT_IMAGE_BYTES, fitOutputSize, readInitImage } from '../../../src/cli/init-image.reader.ts';
import { MAX_IMAGE_SIDE } from '../../../src/generation/requests/generation-limits.ts';
import { encodePng } from '../../../src/images/index.ts';

const root = mkdtempSync(path.join(tmpdir(), 'darkroom-init-reader-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function png(width: number, height: number): Promise<Buffer> {
  return encodePng({ width, height, pixels: new Uint8Array(width * height * 3).fill(77) }, undefined);
}

describe('readInitImage', () => {
  it('decodes an image file', async () => {
    const file = path.join(root, 'ok.png');
    writeFileSync(file, await png(24, 16));
    const read = await readInitImage(file);
    expect(read.ok && [read.image.width, read.image.height]).toEqual([24, 16]);
  });

  it('answers each mistake in words', async () => {
    const damaged = path.join(root, 'damaged.png');
    const bytes = await png(64, 64);
    writeFileSync(damaged, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const text = path.join(root, 'notes.txt');
    writeFileSync(text, 'not a picture');
    const huge = path.join(root, 'huge.png');
    writeFileSync(huge, '');
    truncateSync(huge, MAX_INIT_IMAGE_BYTES + 1); // sparse
    const expectations: Array<[string, RegExp]> = [
      [path.join(root, 'missing.png'), /missing\.png: no such file$/],
      [path.join(text, 'inside.png'), /a part of the path is not a folder$/],
      [root, /is a folder, not an image file$/],
      [text, /not an image Darkroom can read \(PNG, JPEG/],
      [damaged, /damaged\.png: (the image file is damaged or truncated|not an image Darkroom can read)/],
      [huge, /huge\.png: the file is 50 MB; the limit is 50 MB$/],
      ['/dev/zero', /^--init-image \/dev\/zero: not a regular file \(a device, pipe or socket\)/],
    ];
    for (const [file, message] of expectations) {
      const read = await readInitImage(file);
      expect(read.ok, file).toBe(false);
      if (!read.ok) expect(read.message, file).toMatch(message);
    }
  });

  // /proc files say 0 bytes and have more: the read itself is bounded, not only the stat.
  it.skipIf(!existsSync('/proc/self/status'))('stops reading at the limit when the size on disk says 0', async () => {
    expect(await readInitImage('/proc/self/status', 16)).toEqual({
      ok: false,
      message: '--init-image /proc/self/status: the file is larger than 0.0 MB; the limit is 0.0 MB',
    });
  });
});

describe('fitOutputSize', () => {
  it('keeps the init image size up to the limit, and the flags as given', () => {
    expect(fitOutputSize({ width: 640, height: 480 }, undefined, undefined)).toEqual({ width: 640, height: 480, note: undefined });
    expect(fitOutputSize({ width: 6000, height: 4000 }, 512, 512)).toEqual({ width: 512, height: 512, note: undefined });
  });

  it('scales a larger init image down to the side limit, aspect kept, multiples of 8, with a note', () => {
    const fitted = fitOutputSize({ width: 6000, height: 4000 }, undefined, undefined);
    expect([fitted.width, fitted.height]).toEqual([MAX_IMAGE_SIDE, 2728]);
    expect(fitted.note).toBe(`the init image is 6000×4000; generating ${MAX_IMAGE_SIDE}×2728 (at most ${MAX_IMAGE_SIDE} px a side; --width/--height choose another size)`);
    const tall = fitOutputSize({ width: 30, height: 9000 }, undefined, undefined);
    expect([tall.width, tall.height]).toEqual([16, MAX_IMAGE_SIDE]);
  });
});
