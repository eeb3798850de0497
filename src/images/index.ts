/**
 * Images: the only folder that imports sharp. PNG with A1111 parameters, decoding, resizing,
 * grids, previews, pictures fitted to an upload limit, blur.
 */
export type { PngTextParameters } from './a1111-infotext.format.ts';
export { formatA1111Parameters, quoteInfotextValue } from './a1111-infotext.format.ts';
export type { ParsedA1111Parameters } from './a1111-infotext.parser.ts';
export { parseA1111Parameters } from './a1111-infotext.parser.ts';
export { PARAMETERS_KEYWORD, decodeImage, encodePng, readPngParameters } from './png.codec.ts';
export type { PreviewOptions, ResizeKernel } from './image.transforms.ts';
export { blurImage, makePreview, resizeImage } from './image.transforms.ts';
export { defaultGridColumns, makeGrid } from './grid.composer.ts';
export { compactPicture } from './compact-picture.ts';
export { sha256 } from './sha256.hash.ts';
export type { RgbImage } from './rgb-image.ts';
export type { ImageDecodeErrorCode } from './rgb-image.sharp.ts';
export { ImageDecodeError, MAX_DECODE_PIXELS } from './rgb-image.sharp.ts';
