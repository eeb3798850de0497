/**
 * Legacy exports' `baddbmm` zero branches (`Add(MatMul·scale, Mul(ConstantOfShape(0), 0))`) are
 * removed at load, once, and the results stay bit-identical (issue 16). Real sessions on a
 * generated graph with the exact traced pattern, and on the shared legacy tiny-sd15 UNet.
 */
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import onnxProto from 'onnx-proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, type SessionOptions, type TensorInput } from '../../../src/generation/onnx/index.ts';
import { removeZeroAddBranches } from '../../../src/generation/onnx/zero-branch.rewrite.ts';
import { GraphBuilder } from '../../fixtures/onnx/onnx-graph.builder.ts';
import { sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { cpuOptions, makeTempDir, maxAbsDiff, memoryLogger, randomFloats } from './onnx-test-support.ts';

const { onnx } = onnxProto;
const untouched: SessionOptions['tuning'] = { rewriteZeroBranches: false, cacheOptimizedGraph: false };

/** scores = softmax(x·W·0.35 + 0·zeros(shape)) as torch.onnx traced `baddbmm(beta=0)`, plus an Add that must stay. */
async function writeAttentionLikeGraph(file: string): Promise<void> {
  const graph = new GraphBuilder('baddbmm_like', 7);
  const x = graph.input('x', 'float32', ['batch', 4, 8]);
  const scaled = graph.node('Mul', [graph.node('MatMul', [x, graph.weight('w', [8, 8], 1)]), graph.scalar('scale', 0.35)]);
  const zeros = graph.node('ConstantOfShape', [graph.node('Shape', [scaled])]);
  const zeroBranch = graph.node('Mul', [zeros, graph.scalar('beta', 0)]);
  const scores = graph.node('Softmax', [graph.node('Add', [scaled, zeroBranch])], { axis: { i: -1 } });
  // x·0 is zero too, but not a ConstantOfShape fill: a real computation the rewrite must leave alone.
  const kept = graph.node('Add', [scores, graph.node('Mul', [x, graph.scalar('half', 0.5)])]);
  graph.node('Identity', [kept], {}, { outputs: ['scores'] });
  graph.output('scores', 'float32', ['batch', 4, 8]);
  await graph.write(file, { kind: 'external', fileName: 'weights.pb' });
}

function opTypes(bytes: Uint8Array): string[] {
  return (onnx.ModelProto.decode(bytes).graph?.node ?? []).map((node) => node.opType ?? '');
}

describe('zero-branch rewrite (generated baddbmm-like graph)', () => {
  let root: Awaited<ReturnType<typeof makeTempDir>>;
  let modelFile = '';
  let cacheDir = '';
  const feeds = (): Record<string, TensorInput> => ({ x: { data: randomFloats(2 * 4 * 8, 11, 3), dims: [2, 4, 8] } });

  beforeAll(async () => {
    root = await makeTempDir('zero-branch');
    modelFile = path.join(root.dir, 'unet', 'model.onnx');
    cacheDir = path.join(root.dir, 'cache');
    await writeAttentionLikeGraph(modelFile);
  });
  afterAll(async () => root.cleanup());

  it('loads a graph without the zero branch whose outputs equal the original bit for bit, and reuses it', async () => {
    const original = await createSession(modelFile, { ...cpuOptions, tuning: untouched });
    const expected = (await original.run(feeds()))['scores']!.data;
    await original.release();

    const { logger, lines } = memoryLogger();
    const first = await createSession(modelFile, { ...cpuOptions, cacheDir, logger });
    expect(maxAbsDiff((await first.run(feeds()))['scores']!.data, expected)).toBe(0);
    await first.release();
    expect(lines.find((line) => line['msg'] === 'onnx.model.rewritten')).toMatchObject({ removedBranches: 1 });

    const [entry] = await readdir(path.join(cacheDir, 'rewritten'));
    const rewritten = opTypes(await readFile(path.join(cacheDir, 'rewritten', entry!, 'model.onnx')));
    expect(rewritten).not.toContain('ConstantOfShape');
    expect(rewritten.filter((op) => op === 'Add')).toHaveLength(1);
    expect(opTypes(await readFile(modelFile))).toContain('ConstantOfShape');

    // The second load neither rewrites nor re-optimises: it opens the saved optimised graph.
    const second = await createSession(modelFile, { ...cpuOptions, cacheDir, logger });
    expect(maxAbsDiff((await second.run(feeds()))['scores']!.data, expected)).toBe(0);
    await second.release();
    expect(lines.filter((line) => line['msg'] === 'onnx.model.rewritten')).toHaveLength(1);
    expect(lines.filter((line) => line['msg'] === 'onnx.session.created').map((line) => line['optimizedGraph'])).toEqual(['saved', 'cache']);
  });

  it('leaves an Add whose other operand is not a zero fill, and a graph without the pattern, as they are', () => {
    const model = onnx.ModelProto.create({
      graph: {
        node: [
          { opType: 'Mul', input: ['a', 'zero'], output: ['m'] },
          { opType: 'Add', input: ['b', 'm'], output: ['y'] },
        ],
        initializer: [{ name: 'zero', dataType: onnx.TensorProto.DataType.FLOAT, dims: [], rawData: new Uint8Array(4) }],
        output: [{ name: 'y' }],
      },
    });
    expect(removeZeroAddBranches(model)).toEqual({ removedAdds: 0, prunedNodes: 0 });
    expect(model.graph?.node).toHaveLength(2);
  });
});

const legacyUnet = sharedPath('fixtures', 'models', 'tiny-sd15', 'unet', 'model.onnx');

describe(`zero-branch rewrite on the legacy tiny-sd15 UNet${sharedSkipReason}`, () => {
  let root: Awaited<ReturnType<typeof makeTempDir>>;
  beforeAll(async () => {
    root = await makeTempDir('zero-branch-sd15');
  });
  afterAll(async () => root?.cleanup());

  it.skipIf(!legacyUnet)('removes its 8 attention zero branches and predicts exactly the same noise at batch 1 and 2', async () => {
    const original = await createSession(legacyUnet!, { ...cpuOptions, tuning: untouched });
    const { logger, lines } = memoryLogger();
    const rewritten = await createSession(legacyUnet!, { ...cpuOptions, cacheDir: root.dir, logger, tuning: { cacheOptimizedGraph: false } });
    expect(lines.find((line) => line['msg'] === 'onnx.model.rewritten')).toMatchObject({ removedBranches: 8 });
    for (const batch of [1, 2]) {
      const feeds = (): Record<string, TensorInput> => ({
        sample: { data: randomFloats(batch * 4 * 8 * 8, 3), dims: [batch, 4, 8, 8] },
        timestep: { data: new Float32Array(batch).fill(501), dims: [batch] },
        encoder_hidden_states: { data: randomFloats(batch * 77 * 32, 4), dims: [batch, 77, 32] },
      });
      const expected = (await original.run(feeds()))['out_sample']!.data;
      expect(maxAbsDiff((await rewritten.run(feeds()))['out_sample']!.data, expected)).toBe(0);
    }
    await original.release();
    await rewritten.release();
  });
});
