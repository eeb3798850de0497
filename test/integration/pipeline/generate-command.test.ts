/**
 * `darkroom generate` in-process (runCliWith), on the shared tiny SD 1.5 folder: files, seeds,
 * A1111 parameters, img2img from a PNG.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCliWith } from '../../../src/cli/cli.ts';
import { decodeImage, readPngParameters } from '../../../src/images/index.ts';
import { sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';

const model = sharedPath('fixtures', 'models', 'tiny-sd15');
const sdxl = sharedPath('fixtures', 'models', 'tiny-sdxl');
const root = mkdtempSync(path.join(tmpdir(), 'darkroom-generate-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function darkroom(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const workingDir = path.join(root, 'cwd');
  for (const dir of [workingDir, path.join(root, 'config')]) mkdirSync(dir, { recursive: true });
  const code = await runCliWith(args, {
    env: { DARKROOM_DATA_DIR: path.join(root, 'data'), DARKROOM_MODELS_DIR: path.join(root, 'models'), DARKROOM_CONFIG_DIR: path.join(root, 'config'), LOG_LEVEL: 'warn' },
    envFile: undefined,
    workingDir,
    out: (text) => out.push(text),
    err: (text) => err.push(text),
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe.skipIf(!model)('darkroom generate' + sharedSkipReason, () => {
  it('writes FILE-1.png … for several images and prints each seed and the timings', async () => {
    const out = path.join(root, 'batch.png');
    const result = await darkroom(['generate', '--model', model!, '--prompt', 'a red car', '--seed', '5', '--steps', '2', '--count', '2', '--width', '64', '--height', '64', '--out', out]);
    expect(result.err).not.toMatch(/error/i);
    expect(result.code).toBe(0);
    expect(result.out).toContain(`seed 5 → ${path.join(root, 'batch-1.png')}`);
    expect(result.out).toContain(`seed 6 → ${path.join(root, 'batch-2.png')}`);
    expect(result.out).toMatch(/time: total [\d.]+ s/);
    expect(result.err).toContain('step 2/');
    const parameters = await readPngParameters(readFileSync(path.join(root, 'batch-2.png')));
    expect(parameters).toContain('Seed: 6');
    expect(parameters).toContain('Model: tiny-sd15');
    expect(existsSync(out)).toBe(false);
  });

  it('img2img from a PNG writes FILE.png with the denoising strength', async () => {
    const source = path.join(root, 'source.png');
    expect((await darkroom(['generate', '--model', model!, '--prompt', 'a cat', '--seed', '1', '--steps', '2', '--width', '64', '--height', '128', '--out', source])).code).toBe(0);
    const out = path.join(root, 'varied.png');
    const result = await darkroom(['generate', '--model', model!, '--prompt', 'a cat', '--seed', '2', '--steps', '4', '--scheduler', 'euler-ancestral', '--init-image', source, '--strength', '0.5', '--out', out]);
    expect(result.code).toBe(0);
    const png = readFileSync(out);
    const image = await decodeImage(png);
    expect([image.width, image.height]).toEqual([64, 128]); // the init image's size
    const parameters = await readPngParameters(png);
    expect(parameters).toContain('Sampler: Euler a');
    expect(parameters).toContain('Denoising strength: 0.5');
  });

  it('runs the Karras variant asked for and says so in the PNG metadata', async () => {
    for (const [asked, file] of [['dpmpp-2m-karras', 'karras.png'], ['DPM++ 2M Karras', 'karras-a1111.png'], ['lms-karras', 'lms-karras.png']] as const) {
      const out = path.join(root, file);
      const result = await darkroom(['generate', '--model', model!, '--prompt', 'a cat', '--seed', '3', '--steps', '3', '--width', '64', '--height', '64', '--scheduler', asked, '--out', out]);
      expect(result.err, asked).not.toMatch(/error/i);
      expect(result.code, asked).toBe(0);
      expect(await readPngParameters(readFileSync(out))).toContain(asked.startsWith('lms') ? 'Sampler: LMS Karras,' : 'Sampler: DPM++ 2M Karras,');
    }
    // the folder's own scheduler: PNDM with skip_prk_steps, which A1111 calls PLMS
    const plain = path.join(root, 'plms.png');
    expect((await darkroom(['generate', '--model', model!, '--prompt', 'a cat', '--seed', '3', '--steps', '3', '--width', '64', '--height', '64', '--out', plain])).code).toBe(0);
    expect(await readPngParameters(readFileSync(plain))).toContain('Sampler: PLMS,');
  });

  it.skipIf(!sdxl)('SDXL: --negative "" is an empty negative prompt (encoded), not a missing one (zeroed)', async () => {
    const common = ['generate', '--model', sdxl!, '--prompt', 'a cat', '--seed', '4', '--steps', '3', '--guidance', '5', '--width', '64', '--height', '64'];
    const none = path.join(root, 'sdxl-none.png');
    const empty = path.join(root, 'sdxl-empty.png');
    expect((await darkroom([...common, '--out', none])).code).toBe(0);
    expect((await darkroom([...common, '--negative', '', '--out', empty])).code).toBe(0);
    const [a, b] = await Promise.all([decodeImage(readFileSync(none)), decodeImage(readFileSync(empty))]);
    expect(Buffer.from(a.pixels).equals(Buffer.from(b.pixels))).toBe(false);
  });

  it('refuses an unknown scheduler, listing the Karras variants', async () => {
    const result = await darkroom(['generate', '--model', model!, '--prompt', 'a cat', '--scheduler', 'turbo', '--out', path.join(root, 'never.png')]);
    expect(result.code).not.toBe(0);
    expect(result.err).toContain('dpmpp-2m-karras');
  });

  it('names the model problem when the model does not exist', async () => {
    const result = await darkroom(['generate', '--model', path.join(root, 'nowhere'), '--prompt', 'a cat', '--out', path.join(root, 'x.png')]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/does not exist/);
  });
});
