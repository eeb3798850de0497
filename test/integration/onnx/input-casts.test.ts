import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, type ModelSession, type TensorInput } from '../../../src/generation/onnx/index.ts';
import { buildFixtureModel, type FixtureVariant } from '../../fixtures/onnx/index.ts';
import { cpuOptions, makeTempDir, maxAbsDiff, promptIds, randomFloats } from './onnx-test-support.ts';

// Variants built with the same seed hold the same weights; only the declared I/O differs. So the
// same float32/int32 feeds must give the same numbers through every signature, which shows the
// layer cast and reshaped each input rather than the model tolerating it.
const variants = ['sd15-legacy', 'sd15-legacy-int64-timestep', 'sd15-optimum', 'sd15-fp16-olive'] as const;

describe('casts between export signatures with the same weights', () => {
  let root: { dir: string; cleanup: () => Promise<void> };
  const unets = {} as Record<(typeof variants)[number], ModelSession>;
  const encoders = {} as Record<(typeof variants)[number], ModelSession>;
  const decoders = {} as Record<(typeof variants)[number], ModelSession>;

  beforeAll(async () => {
    root = await makeTempDir('casts');
    for (const variant of variants) {
      const dir = await buildFixtureModel(path.join(root.dir, variant), variant as FixtureVariant, { withSafetyChecker: false });
      unets[variant] = await createSession(path.join(dir, 'unet', 'model.onnx'), cpuOptions);
      encoders[variant] = await createSession(path.join(dir, 'text_encoder', 'model.onnx'), cpuOptions);
      decoders[variant] = await createSession(path.join(dir, 'vae_decoder', 'model.onnx'), cpuOptions);
    }
  });

  afterAll(async () => {
    for (const session of [...Object.values(unets), ...Object.values(encoders), ...Object.values(decoders)]) await session.release();
    await root.cleanup();
  });

  const latents = { data: randomFloats(2 * 4 * 8 * 8, 11), dims: [2, 4, 8, 8] };
  const context = { data: randomFloats(2 * 77 * 32, 12), dims: [2, 77, 32] };
  const unetOutput = async (variant: (typeof variants)[number], timestep: TensorInput): Promise<Float32Array> =>
    (await unets[variant].run({ sample: latents, encoder_hidden_states: context, timestep }))['out_sample']?.data as Float32Array;

  it('feeds one float timestep as [batch] float, scalar float and [batch] int64 alike', async () => {
    const legacy = await unetOutput('sd15-legacy', { data: new Float32Array([500]), dims: [1] });
    const scalar = await unetOutput('sd15-optimum', { data: new Float32Array([500, 500]), dims: [2] });
    const int64 = await unetOutput('sd15-legacy-int64-timestep', { data: new Float32Array([500]), dims: [1] });
    expect(maxAbsDiff(legacy, scalar)).toBeLessThan(1e-6);
    expect(maxAbsDiff(legacy, int64)).toBeLessThan(1e-6);
  });

  it('truncates a fractional (Karras) timestep for an int64 UNet, as numpy does in diffusers', async () => {
    const truncated = await unetOutput('sd15-legacy-int64-timestep', { data: new Float32Array([499.6]), dims: [1] });
    const exact = await unetOutput('sd15-legacy', { data: new Float32Array([499]), dims: [1] });
    const neighbour = await unetOutput('sd15-legacy', { data: new Float32Array([500]), dims: [1] });
    expect(maxAbsDiff(truncated, exact)).toBeLessThan(1e-6);
    // The check can tell 499 from 500: a rounded timestep would fail the line above.
    expect(maxAbsDiff(truncated, neighbour)).toBeGreaterThan(1e-6);
  });

  it('gives an fp16-I/O UNet float32 in and float32 out, close to the fp32 model', async () => {
    const fp32 = await unetOutput('sd15-legacy', { data: new Float32Array([500]), dims: [1] });
    const fp16 = await unetOutput('sd15-fp16-olive', { data: new Float32Array([500]), dims: [1] });
    expect(fp16).toBeInstanceOf(Float32Array);
    expect(fp16).toHaveLength(fp32.length);
    const difference = maxAbsDiff(fp32, fp16);
    // Inputs and outputs went through binary16 (about 3 significant digits): close, not equal.
    expect(difference).toBeGreaterThan(0);
    expect(difference).toBeLessThan(2e-2);
  });

  it('feeds int32 ids to an int64 text encoder', async () => {
    const ids = { data: promptIds([320, 1125, 539, 320, 2368], 2), dims: [2, 77] };
    const int32Model = await encoders['sd15-legacy'].run({ input_ids: ids });
    const int64Model = await encoders['sd15-optimum'].run({ input_ids: ids });
    const fp16Model = await encoders['sd15-fp16-olive'].run({ input_ids: ids });
    const reference = int32Model['last_hidden_state']?.data as Float32Array;
    expect(maxAbsDiff(reference, int64Model['last_hidden_state']?.data as Float32Array)).toBeLessThan(1e-6);
    expect(maxAbsDiff(reference, fp16Model['last_hidden_state']?.data as Float32Array)).toBeLessThan(2e-3);
  });

  it('decodes float16 VAE output to float32 pixels', async () => {
    const feed = { latent_sample: { data: randomFloats(4 * 8 * 8, 13), dims: [1, 4, 8, 8] } };
    const fp32 = (await decoders['sd15-legacy'].run(feed))['sample']?.data as Float32Array;
    const fp16 = (await decoders['sd15-fp16-olive'].run(feed))['sample']?.data as Float32Array;
    expect(maxAbsDiff(fp32, fp16)).toBeLessThan(5e-3);
  });

  it('reuses cast buffers across steps without mixing up results', async () => {
    const a = await unetOutput('sd15-fp16-olive', { data: new Float32Array([900]), dims: [1] });
    const b = await unetOutput('sd15-fp16-olive', { data: new Float32Array([100]), dims: [1] });
    const again = await unetOutput('sd15-fp16-olive', { data: new Float32Array([900]), dims: [1] });
    expect(maxAbsDiff(a, b)).toBeGreaterThan(1e-3);
    expect(again).toEqual(a);
  });

  it('reports a missing input by name', async () => {
    await expect(unets['sd15-legacy'].run({ sample: latents, timestep: { data: new Float32Array([1]), dims: [1] } })).rejects.toThrow(
      /missing: \[encoder_hidden_states\]/,
    );
  });
});
