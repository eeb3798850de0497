import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createSession, type ModelSession, type TensorInput } from '../../../src/generation/onnx/index.ts';
import { sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { cpuOptions, maxAbsDiff, promptIds, randomFloats } from './onnx-test-support.ts';

// The folders in shared/fixtures/models were exported from the real diffusers architectures by the
// real exporter code paths (see their README); the layer must load and feed all of them.
const modelsDir = sharedPath('fixtures', 'models');
const open: ModelSession[] = [];

async function load(folder: string, part: string): Promise<ModelSession> {
  const session = await createSession(path.join(modelsDir ?? '', folder, part, 'model.onnx'), cpuOptions);
  open.push(session);
  return session;
}

const latents = (batch: number): TensorInput => ({ data: randomFloats(batch * 4 * 8 * 8, 21), dims: [batch, 4, 8, 8] });
const context = (batch: number, width: number): TensorInput => ({ data: randomFloats(batch * 77 * width, 22), dims: [batch, 77, width] });
const ids: TensorInput = { data: promptIds([320, 1125, 539, 320, 2368], 2), dims: [2, 77] };

describe.skipIf(!modelsDir)('shared real-architecture model folders' + sharedSkipReason, () => {
  afterAll(async () => {
    await Promise.all(open.map((session) => session.release()));
  });

  it('tiny-sd15 (legacy) and tiny-sd15-optimum give the same numbers through their different signatures', async () => {
    const legacyEncoder = await load('tiny-sd15', 'text_encoder');
    const optimumEncoder = await load('tiny-sd15-optimum', 'text_encoder');
    expect(legacyEncoder.inputs[0]?.type).toBe('int32');
    expect(optimumEncoder.inputs[0]?.type).toBe('int64');
    const fromLegacy = await legacyEncoder.run({ input_ids: ids });
    const fromOptimum = await optimumEncoder.run({ input_ids: ids });
    expect(fromLegacy['last_hidden_state']?.dims).toEqual([2, 77, 32]);
    expect(fromLegacy['pooler_output']?.dims).toEqual([2, 32]);
    expect(maxAbsDiff(fromLegacy['last_hidden_state']?.data as Float32Array, fromOptimum['last_hidden_state']?.data as Float32Array)).toBeLessThan(1e-5);

    // Legacy UNet: timestep f32 [batch] + weights.pb; Optimum: scalar timestep + model.onnx_data.
    const legacyUnet = await load('tiny-sd15', 'unet');
    const optimumUnet = await load('tiny-sd15-optimum', 'unet');
    expect(legacyUnet.inputs.find((info) => info.name === 'timestep')?.shape).toEqual(['batch']);
    expect(optimumUnet.inputs.find((info) => info.name === 'timestep')?.shape).toEqual([]);
    const feeds = { sample: latents(2), encoder_hidden_states: context(2, 32), timestep: { data: new Float32Array([741]), dims: [1] } };
    const legacyNoise = (await legacyUnet.run(feeds))['out_sample'];
    const optimumNoise = (await optimumUnet.run(feeds))['out_sample'];
    expect(legacyNoise?.dims).toEqual([2, 4, 8, 8]);
    expect(maxAbsDiff(legacyNoise?.data as Float32Array, optimumNoise?.data as Float32Array)).toBeLessThan(1e-4);
  });

  it('runs both VAE encoder conventions and the decoders', async () => {
    const image: TensorInput = { data: randomFloats(3 * 64 * 96, 23), dims: [1, 3, 64, 96] };
    const sampled = await (await load('tiny-sd15', 'vae_encoder')).run({ sample: image });
    expect(sampled['latent_sample']?.dims).toEqual([1, 4, 8, 12]);
    const parameters = await (await load('tiny-sd15-optimum', 'vae_encoder')).run({ sample: image });
    expect(parameters['latent_parameters']?.dims).toEqual([1, 8, 8, 12]);
    for (const folder of ['tiny-sd15', 'tiny-sd15-optimum', 'tiny-sdxl']) {
      const decoded = await (await load(folder, 'vae_decoder')).run({ latent_sample: latents(1) });
      expect(decoded['sample']?.dims).toEqual([1, 3, 64, 64]);
    }
  });

  it('tiny-sdxl: two encoders with hidden_states, and a UNet with text_embeds and time_ids', async () => {
    const first = await load('tiny-sdxl', 'text_encoder');
    const second = await load('tiny-sdxl', 'text_encoder_2');
    const firstOut = await first.run({ input_ids: ids });
    const secondOut = await second.run({ input_ids: ids });
    const hiddenCount = (outputs: Record<string, unknown>): number => Object.keys(outputs).filter((name) => name.startsWith('hidden_states.')).length;
    expect(hiddenCount(firstOut)).toBe(4);
    expect(hiddenCount(secondOut)).toBe(6);
    expect(secondOut['text_embeds']?.dims).toEqual([2, 16]);
    expect(secondOut['hidden_states.4']?.dims).toEqual([2, 77, 16]);

    const unet = await load('tiny-sdxl', 'unet');
    expect(unet.inputs.map((info) => info.name)).toEqual(['sample', 'timestep', 'encoder_hidden_states', 'text_embeds', 'time_ids']);
    const timeIds = Float32Array.from([64, 64, 0, 0, 64, 64, 64, 64, 0, 0, 64, 64]);
    const feeds = {
      sample: latents(2),
      timestep: { data: new Float32Array([999]), dims: [1] },
      encoder_hidden_states: context(2, 32),
      text_embeds: { data: secondOut['text_embeds']?.data as Float32Array, dims: [2, 16] },
      time_ids: { data: timeIds, dims: [2, 6] },
    };
    const noise = await unet.run(feeds);
    expect(noise['out_sample']?.dims).toEqual([2, 4, 8, 8]);
    const otherSize = await unet.run({ ...feeds, time_ids: { data: timeIds.map((value) => value * 2), dims: [2, 6] } });
    expect(maxAbsDiff(noise['out_sample']?.data as Float32Array, otherSize['out_sample']?.data as Float32Array)).toBeGreaterThan(0);
  });
});
