import { rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, GpuOnlyModelError, OnnxModelLoadError } from '../../../src/generation/onnx/index.ts';
import { buildFixtureModel } from '../../fixtures/onnx/index.ts';
import { cpuOptions, makeTempDir } from './onnx-test-support.ts';

describe('model files that cannot load', () => {
  let root: { dir: string; cleanup: () => Promise<void> };

  beforeAll(async () => {
    root = await makeTempDir('errors');
    for (const variant of ['sd15-legacy', 'sd15-optimum', 'gpu-only'] as const) {
      await buildFixtureModel(path.join(root.dir, variant), variant, { withSafetyChecker: false });
    }
  });
  afterAll(async () => root.cleanup());

  it.each([
    ['sd15-legacy', 'weights.pb'],
    ['sd15-optimum', 'model.onnx_data'],
    ['gpu-only', 'model.onnx.data'],
  ])('%s UNet reads its weights from %s, and names it when it is gone', async (variant, sideFile) => {
    const unetPath = path.join(root.dir, variant, 'unet', 'model.onnx');
    if (variant !== 'gpu-only') await (await createSession(unetPath, cpuOptions)).release();
    await rm(path.join(root.dir, variant, 'unet', sideFile));
    const failure = createSession(unetPath, cpuOptions);
    await expect(failure).rejects.toBeInstanceOf(OnnxModelLoadError);
    await expect(failure).rejects.toMatchObject({ code: 'missing-external-data', message: expect.stringContaining(sideFile) });
  });

  it('names the path of a missing model file', async () => {
    const missing = path.join(root.dir, 'nowhere', 'model.onnx');
    await expect(createSession(missing, cpuOptions)).rejects.toMatchObject({ code: 'missing-file', message: expect.stringContaining(missing) });
  });

  it('says a GPU-optimised model needs a GPU build instead of crashing', async () => {
    await buildFixtureModel(path.join(root.dir, 'gpu-only-2'), 'gpu-only', { withSafetyChecker: false });
    const unetPath = path.join(root.dir, 'gpu-only-2', 'unet', 'model.onnx');
    const failure = createSession(unetPath, { ...cpuOptions, provider: 'auto' });
    await expect(failure).rejects.toBeInstanceOf(GpuOnlyModelError);
    await expect(failure).rejects.toThrow(/this model needs a GPU build/);
    await expect(failure).rejects.toThrow(unetPath);
    await expect(failure).rejects.toThrow(/GroupNorm/);
    // The rest of the folder is plain and loads on the CPU.
    const decoder = await createSession(path.join(root.dir, 'gpu-only-2', 'vae_decoder', 'model.onnx'), cpuOptions);
    await decoder.release();
  });
});
