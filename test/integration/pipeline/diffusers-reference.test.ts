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
import { fixtureWorkspace } from './support/pipeline-harness.ts';
import { fromBase64, recordTrace, REFERENCE_CASES, replayInTorch, torchAvailable, type ReplayReport } from './support/reference-trace.ts';

const models = sharedPath('fixtures', 'models');
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
  // Conditioning: the same float32 values, laid out the same way.
  expect(report.encoderHiddenStates).toBe(0);
  if (report.textEmbeds !== undefined) expect(report.textEmbeds).toBe(0);
  if (report.timeIds !== undefined) expect(report.timeIds).toBe(0);
  expect(report.unetInput).toHaveLength(steps);
  // float32 values up to ~15 (σ_max · noise): a few ulps.
  for (const difference of report.unetInput) expect(difference).toBeLessThan(1e-5);
  for (const difference of report.timestep) expect(difference).toBe(0);
  expect(report.decoderInputScale).toBeGreaterThan(0.1);
  expect(report.decoderInput).toBeLessThan(1e-5 * Math.max(1, report.decoderInputScale!));
}

describe.skipIf(!models)('parity with diffusers (PyTorch replay)' + sharedSkipReason, () => {
  for (const [name, { model, request: overrides }] of Object.entries(REFERENCE_CASES)) {
    it.skipIf(!withTorch)(`${name}: live replay [needs /usr/bin/python3 with torch]`, async () => {
      const trace = await recordTrace(path.join(models!, model), overrides);
      const report = replayInTorch(trace, root, name);
      expectParity(report, trace.unet.length);
      // The stored reference must still be what the replay computes.
      const { difference, scale } = largestDifference(fromBase64(report.referenceDecoderInput!), fromBase64(stored.cases[name]!.decoderInput));
      expect(difference).toBeLessThan(1e-5 * Math.max(1, scale));
    });

    it(`${name}: final latents equal the stored PyTorch replay`, async () => {
      const trace = await recordTrace(path.join(models!, model), overrides);
      const { difference, scale } = largestDifference(decoderInput(trace.decoderInputs), fromBase64(stored.cases[name]!.decoderInput));
      expect(scale).toBeGreaterThan(0.1);
      expect(difference).toBeLessThan(1e-5 * Math.max(1, scale));
    });
  }
});

describe.skipIf(!withTorch)('LCM conditioning matches diffusers [needs /usr/bin/python3 with torch]', () => {
  it('timestep_cond is get_guidance_scale_embedding(guidance − 1, 256) and no negative rows run', async () => {
    const workspace = await fixtureWorkspace();
    try {
      const trace = await recordTrace(await workspace.build('lcm-optimum'), { scheduler: undefined, seeds: [1, 2], steps: 2, guidance: 8 });
      const report = replayInTorch(trace, root, 'lcm');
      expect(trace.unet).toHaveLength(2);
      // Guidance 8 > 1, yet only the two positive rows reach the UNet, with the guidance embedding.
      expect(report.encoderHiddenStates).toBe(0);
      // torch's float32 exp is not correctly rounded (1 ulp off for 14 of the 128 frequencies); at
      // 1000·w = 7000 rad one ulp of the angle (4.9e-4) is what separates the two sines.
      expect(report.timestepCond).toBeLessThan(1e-3);
    } finally {
      await workspace.cleanup();
    }
  });
});
