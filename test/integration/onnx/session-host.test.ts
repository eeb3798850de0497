/**
 * Sessions live in the session host's worker thread (onnxruntime-node runs synchronously on the
 * thread that calls it). What that must mean for the rest of the bot: the event loop keeps
 * turning while a UNet runs, callers' arrays are neither moved nor changed, overlapping runs do
 * not mix up their inputs, and an open session does not keep a finished process alive.
 */
import { spawnSync } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, type ModelSession } from '../../../src/generation/onnx/index.ts';
import { projectRoot } from '../../support/shared-dir.ts';
import { buildBenchModel, buildFixtureModel, DEFAULT_BENCH_OPTIONS } from '../../fixtures/onnx/index.ts';
import { cpuOptions, makeTempDir, randomFloats } from './onnx-test-support.ts';

describe('sessions in the worker thread', () => {
  let root: { dir: string; cleanup: () => Promise<void> };
  let benchUnet: ModelSession;
  let smallUnetPath = '';

  beforeAll(async () => {
    root = await makeTempDir('host');
    const bench = await buildBenchModel(path.join(root.dir, 'bench'), DEFAULT_BENCH_OPTIONS);
    benchUnet = await createSession(path.join(bench, 'unet', 'model.onnx'), cpuOptions);
    const small = await buildFixtureModel(path.join(root.dir, 'small'), 'sd15-optimum', { withSafetyChecker: false });
    smallUnetPath = path.join(small, 'unet', 'model.onnx');
  });
  afterAll(async () => {
    await benchUnet?.release();
    await root?.cleanup();
  });

  const benchFeeds = () => ({
    sample: { data: randomFloats(2 * 4 * 64 * 64, 1), dims: [2, 4, 64, 64] },
    timestep: { data: new Float32Array([500]), dims: [1] },
    encoder_hidden_states: { data: randomFloats(2 * 77 * 768, 2), dims: [2, 77, 768] },
  });

  it('lets the event loop run other callbacks while a 512×512-shaped UNet step runs', async () => {
    const order: string[] = [];
    const run = benchUnet.run(benchFeeds()).then(() => order.push('run finished'));
    // On the calling thread the run would finish inside onnxruntime's own setImmediate, before this one.
    setImmediate(() => order.push('other callback'));
    await run;
    expect(order).toEqual(['other callback', 'run finished']);
  });

  it('leaves the caller’s feed arrays in place and unchanged', async () => {
    const feeds = benchFeeds();
    const before = Float32Array.from(feeds.sample.data);
    await benchUnet.run(feeds);
    await benchUnet.run(feeds);
    expect(feeds.sample.data.byteLength).toBe(before.byteLength);
    expect(feeds.sample.data).toEqual(before);
    expect(feeds.encoder_hidden_states.data.length).toBe(2 * 77 * 768);
  });

  it('gives overlapping runs on one session the answers of the same runs one at a time', async () => {
    const session = await createSession(smallUnetPath, cpuOptions);
    const feedsFor = (seed: number) => ({
      sample: { data: randomFloats(2 * 4 * 8 * 8, seed), dims: [2, 4, 8, 8] },
      timestep: { data: new Float32Array([100 * seed, 100 * seed]), dims: [2] },
      encoder_hidden_states: { data: randomFloats(2 * 77 * 32, seed + 50), dims: [2, 77, 32] },
    });
    const alone: Float32Array[] = [];
    for (const seed of [1, 2, 3]) alone.push((await session.run(feedsFor(seed)))['out_sample']!.data);
    const together = await Promise.all([1, 2, 3].map(async (seed) => (await session.run(feedsFor(seed)))['out_sample']!.data));
    expect(together).toEqual(alone);
    await session.release();
  });

  it('does not keep a process alive after its work is done, even with a session left open', async () => {
    const script = path.join(root.dir, 'open-session.mts');
    const onnxIndex = path.join(projectRoot, 'src', 'generation', 'onnx', 'index.ts');
    await writeFile(
      script,
      `import { createSession } from ${JSON.stringify(onnxIndex)};
const session = await createSession(process.argv[2], { provider: 'cpu', threads: 1, freeDimensionOverrides: undefined, logger: undefined });
const outputs = await session.run({ sample: { data: new Float32Array(2 * 4 * 8 * 8), dims: [2, 4, 8, 8] }, timestep: { data: new Float32Array([1, 1]), dims: [2] }, encoder_hidden_states: { data: new Float32Array(2 * 77 * 32), dims: [2, 77, 32] } });
console.log(outputs['out_sample'].dims.join('x'));
`,
    );
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, smallUnetPath], { cwd: projectRoot, encoding: 'utf8', timeout: 45_000 });
    expect(child.stderr).not.toMatch(/Error/);
    expect(child.status).toBe(0);
    expect(child.stdout.trim()).toBe('2x4x8x8');
  });
});
