import { mkdir, mkdtemp, rm, unlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseModelCatalog, type ModelCatalog } from '../../../src/generation/models/model-catalog.ts';
import { listModels, resolveModel } from '../../../src/generation/models/model-resolve.ts';
import { runModelsList } from '../../../src/generation/models/models.commands.ts';
import { tinyModelFiles, writeFiles } from './support/tiny-model-files.ts';

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
    expect(output.lines.find((line) => line.startsWith('* fast'))).toMatch(/installed\s+lcm\s+yes\s+4\.30 GB\s+acme\/fast-onnx/);
    expect(output.lines.find((line) => line.includes('turbo'))).toContain('GPU only');
    expect(output.lines.join('\n')).toContain('darkroom models pull NAME');
  });
});
