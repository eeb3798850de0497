import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TorchGenerator } from '../../../src/generation/rng/torch-generator.ts';
import { projectRoot } from '../../support/shared-dir.ts';

/**
 * Values produced by real PyTorch (Debian python3-torch 1.13.1 on an AVX-512 x86 machine) with
 * scripts/torch-randn-reference.py. Compared bit for bit.
 */
interface ReferenceCase {
  seed: string;
  counts: number[];
  values?: string[][];
  head?: string[];
  tail?: string[];
  sum?: number;
  sumsq?: number;
}
const reference = JSON.parse(
  readFileSync(path.join(projectRoot, 'test/fixtures/reference/torch-randn.json'), 'utf8'),
) as { torch: string; cases: ReferenceCase[] };

function hexToFloats(hex: string[]): number[] {
  return hex.map((h) => Buffer.from(h, 'hex').readFloatLE(0));
}

describe(`TorchGenerator against real torch ${reference.torch}`, () => {
  for (const c of reference.cases) {
    it(`seed ${c.seed}, randn(${c.counts.join(') then randn(')})`, () => {
      const generator = new TorchGenerator(BigInt(c.seed));
      const draws = c.counts.map((n) => generator.randn(n));
      if (c.values) {
        draws.forEach((draw, i) => expect(Array.from(draw)).toEqual(hexToFloats(c.values![i]!)));
      } else {
        const draw = draws[0]!;
        expect(Array.from(draw.subarray(0, c.head!.length))).toEqual(hexToFloats(c.head!));
        expect(Array.from(draw.subarray(draw.length - c.tail!.length))).toEqual(hexToFloats(c.tail!));
        let sum = 0;
        let sumsq = 0;
        for (const v of draw) {
          sum += v;
          sumsq += v * v;
        }
        expect(sum).toBeCloseTo(c.sum!, 6);
        expect(sumsq).toBeCloseTo(c.sumsq!, 4);
      }
    });
  }
});
