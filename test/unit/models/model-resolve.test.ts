import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseModelCatalog, type ModelCatalog } from '../../../src/generation/models/model-catalog.ts';
import { listModels, resolveModel } from '../../../src/generation/models/model-resolve.ts';
import { runModelsList } from '../../../src/cli/models.actions.ts';
import { formatBytes } from '../../../src/generation/models/model.types.ts';
import { tinyModelFiles, writeFiles } from './support/tiny-model-files.ts';

/** Sum of the folder's file sizes as `find` reports them: an independent measure of what is on disk. */
function duBytes(dir: string): number {
  const sizes = execFileSync('find', [dir, '-type', 'f', '-printf', '%s\\n'], { encoding: 'utf8' }).trim().split('\n');
  return sizes.reduce((sum, size) => sum + Number(size), 0);
}

const recommended = '{ steps: 4, guidance: 8, scheduler: euler, width: 512, height: 512 }';
const catalogText = `models:
  - { name: fast, repo: acme/fast-onnx, family: lcm, description: d, license: l, approxSizeGB: 4.3, cpu: true, default: true, recommended: ${recommended} }
  - { name: turbo, repo: acme/turbo-onnx, family: sd-turbo, description: d, license: l, approxSizeGB: 2.6, cpu: false, recommended: ${recommended} }
  - { name: later, repo: acme/later-onnx, family: sd1, description: d, license: l, approxSizeGB: 1, cpu: true, recommended: ${recommended} }
`;

describe('resolveModel and listModels', () => {
  let modelsDir: string;
  let catalog: ModelCatalog;
  beforeEach(async () => {
    modelsDir = await mkdtemp(path.join(os.tmpdir(), 'darkroom-models-'));
    catalog = parseModelCatalog(catalogText, 'config/models.yaml');
    await writeFiles(path.join(modelsDir, 'fast'), tinyModelFiles({ family: 'lcm', schedulerClass: 'LCMScheduler' }));
    await writeFiles(path.join(modelsDir, 'turbo'), tinyModelFiles({ family: 'sd2', schedulerClass: 'EulerDiscreteScheduler' }));
    await writeFiles(path.join(modelsDir, 'my-photoreal'), tinyModelFiles({}));
    await writeFiles(path.join(modelsDir, 'half-copied'), tinyModelFiles({}));
    await unlink(path.join(modelsDir, 'half-copied', 'vae_decoder', 'model.onnx'));
  });
  afterEach(async () => {
    await rm(modelsDir, { recursive: true, force: true });
  });
  const locations = (): { catalog: ModelCatalog; modelsDir: string } => ({ catalog, modelsDir });

  it('resolves an installed catalog model with its entry, so the catalog family applies', async () => {
    const resolved = await resolveModel('turbo', locations());
    expect(resolved).toMatchObject({ ok: true, dir: path.join(modelsDir, 'turbo'), entry: { name: 'turbo' } });
    if (resolved.ok) expect(resolved.info.family).toBe('sd-turbo');
    const byPath = await resolveModel(path.join(modelsDir, 'turbo'), locations());
    expect(byPath).toMatchObject({ ok: true, entry: { name: 'turbo' } });
  });

  it('explains a catalog model that is not downloaded, with the exact pull command', async () => {
    const missing = await resolveModel('later', locations());
    expect(missing).toMatchObject({ ok: false, code: 'model_missing', pullCommand: 'darkroom models pull later' });
    if (!missing.ok) {
      expect(missing.message).toContain('`darkroom models pull later`');
      expect(missing.message).toContain(path.join(modelsDir, 'later'));
    }
    await mkdir(path.join(modelsDir, 'later.partial'));
    expect(await resolveModel('later', locations())).toMatchObject({ ok: false, code: 'model_partial' });
  });

  it('accepts folders placed by hand, by name or by path, and refuses unknown names listing the catalog', async () => {
    expect(await resolveModel('my-photoreal', locations())).toMatchObject({ ok: true, entry: undefined });
    expect(await resolveModel(path.join(modelsDir, 'my-photoreal'), locations())).toMatchObject({ ok: true });
    const unknown = await resolveModel('nope', locations());
    expect(unknown).toMatchObject({ ok: false, code: 'unknown_model' });
    if (!unknown.ok) expect(unknown.message).toContain('fast, turbo, later');
    expect(await resolveModel('half-copied', locations())).toMatchObject({ ok: false, code: 'file_missing' });
  });

  it('answers a name too long for any file system as an unknown model instead of failing with ENAMETOOLONG', async () => {
    for (const name of ['n'.repeat(300), path.join(modelsDir, 'n'.repeat(300)), `${'deep/'.repeat(900)}model`]) {
      const resolved = await resolveModel(name, locations());
      expect(resolved).toMatchObject({ ok: false, code: 'unknown_model' });
      if (!resolved.ok) expect(resolved.message).toMatch(/characters\): no model name or folder is that long$/);
    }
  });

  it('lists catalog models with their status, then hand-placed folders, and explains broken ones', async () => {
    await mkdir(path.join(modelsDir, 'later.partial'));
    const rows = await listModels(locations());
    expect(rows.map((row) => [row.name, row.status])).toEqual([
      ['fast', 'installed'],
      ['turbo', 'installed'],
      ['later', 'partial'],
      ['half-copied', 'broken'],
      ['my-photoreal', 'installed'],
    ]);
    expect(rows.find((row) => row.name === 'half-copied')?.problem).toContain('vae_decoder/model.onnx missing');
    expect(rows.filter((row) => row.isDefault).map((row) => row.name)).toEqual(['fast']);

    const output = await runModelsList(locations());
    expect(output.exitCode).toBe(0);
    // An installed model shows what its folder takes on disk, not the catalog's download size.
    const fastBytes = formatBytes(duBytes(path.join(modelsDir, 'fast')));
    expect(output.lines.find((line) => line.startsWith('* fast'))).toMatch(new RegExp(`installed\\s+lcm\\s+yes\\s+${fastBytes}\\s+acme/fast-onnx`));
    expect(output.lines.find((line) => line.includes('turbo'))).toContain('GPU only');
    expect(output.lines.join('\n')).toContain('darkroom models pull NAME');
  });

  it('says "not downloaded" (never "available") for a catalog model without a folder, with its download size', async () => {
    const rows = await listModels(locations());
    expect(rows.find((row) => row.name === 'later')?.status).toBe('not downloaded');
    const output = await runModelsList(locations());
    expect(output.lines.find((line) => line.includes('later'))).toMatch(/^\s+later\s+not downloaded\s+sd1\s+yes\s+~1\.00 GB\s+acme\/later-onnx$/);
    expect(output.lines.join('\n')).not.toMatch(/\bavailable\b/);
  });
});
