import { describe, expect, it } from 'vitest';
import type { IoInfo } from '../../../src/generation/onnx/index.ts';
import {
  readTextEncoderSignature,
  readUnetSignature,
  readVaeEncoderOutput,
} from '../../../src/generation/pipeline/model-signature.ts';

const io = (name: string, shape: Array<number | string>, type = 'float32'): IoInfo => ({ name, type, shape });

const sdUnetInputs = [
  io('sample', ['batch', 'channels', 'height', 'width']),
  io('timestep', ['batch']),
  io('encoder_hidden_states', ['batch', 'sequence', 768]),
];

describe('UNet signature', () => {
  it('reads the hidden size and finds no SDXL / LCM extras on an SD1 UNet', () => {
    expect(readUnetSignature(sdUnetInputs, 'unet.onnx', undefined)).toEqual({
      hiddenSize: 768, latentChannels: 4, inputChannels: 4, timestepCondDim: undefined, textEmbedsDim: undefined, timeIdsLength: undefined,
    });
  });

  it('recognises SDXL and LCM inputs', () => {
    const signature = readUnetSignature(
      [...sdUnetInputs, io('text_embeds', ['batch', 1280]), io('time_ids', ['batch', 6]), io('timestep_cond', ['batch', 256])],
      'unet.onnx',
      undefined,
    );
    expect(signature.textEmbedsDim).toBe(1280);
    expect(signature.timeIdsLength).toBe(6);
    expect(signature.timestepCondDim).toBe(256);
  });

  it('recognises a 9-channel inpainting UNet from its sample input or unet/config.json', () => {
    const inpaint = [io('sample', ['batch', 9, 'h', 'w']), ...sdUnetInputs.slice(1)];
    expect(readUnetSignature(inpaint, 'unet.onnx', undefined)).toMatchObject({ latentChannels: 4, inputChannels: 9 });
    expect(readUnetSignature(sdUnetInputs, 'unet.onnx', 9).inputChannels).toBe(9);
    const sdxlInpaint = [...inpaint, io('text_embeds', ['batch', 1280]), io('time_ids', ['batch', 6])];
    expect(() => readUnetSignature(sdxlInpaint, 'unet.onnx', undefined)).toThrow(/SDXL inpainting/);
  });

  it('refuses upscaler UNets with a clear message', () => {
    const upscaler = [io('sample', ['batch', 7, 'h', 'w']), ...sdUnetInputs.slice(1), io('class_labels', ['batch'], 'int64')];
    expect(() => readUnetSignature(upscaler, 'unet.onnx', undefined)).toThrow(/upscaler/);
  });
});

describe('text encoder outputs', () => {
  const sdxlOutputs = (layers: number) => [
    io('text_embeds', ['batch', 1280]),
    io('last_hidden_state', ['batch', 'sequence', 1280]),
    ...Array.from({ length: layers + 1 }, (_, index) => io(`hidden_states.${index}`, ['batch', 'sequence', 1280])),
  ];

  it('takes hidden_states[-2] for SDXL, counting the exported layers', () => {
    // 32 layers → hidden_states.0 … .32 → penultimate = .31 (what diffusers reads for SDXL base).
    expect(readTextEncoderSignature(sdxlOutputs(32), 'te2', true)).toEqual({ hiddenOutput: 'hidden_states.31', pooledOutput: 'text_embeds' });
    expect(readTextEncoderSignature(sdxlOutputs(5), 'te2', true).hiddenOutput).toBe('hidden_states.4');
  });

  it('takes last_hidden_state for SD1/SD2', () => {
    const outputs = [io('last_hidden_state', ['b', 's', 768]), io('pooler_output', ['b', 768])];
    expect(readTextEncoderSignature(outputs, 'te', false)).toEqual({ hiddenOutput: 'last_hidden_state', pooledOutput: undefined });
  });
});

describe('VAE encoder output', () => {
  it('tells a sampled latent from mean‖logvar parameters', () => {
    expect(readVaeEncoderOutput([io('latent_sample', ['b', 4, 'h', 'w'])], 'vae').kind).toBe('sample');
    expect(readVaeEncoderOutput([io('latent_parameters', ['b', 8, 'h', 'w'])], 'vae').kind).toBe('parameters');
  });
});
