import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, type ModelSession } from '../../../src/generation/onnx/index.ts';
import { buildFixtureModel, FIXTURE_VARIANTS, VARIANT_SPECS, type FixtureVariant } from '../../fixtures/onnx/index.ts';
import { cpuOptions, makeTempDir, maxAbsDiff, promptIds, randomFloats } from './onnx-test-support.ts';

const runnable = FIXTURE_VARIANTS.filter((variant) => variant !== 'gpu-only');

// Every fixture variant, loaded through the layer and fed the pipeline's natural types
// (float32 tensors, int32 ids, one float timestep); the layer must adapt to each signature.
describe.each(runnable)('fixture %s through createSession/run', (variant: FixtureVariant) => {
  const spec = VARIANT_SPECS[variant];
  const sdxl = spec.family === 'sdxl';
  let root: { dir: string; cleanup: () => Promise<void> };
  const sessions: Record<string, ModelSession> = {};
  let hidden = 0;

  beforeAll(async () => {
    root = await makeTempDir(variant);
    await buildFixtureModel(root.dir, variant, {});
    const parts = ['text_encoder', 'unet', 'vae_encoder', 'vae_decoder', ...(sdxl ? ['text_encoder_2'] : [])];
    for (const part of parts) sessions[part] = await createSession(path.join(root.dir, part, 'model.onnx'), cpuOptions);
    const context = sessions['unet']?.inputs.find((info) => info.name === 'encoder_hidden_states');
    hidden = Number(context?.shape[2]);
  });

  afterAll(async () => {
    await Promise.all(Object.values(sessions).map((session) => session.release()));
    await root.cleanup();
  });

  it('declares the signature of its exporter', () => {
    const unet = sessions['unet'];
    const inputType = (session: ModelSession | undefined, name: string): string | undefined =>
      session?.inputs.find((info) => info.name === name)?.type;
    expect(inputType(sessions['text_encoder'], 'input_ids')).toBe(spec.idsType);
    expect(inputType(unet, 'timestep')).toBe(spec.timestep.type);
    expect(unet?.inputs.find((info) => info.name === 'timestep')?.shape.length).toBe(spec.timestep.shape === 'scalar' ? 0 : 1);
    expect(inputType(unet, 'sample')).toBe(spec.floatType);
    expect(sessions['vae_encoder']?.outputs.map((info) => info.name)).toEqual([spec.encoderOutput]);
    expect(unet?.hasInput('timestep_cond')).toBe(spec.lcm);
    expect(unet?.hasInput('text_embeds')).toBe(sdxl);
  });

  it('encodes int32 ids into float32 embeddings that depend on the prompt', async () => {
    const encoder = sessions['text_encoder'] as ModelSession;
    const first = await encoder.run({ input_ids: { data: promptIds([320, 1125, 539]), dims: [1, 77] } });
    const second = await encoder.run({ input_ids: { data: promptIds([320, 2368]), dims: [1, 77] } });
    const last = first['last_hidden_state'];
    expect(last?.data).toBeInstanceOf(Float32Array);
    expect(last?.dims).toEqual([1, 77, sdxl ? hidden / 2 : hidden]);
    expect(maxAbsDiff(last?.data as Float32Array, second['last_hidden_state']?.data as Float32Array)).toBeGreaterThan(1e-3);
    if (sdxl) expect(Object.keys(first).filter((name) => name.startsWith('hidden_states.'))).toHaveLength(4);
  });

  it('runs a batch-2 UNet step from one float timestep, and the timestep matters', async () => {
    const unet = sessions['unet'] as ModelSession;
    const feeds = {
      sample: { data: randomFloats(2 * 4 * 8 * 8, 1), dims: [2, 4, 8, 8] },
      encoder_hidden_states: { data: randomFloats(2 * 77 * hidden, 2), dims: [2, 77, hidden] },
      ...(sdxl
        ? {
            text_embeds: { data: randomFloats(2 * (hidden / 2), 3), dims: [2, hidden / 2] },
            time_ids: { data: Float32Array.from([64, 64, 0, 0, 64, 64, 64, 64, 0, 0, 64, 64]), dims: [2, 6] },
          }
        : {}),
      ...(spec.lcm ? { timestep_cond: { data: randomFloats(2 * 256, 4), dims: [2, 256] } } : {}),
    };
    const early = await unet.run({ ...feeds, timestep: { data: new Float32Array([981]), dims: [1] } });
    const late = await unet.run({ ...feeds, timestep: { data: new Float32Array([21]), dims: [1] } });
    expect(early['out_sample']?.dims).toEqual([2, 4, 8, 8]);
    expect(early['out_sample']?.data).toBeInstanceOf(Float32Array);
    expect(maxAbsDiff(early['out_sample']?.data as Float32Array, late['out_sample']?.data as Float32Array)).toBeGreaterThan(1e-3);
  });

  it('encodes a 64×64 image to 8×8 latents and decodes back to 64×64 pixels in (-1, 1)', async () => {
    const encoded = await (sessions['vae_encoder'] as ModelSession).run({ sample: { data: randomFloats(3 * 64 * 64, 5), dims: [1, 3, 64, 64] } });
    expect(encoded[spec.encoderOutput]?.dims).toEqual([1, spec.encoderOutput === 'latent_parameters' ? 8 : 4, 8, 8]);
    const decoded = await (sessions['vae_decoder'] as ModelSession).run({ latent_sample: { data: randomFloats(4 * 8 * 8, 6), dims: [1, 4, 8, 8] } });
    const pixels = decoded['sample'];
    expect(pixels?.dims).toEqual([1, 3, 64, 64]);
    expect(Math.max(...(pixels?.data ?? []).map(Math.abs))).toBeLessThanOrEqual(1);
  });
});
