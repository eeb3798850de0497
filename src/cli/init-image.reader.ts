/**
 * `darkroom generate --init-image FILE`: reads and decodes the start image with plain answers
 * for a person's mistakes (no such file, a folder or device, too big, not an image), and fits
 * the output size it implies to the size limit; `--upscale` is checked against the same limit.
 */
import { open, stat } from 'node:fs/promises';
import type { RgbImage } from '../images/rgb-image.ts';
import { MAX_IMAGE_SIDE } from '../generation/requests/generation-limits.ts';
import { ImageDecodeError, MAX_DECODE_PIXELS, decodeImage } from '../images/index.ts';

/** Largest init image file read, in bytes: far above any photo, far below what hurts. */
export const MAX_INIT_IMAGE_BYTES = 50 * 1024 * 1024;

/** The decoded image, or why not in words. */
export type InitImageRead = { ok: true; image: RgbImage } | { ok: false; message: string };

function megabytes(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** The errno code of a file system error, if it is one. */
function errorCode(error: unknown): string | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

function fileProblem(file: string, error: unknown): string {
  const code = errorCode(error);
  if (code === 'ENOENT') return `--init-image ${file}: no such file`;
  if (code === 'EACCES' || code === 'EPERM') return `--init-image ${file}: permission denied`;
  if (code === 'ENOTDIR') return `--init-image ${file}: a part of the path is not a folder`;
  if (code === 'ENAMETOOLONG') return `--init-image: the file name is too long`;
  return `--init-image ${file}: cannot read it (${code ?? (error instanceof Error ? error.message : String(error))})`;
}

/**
 * Reads at most `limit + 1` bytes: the size `stat` gave may be stale or meaningless (a file
 * growing meanwhile, /proc), so the read itself is bounded too.
 */
async function readBounded(file: string, limit: number): Promise<Buffer | 'too-large'> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(limit + 1);
    let filled = 0;
    while (filled < buffer.length) {
      const { bytesRead } = await handle.read(buffer, filled, buffer.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    return filled > limit ? 'too-large' : buffer.subarray(0, filled);
  } finally {
    await handle.close();
  }
}

/** Reads and decodes `file`; regular files of at most `maxBytes` only. */
export async function readInitImage(file: string, maxBytes: number = MAX_INIT_IMAGE_BYTES): Promise<InitImageRead> {
  const tooLarge = (size: string): InitImageRead => ({
    ok: false,
    message: `--init-image ${file}: the file is ${size}; the limit is ${megabytes(maxBytes)}`,
  });
  let bytes: Buffer | 'too-large';
  try {
    const info = await stat(file);
    if (info.isDirectory()) return { ok: false, message: `--init-image ${file}: is a folder, not an image file` };
    if (!info.isFile()) return { ok: false, message: `--init-image ${file}: not a regular file (a device, pipe or socket); give an image file` };
    if (info.size > maxBytes) return tooLarge(megabytes(info.size));
    bytes = await readBounded(file, maxBytes);
  } catch (error) {
    return { ok: false, message: fileProblem(file, error) };
  }
  if (bytes === 'too-large') return tooLarge(`larger than ${megabytes(maxBytes)}`);
  try {
    return { ok: true, image: await decodeImage(bytes) };
  } catch (error) {
    if (!(error instanceof ImageDecodeError)) throw error;
    const why =
      error.code === 'too-large'
        ? `the image has more than ${MAX_DECODE_PIXELS / 1_000_000} million pixels`
        : error.code === 'unsupported-format'
          ? 'not an image Darkroom can read (PNG, JPEG, WebP, GIF, TIFF, AVIF)'
          : 'the image file is damaged or truncated';
    return { ok: false, message: `--init-image ${file}: ${why}` };
  }
}

/** Output size of an img2img request, and a note when it differs from the init image's size. */
export interface FittedSize {
  width: number;
  height: number;
  note: string | undefined;
}

/**
 * The output size: the flags when given, else the init image's own size, scaled down (aspect
 * kept, multiples of 8) when a side is larger than {@link MAX_IMAGE_SIDE}, as `--width` and
 * `--height` are limited.
 */
export function fitOutputSize(image: Pick<RgbImage, 'width' | 'height'>, width: number | undefined, height: number | undefined): FittedSize {
  const wanted = { width: width ?? image.width, height: height ?? image.height };
  const largest = Math.max(wanted.width, wanted.height);
  if (largest <= MAX_IMAGE_SIDE) return { ...wanted, note: undefined };
  const scale = MAX_IMAGE_SIDE / largest;
  const side = (value: number): number => Math.min(MAX_IMAGE_SIDE, Math.max(8, Math.round((value * scale) / 8) * 8));
  const fitted = { width: side(wanted.width), height: side(wanted.height) };
  return {
    ...fitted,
    note:
      `the init image is ${image.width}×${image.height}; generating ${fitted.width}×${fitted.height} ` +
      `(at most ${MAX_IMAGE_SIDE} px a side; --width/--height choose another size)`,
  };
}

/** What `--upscale` multiplies each side by. */
export const CLI_UPSCALE_FACTOR = 2;

/**
 * Why `--upscale` cannot be done on a `width`×`height` result (its sides would pass
 * {@link MAX_IMAGE_SIDE}), in words, before anything is generated; undefined when it can.
 */
export function upscaleProblem(width: number, height: number): string | undefined {
  if (Math.max(width, height) * CLI_UPSCALE_FACTOR <= MAX_IMAGE_SIDE) return undefined;
  const most = MAX_IMAGE_SIDE / CLI_UPSCALE_FACTOR;
  return (
    `--upscale: ${width}×${height} upscaled ${CLI_UPSCALE_FACTOR}× would be ${width * CLI_UPSCALE_FACTOR}×${height * CLI_UPSCALE_FACTOR}, ` +
    `more than ${MAX_IMAGE_SIDE} px a side; ask for at most ${most} px a side, or leave out --upscale`
  );
}
