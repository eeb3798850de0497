import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { availableExecutionProviders, createSession } from '../../../src/generation/onnx/index.ts';
import { buildFixtureModel } from '../../fixtures/onnx/index.ts';
import { cpuOptions, makeTempDir, memoryLogger } from './onnx-test-support.ts';

// This machine has no CUDA libraries next to onnxruntime-node (its postinstall was skipped).
const hasCuda = availableExecutionProviders().includes('cuda');

describe.skipIf(hasCuda)('execution provider fallback on a CPU-only host', () => {
  let root: { dir: string; cleanup: () => Promise<void> };
  let modelPath = '';

  beforeAll(async () => {
    root = await makeTempDir('providers');
    await buildFixtureModel(root.dir, 'sd15-optimum', {});
    modelPath = path.join(root.dir, 'vae_decoder', 'model.onnx');
  });
  afterAll(async () => root.cleanup());

  it('runs an explicit cuda choice on the CPU with one warning naming cuda and the reason', async () => {
    const { logger, lines } = memoryLogger();
    const first = await createSession(modelPath, { ...cpuOptions, provider: 'cuda', logger });
    const second = await createSession(path.join(root.dir, 'unet', 'model.onnx'), { ...cpuOptions, provider: 'cuda', logger });
    expect(first.provider).toBe('cpu');
    expect(second.provider).toBe('cpu');
    const warnings = lines.filter((line) => line['level'] === 40);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0]?.['msg'])).toMatch(/"cuda".*Failed to load shared library.*falling back to CPU/);
    const run = await first.run({ latent_sample: { data: new Float32Array(4 * 2 * 2), dims: [1, 4, 2, 2] } });
    expect(run['sample']?.dims).toEqual([1, 3, 16, 16]);
    await first.release();
    await second.release();
  });

  it('falls back from dml the same way', async () => {
    const { logger, lines } = memoryLogger();
    const session = await createSession(modelPath, { ...cpuOptions, provider: 'dml', logger });
    expect(session.provider).toBe('cpu');
    expect(lines.filter((line) => line['level'] === 40)).toHaveLength(1);
    await session.release();
  });

  it('picks the CPU under auto without warning', async () => {
    const { logger, lines } = memoryLogger();
    const session = await createSession(modelPath, { ...cpuOptions, provider: 'auto', logger });
    expect(session.provider).toBe('cpu');
    expect(lines.filter((line) => Number(line['level']) >= 40)).toHaveLength(0);
    await session.release();
  });

  it('lists the CPU, and not a provider that failed to load, for doctor', () => {
    expect(availableExecutionProviders()).toContain('cpu');
    expect(availableExecutionProviders()).not.toContain('cuda');
  });
});
