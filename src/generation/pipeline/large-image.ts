/**
 * How the pipeline keeps images larger than the model's native size within the memory of a
 * native-size generation (a hires fix doubles each side of a 512² result; its ⬆️ asks for 2048²):
 * the VAE decodes and encodes in tiles (diffusers' VAE tiling, for any side longer than the
 * native size), and the UNet predicts on native-size latent tiles once the image has more than
 * twice the native area (below that, one whole-image call per row is kept: the composition of,
 * say, a 512×768 portrait stays what diffusers makes). Images at or below the native size run
 * exactly as without tiling.
 */
import { planLatentTiles, TiledNoisePredictor, type LatentTile, type NoisePredictor } from './tiled-unet.ts';

/** Smallest tile side in pixels: diffusers' SD VAE tile; tiny test models declare smaller native sizes. */
export const MIN_TILE_PIXELS = 512;
/** The UNet works on tiles above this multiple of the native area. */
export const UNET_TILING_AREA_FACTOR = 2;
/** Latent pixels shared by neighbouring UNet tiles, as a fraction of the tile (diffusers' VAE uses a quarter too). */
export const UNET_TILE_MIN_OVERLAP = 0.25;

/** VAE tile sides (`tile_latent_min_size`, `tile_sample_min_size`). */
export interface VaeTileSize {
  latent: number;
  sample: number;
}

export interface LargeImagePlan {
  /** Handed to the VAE codec, which tiles only inputs with a side longer than the tile. */
  vaeTile: VaeTileSize;
  /** Latent tiles for the UNet; undefined = whole-image calls. */
  unetTiles: LatentTile[] | undefined;
}

/**
 * The plan for a `width × height` image on a model whose native square side is `nativeSize`
 * pixels (SD 1.x 512, SD 2.x 768, SDXL 1024: the VAE's `sample_size` in diffusers' configs).
 */
export function planLargeImage(nativeSize: number, width: number, height: number): LargeImagePlan {
  const sample = Math.max(MIN_TILE_PIXELS, nativeSize);
  const latent = sample / 8;
  const latentHeight = height / 8;
  const latentWidth = width / 8;
  const tiled = latentHeight * latentWidth > UNET_TILING_AREA_FACTOR * latent * latent;
  return {
    vaeTile: { latent, sample },
    unetTiles: tiled ? planLatentTiles(latentHeight, latentWidth, latent, Math.round(latent * UNET_TILE_MIN_OVERLAP)) : undefined,
  };
}

/**
 * The loop's noise predictor: `makeRunner(height, width)` for whole-image calls, or the tiled
 * predictor over one runner built for the tile shape (which stops between tiles on `signal`).
 * `latentShape` is the UNet's input; it predicts `outputChannels` (4) per row.
 */
export function noisePredictorFor(
  plan: LargeImagePlan,
  rows: number,
  latentShape: readonly [channels: number, height: number, width: number],
  makeRunner: (height: number, width: number) => NoisePredictor,
  signal: AbortSignal | undefined,
  outputChannels: number = latentShape[0],
): NoisePredictor {
  const [channels, height, width] = latentShape;
  const tiles = plan.unetTiles;
  if (tiles === undefined || tiles.length <= 1) return makeRunner(height, width);
  const { height: tileHeight, width: tileWidth } = tiles[0]!;
  return new TiledNoisePredictor(makeRunner(tileHeight, tileWidth), rows, channels, height, width, tiles, signal, outputChannels);
}
