/**
 * `darkroom generate` through the real command in a child process (stderr is not a terminal):
 * a size the model cannot take is refused before anything loads; progress comes as a few plain
 * lines per phase instead of one per step; an upscaled PNG says, in A1111's terms, that it is a
 * hires fix of a first pass.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeImage, parseA1111Parameters, readPngParameters } from '../../../src/images/index.ts';
import { buildFixtureModel } from '../../fixtures/onnx/index.ts';
import { cleanEnvironment, runDarkroom } from './darkroom-process.ts';

const SLOW = 240_000;
const root = mkdtempSync(path.join(tmpdir(), 'darkroom-generate-polish-'));
const cwd = path.join(root, 'cwd');
const model = path.join(root, 'models', 'tiny-photo');
const env = cleanEnvironment({
  DARKROOM_DATA_DIR: path.join(root, 'data'),
  DARKROOM_MODELS_DIR: path.join(root, 'models'),
  DARKROOM_CONFIG_DIR: path.join(root, 'config'),
});

beforeAll(async () => {
  for (const dir of [cwd, path.join(root, 'config')]) mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(root, 'config', 'local.yaml'), 'engine:\n  executionProvider: cpu\n  previews: false\n');
  // unet/config.json with four levels: sides must be multiples of 64.
  await buildFixtureModel(model, 'sd15-optimum');
}, SLOW);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('darkroom generate polish', () => {
  it(
    'refuses --width/--height that are not multiples of the model\'s size step, before loading anything',
    async () => {
      const out = path.join(root, 'never.png');
      for (const [flag, value, nearest] of [['--width', '100', '64 or 128'], ['--height', '40', '64']] as const) {
        const size = flag === '--width' ? ['--width', value, '--height', '64'] : ['--width', '64', '--height', value];
        const result = await runDarkroom(['generate', '--model', model, '--prompt', 'a cat', '--steps', '2', ...size, '--out', out], cwd, env);
        expect(result.code, result.stderr).toBe(1);
        expect(result.stderr.trim()).toBe(`${flag} ${value}: ${model} needs multiples of 64 px (nearest: ${nearest})`);
        expect(existsSync(out)).toBe(false);
      }
    },
    SLOW,
  );

  it(
    'shows a few progress lines per phase, not one per step, and the upscale says it is a hires fix of the first pass',
    async () => {
      const out = path.join(root, 'upscaled.png');
      const args = ['generate', '--model', model, '--prompt', 'a cat', '--seed', '9', '--steps', '30', '--scheduler', 'euler', '--width', '64', '--height', '64', '--upscale', '--out', out];
      const result = await runDarkroom(args, cwd, env);
      expect(result.code, result.stderr).toBe(0);
      const generating = result.stderr.split('\n').filter((line) => line.startsWith('generating: step '));
      expect(generating.length).toBeGreaterThan(1);
      expect(generating.length).toBeLessThanOrEqual(11);
      expect(generating.at(-1)).toBe('generating: step 30/30');
      expect(result.stderr).toMatch(/^upscaling: step \d+\/\d+$/m);

      const png = readFileSync(out);
      const image = await decodeImage(png);
      expect([image.width, image.height]).toEqual([128, 128]);
      const parsed = parseA1111Parameters((await readPngParameters(png)) ?? '');
      expect([parsed.width, parsed.height]).toEqual([64, 64]);
      expect(parsed.seed).toBe(9);
      expect(parsed.denoisingStrength).toBeGreaterThan(0);
      expect(parsed.extra).toMatchObject({ 'Hires upscale': '2', 'Hires steps': '30', 'Hires upscaler': 'Lanczos' });
    },
    SLOW,
  );
});
