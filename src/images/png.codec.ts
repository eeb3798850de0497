/**
 * PNG with an A1111 `parameters` text chunk, and decoding of any input format to RGB.
 */
import type { RgbImage } from './rgb-image.ts';
import { readTextChunk, withTextChunk } from './png-text.chunks.ts';
import { PNG_OUTPUT_OPTIONS, decodeToRgb, sharpFromRgb } from './rgb-image.sharp.ts';

/** The keyword A1111, Forge, Civitai and image viewers look for. */
export const PARAMETERS_KEYWORD = 'parameters';

/**
 * Encodes 8-bit RGB pixels as PNG, with a `parameters` text chunk right after IHDR when
 * `parameters` is given (`tEXt` if Latin-1, else uncompressed UTF-8 `iTXt`, as Pillow writes
 * for A1111). Deterministic: the same pixels and text give byte-identical files.
 */
export async function encodePng(image: RgbImage, parameters: string | undefined): Promise<Buffer> {
  const png = await sharpFromRgb(image).png(PNG_OUTPUT_OPTIONS).toBuffer();
  return parameters === undefined ? png : withTextChunk(png, PARAMETERS_KEYWORD, parameters);
}

/**
 * The `parameters` text of a PNG (tEXt, zTXt or iTXt; the first one with a valid CRC), or
 * undefined when there is none or the bytes are not a PNG. JPEG/WebP uploads, where A1111
 * keeps the text in EXIF UserComment, are not read.
 */
export async function readPngParameters(png: Buffer): Promise<string | undefined> {
  return readTextChunk(png, PARAMETERS_KEYWORD);
}

/**
 * Decodes PNG, JPEG, WebP, GIF (first frame), TIFF, AVIF… to upright (EXIF orientation applied)
 * 8-bit sRGB. Alpha is flattened onto **white** (A1111's img2img default); greyscale, CMYK and
 * 16-bit inputs are converted. Throws `ImageDecodeError` (`unsupported-format`, `too-large`,
 * `corrupt`) for input a person sent that we cannot read.
 */
export async function decodeImage(bytes: Buffer): Promise<RgbImage> {
  return decodeToRgb(bytes);
}
