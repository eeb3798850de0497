/**
 * Tiled VAE decode/encode as diffusers' `AutoencoderKL.tiled_decode` / `tiled_encode` compute it:
 * tile starts every ¾ tile, shorter last tiles, in-place linear blends over ¼ tile (so a tile
 * blends with its neighbours *after* they were blended themselves), top-left `tile − blend` kept.
 * Expected values are worked out by hand from diffusers' code.
 */
import { describe, expect, it } from 'vitest';
import { needsVaeTiling, runTiledVae, vaeTileStarts, type VaeTileRun } from '../../../src/generation/pipeline/vae-tiling.ts';

/** A "model" whose every output pixel of tile k is k + 1 (tiles numbered in run order). */
function constantPerTile(channels: number, scale: number): { run: VaeTileRun; shapes: Array<[number, number]> } {
  const shapes: Array<[number, number]> = [];
  const run: VaeTileRun = async (_input, height, width) => {
    shapes.push([height, width]);
    return new Float32Array(channels * height * scale * width * scale).fill(shapes.length);
  };
  return { run, shapes };
}

describe('VAE tiling', () => {
  it('tiles only inputs with a side longer than the tile, starting every ¾ tile', () => {
    expect(needsVaeTiling(64, 64, 64)).toBe(false);
    expect(needsVaeTiling(64, 72, 64)).toBe(true);
    expect(vaeTileStarts(128, 64)).toEqual([0, 48, 96]);
    expect(vaeTileStarts(1024, 512)).toEqual([0, 384, 768]);
  });

  it('blends a row of tiles with linear weights and keeps a short last tile whole', async () => {
    // 8-wide tiles at 0, 6, 12 over 14 columns: widths 8, 8, 2; blend 2, keep 6. (6 rows: one row of tiles.)
    const { run, shapes } = constantPerTile(1, 1);
    const out = await runTiledVae(run, new Float32Array(6 * 14), 1, 6, 14, { inputTile: 8, outputTile: 8, outputChannels: 1 });
    expect(shapes).toEqual([[6, 8], [6, 8], [6, 2]]);
    expect(Array.from(out.subarray(0, 14))).toEqual([1, 1, 1, 1, 1, 1, 1, 1.5, 2, 2, 2, 2, 2, 2.5]);
  });

  it('blends in place: a tile fades into its upper and left neighbours as already blended', async () => {
    const { run } = constantPerTile(1, 1);
    const out = await runTiledVae(run, new Float32Array(14 * 14), 1, 14, 14, { inputTile: 8, outputTile: 8, outputChannels: 1 });
    // Tile (1,1) is 5. Above, tile (0,1) at its row 7, column 1 was blended with (0,0): 1.5, so
    // row 1 → 1.5·½ + 5·½ = 3.25; left, tile (1,0) at row 1, column 7 was blended with (0,0): 2.5,
    // so column 1 → 2.5·½ + 3.25·½ = 2.875. Tile (1,1)'s local (1,1) is output (7,7).
    expect(out[7 * 14 + 7]).toBe(2.875);
    expect(out[0]).toBe(1);
  });

  it('puts every output pixel where the untiled model would (a pointwise decoder gives the same image)', async () => {
    const channelsIn = 4;
    const height = 20;
    const width = 28;
    const input = Float32Array.from({ length: channelsIn * height * width }, (_, index) => Math.sin(index * 0.37));
    // Nearest ×2 upsampling of channels 0–2: what any decoder does to position, without context.
    const upsample: VaeTileRun = async (tile, tileHeight, tileWidth) => {
      const out = new Float32Array(3 * tileHeight * 2 * tileWidth * 2);
      for (let channel = 0; channel < 3; channel++) {
        for (let y = 0; y < tileHeight * 2; y++) {
          for (let x = 0; x < tileWidth * 2; x++) {
            out[(channel * tileHeight * 2 + y) * tileWidth * 2 + x] = tile[(channel * tileHeight + (y >> 1)) * tileWidth + (x >> 1)]!;
          }
        }
      }
      return out;
    };
    const whole = await upsample(input, height, width);
    const tiled = await runTiledVae(upsample, input, channelsIn, height, width, { inputTile: 8, outputTile: 16, outputChannels: 3 });
    expect(tiled.length).toBe(whole.length);
    let maxDiff = 0;
    for (let index = 0; index < whole.length; index++) maxDiff = Math.max(maxDiff, Math.abs(tiled[index]! - whole[index]!));
    expect(maxDiff).toBeLessThan(1e-6);
  });

  it('encodes down: 8× smaller tiles out; a side equal to the tile still gets a second, short row (as in diffusers)', async () => {
    const { run, shapes } = constantPerTile(8, 1 / 8);
    const out = await runTiledVae(run, new Float32Array(3 * 512 * 1024), 3, 512, 1024, { inputTile: 512, outputTile: 64, outputChannels: 8 });
    expect(shapes).toEqual([[512, 512], [512, 512], [512, 256], [128, 512], [128, 512], [128, 256]]);
    expect(out.length).toBe(8 * 64 * 128);
  });
});
