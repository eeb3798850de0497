/**
 * Upscaling: a tiled Real-ESRGAN-style ONNX upscaler, or the diffusion hires fix (Lanczos, then
 * img2img at low strength through an injected function). Import from here.
 */
export {
  createUpscaler,
  DEFAULT_UPSCALER_CONFIG,
  type UpscaleMethod,
  type UpscaleOptions,
  type UpscaleProgress,
  type UpscaleResult,
  type Upscaler,
  type UpscalerConfig,
  type UpscalerDeps,
} from './upscaler.ts';
export { hiresFix, HIRES_SIZE_MULTIPLE, type HiresFixOptions, type HiresFixResult, type Img2ImgFunction } from './hires-fix.ts';
export {
  TiledOnnxUpscaler,
  type LoadUpscalerOptions,
  type TiledUpscaleOptions,
  type TiledUpscaleResult,
  type TileProgress,
  type TilingOptions,
} from './onnx-upscaler.ts';
export { planTiles, type AxisLimit, type AxisSegment, type Tile, type TilePlan } from './tiling.ts';
export { upscaleTarget, type UpscaleTarget } from './upscale-size.ts';
export { UnsupportedUpscalerError, UpscaleAbortedError } from './upscale.errors.ts';
export type { UpscalerLayout } from './upscaler-layout.ts';
