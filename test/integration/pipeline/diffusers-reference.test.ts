/**
 * Numerical parity with diffusers, checked against an independent PyTorch replay
 * (scripts/pipeline-reference.py): real torch generators, float32 tensor maths, Euler / Euler a
 * written from diffusers' source, the recorded UNet outputs as an oracle. Every UNet input and the
 * final VAE decoder input must match.
 *
 * With /usr/bin/python3 + torch (Debian python3-torch) the replay runs live. Without it, the
 * replay's results stored in test/fixtures/reference/pipeline-torch-replay.json are compared.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot, sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { fromBase64, recordTrace, REFERENCE_CASES, replayInTorch, torchAvailable, type ReplayReport } from './support/reference-trace.ts';

const model = sharedPath('fixtures', 'models', 'tiny-sd15-optimum');
const withTorch = torchAvailable();
const root = mkdtempSync(path.join(tmpdir(), 'darkroom-reference-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const stored = JSON.parse(readFileSync(path.join(projectRoot, 'test', 'fixtures', 'reference', 'pipeline-torch-replay.json'), 'utf8')) as {
  cases: Record<string, { decoderInput: string }>;
};

function largestDifference(a: Float32Array, b: Float32Array): { difference: number; scale: number } {
  expect(a.length).toBe(b.length);
  let difference = 0;
  let scale = 0;
  a.forEach((value, index) => {
    difference = Math.max(difference, Math.abs(value - b[index]!));
    scale = Math.max(scale, Math.abs(value));
  });
  return { difference, scale };
}

function decoderInput(inputs: string[]): Float32Array {
  const parts = inputs.map(fromBase64);
  const joined = new Float32Array(parts.reduce((sum, part) => sum + part.length, 0));
  parts.reduce((offset, part) => (joined.set(part, offset), offset + part.length), 0);
  return joined;
}

function expectParity(report: ReplayReport, steps: number): void {
  expect(report.unetInput).toHaveLength(steps);
  // float32 values up to ~15 (σ_max · noise): a few ulps.
  for (const difference of report.unetInput) expect(difference).toBeLessThan(1e-5);
  for (const difference of report.timestep) expect(difference).toBe(0);
  expect(report.decoderInputScale).toBeGreaterThan(0.1);
  expect(report.decoderInput).toBeLessThan(1e-5 * Math.max(1, report.decoderInputScale));
}

describe.skipIf(!model)('parity with diffusers (PyTorch replay)' + sharedSkipReason, () => {
  for (const [name, overrides] of Object.entries(REFERENCE_CASES)) {
    it.skipIf(!withTorch)(`${name}: live replay [needs /usr/bin/python3 with torch]`, async () => {
      const trace = await recordTrace(model!, overrides);
      const report = replayInTorch(trace, root, name);
      expectParity(report, trace.unet.length);
      // The stored reference must still be what the replay computes.
      const { difference, scale } = largestDifference(fromBase64(report.referenceDecoderInput), fromBase64(stored.cases[name]!.decoderInput));
      expect(difference).toBeLessThan(1e-5 * Math.max(1, scale));
    });

    it(`${name}: final latents equal the stored PyTorch replay`, async () => {
      const trace = await recordTrace(model!, overrides);
      const { difference, scale } = largestDifference(decoderInput(trace.decoderInputs), fromBase64(stored.cases[name]!.decoderInput));
      expect(scale).toBeGreaterThan(0.1);
      expect(difference).toBeLessThan(1e-5 * Math.max(1, scale));
    });
  }
});
