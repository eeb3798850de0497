/**
 * Cache keys of derived model files: the same model bytes give the same key wherever and
 * whenever they were written (a rebuilt fixture or a re-downloaded model reuses its entries);
 * changed weights give a new one, so a stale optimised graph is never loaded.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelFingerprint, optimizedModelKey } from '../../../src/generation/onnx/model-cache.ts';
import { makeTempDir } from './onnx-test-support.ts';

describe('derived model cache keys', () => {
  let root: Awaited<ReturnType<typeof makeTempDir>>;
  beforeAll(async () => {
    root = await makeTempDir('model-cache');
  });
  afterAll(async () => root.cleanup());

  async function writeModel(folder: string, weights: Uint8Array): Promise<string> {
    const dir = path.join(root.dir, folder, 'unet');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'model.onnx'), 'graph bytes');
    await writeFile(path.join(dir, 'weights.pb'), weights);
    return path.join(dir, 'model.onnx');
  }

  it('depends on the bytes of the graph and its weights, not on the folder or the time they were written', async () => {
    const first = await modelFingerprint(await writeModel('a', new Uint8Array([1, 2, 3])));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const rebuilt = await modelFingerprint(await writeModel('b', new Uint8Array([1, 2, 3])));
    const changed = await modelFingerprint(await writeModel('c', new Uint8Array([1, 2, 4])));
    expect(rebuilt).toBe(first);
    expect(changed).not.toBe(first);
  });

  it('gives a new optimised-graph key when onnxruntime or the options change', () => {
    const parts = { fingerprint: 'f', rewrite: 1, ort: '1.30.0', level: 'extended', arch: 'x64', cpu: 'cpu' };
    expect(optimizedModelKey(parts)).toBe(optimizedModelKey({ ...parts }));
    expect(optimizedModelKey({ ...parts, ort: '1.31.0' })).not.toBe(optimizedModelKey(parts));
    expect(optimizedModelKey({ ...parts, level: 'all' })).not.toBe(optimizedModelKey(parts));
  });
});
