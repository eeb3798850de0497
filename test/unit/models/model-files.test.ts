import { describe, expect, it } from 'vitest';
import { neededLocalPath } from '../../../src/generation/models/model-files.ts';

describe('neededLocalPath', () => {
  it('keeps the files the ONNX pipeline reads', () => {
    const kept = [
      'model_index.json',
      'scheduler/scheduler_config.json',
      'tokenizer/vocab.json',
      'tokenizer_2/merges.txt',
      'text_encoder/model.onnx',
      'text_encoder/config.json',
      'text_encoder_2/model.onnx.data',
      'unet/model.onnx',
      'unet/weights.pb',
      'unet/model.onnx_data',
      'vae_decoder/model.onnx',
      'vae_encoder/config.json',
      'safety_checker/model.onnx',
      'feature_extractor/preprocessor_config.json',
    ];
    for (const file of kept) expect(neededLocalPath(file, undefined)).toBe(file);
  });

  it('skips torch, flax and keras weights, folders the pipeline does not use, and repo clutter', () => {
    const skipped = [
      'unet/diffusion_pytorch_model.safetensors',
      'unet/diffusion_pytorch_model.fp16.safetensors',
      'text_encoder/pytorch_model.bin',
      'text_encoder/flax_model.msgpack',
      'text_encoder/tf_model.h5',
      'v1-5-pruned-emaonly.ckpt',
      'vae/diffusion_pytorch_model.safetensors',
      'vae/config.json',
      'controlnet/model.onnx',
      'README.md',
      '.gitattributes',
      'images/sample.png',
    ];
    for (const file of skipped) expect(neededLocalPath(file, undefined)).toBeUndefined();
  });

  it('strips the subfolder and ignores files outside it', () => {
    expect(neededLocalPath('onnx/unet/model.onnx', 'onnx')).toBe('unet/model.onnx');
    expect(neededLocalPath('onnx/model_index.json', 'onnx/')).toBe('model_index.json');
    expect(neededLocalPath('unet/model.onnx', 'onnx')).toBeUndefined();
    expect(neededLocalPath('onnx-old/unet/model.onnx', 'onnx')).toBeUndefined();
  });

  it('refuses paths that would leave the model folder', () => {
    expect(neededLocalPath('unet/../../etc/passwd', undefined)).toBeUndefined();
    expect(neededLocalPath('unet//model.onnx', undefined)).toBeUndefined();
    expect(neededLocalPath('unet/..\\..\\x.onnx', undefined)).toBeUndefined();
  });
});
