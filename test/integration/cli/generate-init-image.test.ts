/**
 * `darkroom generate --init-image` as a person meets it, through the real `darkroom` command in
 * a child process: every mistake with the file is one plain line (no stack trace), a special
 * file is refused without reading it, an init image larger than the size limit gives a
 * smaller output with a note instead of a 4096+ px job, and --upscale past the limit is refused.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_IMAGE_SIDE } from '../../../src/generation/requests/generation-limits.ts';
import { decodeImage, encodePng } from '../../../src/images/index.ts';
import { buildFixtureModel } from '../../fixtures/onnx/index.ts';
import { cleanEnvironment, runDarkroom, type Finished } from './darkroom-process.ts';

const SLOW = 240_000;
const root = mkdtempSync(path.join(tmpdir(), 'darkroom-init-image-'));
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
  await buildFixtureModel(model, 'sd15-optimum');
}, SLOW);
afterAll(() => rmSync(root, { recursive: true, force: true }));

function generate(initImage: string, extra: string[] = []): Promise<Finished> {
  const args = ['generate', '--model', model, '--prompt', 'a cat', '--seed', '3', '--steps', '2', '--init-image', initImage];
  return runDarkroom([...args, '--out', path.join(root, 'out.png'), ...extra], cwd, env);
}

/** One plain line on stderr, exit 1, no stack trace and nothing written. */
function expectPlainRefusal(result: Finished, message: RegExp): void {
  expect(result.stderr.trim(), result.stderr).toMatch(message);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.code).toBe(1);
}

describe('darkroom generate --init-image refusals', () => {
  // Each kind of refusal is covered in test/unit/cli/init-image.reader.test.ts; here, that the
  // real command prints them as one plain line.
  it(
    'names a missing file, a file that is not an image, and refuses /dev/zero without reading it',
    async () => {
      const text = path.join(root, 'notes.png');
      writeFileSync(text, 'these are my notes, not a picture\n');
      expectPlainRefusal(await generate(path.join(root, 'nowhere.png')), /^--init-image .*nowhere\.png: no such file$/);
      expectPlainRefusal(await generate(text), /notes\.png: not an image Darkroom can read/);
      expectPlainRefusal(await generate('/dev/zero'), /^--init-image \/dev\/zero: not a regular file/);
    },
    SLOW,
  );
});

describe('darkroom generate output size limits', () => {
  it(
    'generates at most 4096 px a side, keeping the aspect, and says so',
    async () => {
      const wide = path.join(root, 'wide.png');
      const width = MAX_IMAGE_SIDE + 128;
      writeFileSync(wide, await encodePng({ width, height: 128, pixels: new Uint8Array(width * 128 * 3).fill(120) }, undefined));
      const result = await generate(wide, ['--strength', '0.5']);
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toContain(`note: the init image is ${width}×128; generating ${MAX_IMAGE_SIDE}×128 (at most ${MAX_IMAGE_SIDE} px a side`);
      const image = await decodeImage(readFileSync(path.join(root, 'out.png')));
      expect([image.width, image.height]).toEqual([MAX_IMAGE_SIDE, 128]);
    },
    SLOW,
  );

  it(
    'refuses --upscale when the upscaled result would pass the side limit, before generating anything',
    async () => {
      const out = path.join(root, 'never.png');
      const args = ['generate', '--model', model, '--prompt', 'a cat', '--steps', '2', '--width', String(MAX_IMAGE_SIDE), '--height', '64', '--upscale', '--out', out];
      const result = await runDarkroom(args, cwd, env);
      expectPlainRefusal(result, new RegExp(`^--upscale: ${MAX_IMAGE_SIDE}×64 upscaled 2× would be ${MAX_IMAGE_SIDE * 2}×128, more than ${MAX_IMAGE_SIDE} px a side`));
      expect(existsSync(out)).toBe(false);
    },
    SLOW,
  );
});
