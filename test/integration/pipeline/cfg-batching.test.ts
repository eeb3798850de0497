/**
 * Classifier-free guidance as two batch-1 UNet calls (the CPU default, issue 16) gives what one
 * batch-2 call gives: the same noise predictions within float tolerance and the same pixels.
 * Real ONNX sessions on the generated SD1.5 fixture and, when ../shared is there, on the legacy
 * tiny-sd15 (real diffusers attention, loaded with its zero branches removed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession } from '../../../src/generation/onnx/index.ts';
import type { StepProgress } from '../../../src/generation/engine.types.ts';
import { UnetRunner, unetRowsPerCall } from '../../../src/generation/pipeline/unet-runner.ts';
import { sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { randomFloats } from '../onnx/onnx-test-support.ts';
import { fixtureWorkspace, loadPipeline, maxAbsDiff, noOptions, request, unetSpy } from './support/pipeline-harness.ts';

function largestDifference(a: Float32Array, b: Float32Array): number {
  let max = 0;
  for (let index = 0; index < a.length; index++) max = Math.max(max, Math.abs(a[index]! - b[index]!));
  return max;
}

describe('CFG batching', () => {
  let workspace: Awaited<ReturnType<typeof fixtureWorkspace>>;
  let dir = '';
  beforeAll(async () => {
    workspace = await fixtureWorkspace();
    dir = await workspace.build('sd15-optimum');
  });
  afterAll(async () => workspace?.cleanup());

  it('picks batch-1 calls on the CPU by default (auto) and one call elsewhere', () => {
    expect(unetRowsPerCall('auto', 'cpu', 2)).toBe(1);
    expect(unetRowsPerCall('auto', 'cuda', 2)).toBe(2);
    expect(unetRowsPerCall('batched', 'cpu', 8)).toBe(8);
    expect(unetRowsPerCall('sequential', 'cuda', 8)).toBe(1);
  });

  it('auto on the CPU runs two batch-1 UNet calls per step and gives the pixels one batch-2 call gives', async () => {
    const spied = unetSpy();
    const auto = await loadPipeline(dir, { cfgBatching: 'auto', hook: spied.hook });
    const batched = await loadPipeline(dir, { cfgBatching: 'batched' });
    try {
      const previews: StepProgress[] = [];
      const split = await auto.generate(request({ steps: 3, seeds: [7, 8] }), { ...noOptions, previews: true, onProgress: (progress) => void previews.push(progress) });
      expect(spied.spy.batches).toEqual([1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
      const whole = await batched.generate(request({ steps: 3, seeds: [7, 8] }), noOptions);
      for (const index of [0, 1]) expect(maxAbsDiff(split.images[index]!.image, whole.images[index]!.image)).toBeLessThanOrEqual(1);
      // Progress still carries a preview of every step, computed when read.
      expect(previews.map((progress) => progress.preview?.width)).toEqual([8, 8, 8]);
    } finally {
      await auto.release();
      await batched.release();
    }
  });

  const legacyUnet = sharedPath('fixtures', 'models', 'tiny-sd15', 'unet', 'model.onnx');
  it.skipIf(!legacyUnet)(`predicts the same noise for [negative, positive] rows in one call or two${sharedSkipReason}`, async () => {
    const session = await createSession(legacyUnet!, { provider: 'cpu', threads: 1, freeDimensionOverrides: undefined, logger: undefined });
    try {
      const rows = 2;
      const conditioning = {
        encoderHiddenStates: randomFloats(rows * 77 * 32, 21),
        seqLen: 77,
        hiddenSize: 32,
        textEmbeds: undefined,
        timeIds: undefined,
        timestepCond: undefined,
      };
      const sample = randomFloats(rows * 4 * 16 * 16, 22, 2);
      const one = await new UnetRunner(session, conditioning, rows, [4, 16, 16], rows).predict(sample, 801);
      const together = Float32Array.from(one);
      const apart = await new UnetRunner(session, conditioning, rows, [4, 16, 16], 1).predict(sample, 801);
      expect(largestDifference(together, apart)).toBeLessThanOrEqual(1e-5);
    } finally {
      await session.release();
    }
  });
});
