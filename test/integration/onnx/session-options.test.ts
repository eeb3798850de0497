import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../../src/generation/onnx/index.ts';
import { buildFixtureModel } from '../../fixtures/onnx/index.ts';
import { cpuOptions, makeTempDir, randomFloats } from './onnx-test-support.ts';

describe('session options and lifecycle', () => {
  let root: { dir: string; cleanup: () => Promise<void> };
  let decoderPath = '';
  beforeAll(async () => {
    root = await makeTempDir('options');
    await buildFixtureModel(root.dir, 'sd15-optimum', {});
    decoderPath = path.join(root.dir, 'vae_decoder', 'model.onnx');
  });
  afterAll(async () => root.cleanup());

  it('loads and runs with freeDimensionOverrides given (a hint the node binding may ignore)', async () => {
    const session = await createSession(decoderPath, {
      ...cpuOptions,
      freeDimensionOverrides: { batch_size: 1, latent_height: 8, latent_width: 8 },
    });
    const fixed = await session.run({ latent_sample: { data: randomFloats(4 * 8 * 8, 1), dims: [1, 4, 8, 8] } });
    expect(fixed['sample']?.dims).toEqual([1, 3, 64, 64]);
    await session.release();
  });

  it('returns only the requested outputs', async () => {
    const encoder = await createSession(path.join(root.dir, 'text_encoder', 'model.onnx'), cpuOptions);
    const result = await encoder.run({ input_ids: { data: new Int32Array(77).fill(49407), dims: [1, 77] } }, ['pooler_output']);
    expect(Object.keys(result)).toEqual(['pooler_output']);
    await encoder.release();
  });

  it('refuses to run after release, naming the model', async () => {
    const session = await createSession(decoderPath, cpuOptions);
    await session.release();
    await expect(session.run({ latent_sample: { data: new Float32Array(4), dims: [1, 4, 1, 1] } })).rejects.toThrow(decoderPath);
  });
});
