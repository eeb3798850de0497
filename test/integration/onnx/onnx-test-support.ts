/** Helpers shared by the ONNX integration tests. */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pino, { type Logger } from 'pino';
import type { SessionOptions } from '../../../src/generation/onnx/index.ts';
import { seededRandom } from '../../fixtures/onnx/onnx-graph.builder.ts';

/** CPU, one thread (the test machine's two cores are shared by parallel test files). */
export const cpuOptions: SessionOptions = { provider: 'cpu', threads: 1, freeDimensionOverrides: undefined, logger: undefined };

export async function makeTempDir(label: string): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), `darkroom-onnx-${label}-`));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Deterministic values uniform in [-scale, scale). */
export function randomFloats(count: number, seed: number, scale = 1): Float32Array {
  const random = seededRandom(seed);
  return Float32Array.from({ length: count }, () => (random() * 2 - 1) * scale);
}

export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let max = 0;
  for (let index = 0; index < a.length; index++) max = Math.max(max, Math.abs((a[index] ?? 0) - (b[index] ?? 0)));
  return max;
}

/** CLIP-like ids: BOS, a few words, EOS, EOS padding to 77. */
export function promptIds(words: readonly number[], batch = 1): Int32Array {
  const row = [49406, ...words, 49407];
  while (row.length < 77) row.push(49407);
  return Int32Array.from({ length: 77 * batch }, (_, index) => row[index % 77] ?? 49407);
}

/** A pino logger that keeps parsed log lines in memory. */
export function memoryLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}
