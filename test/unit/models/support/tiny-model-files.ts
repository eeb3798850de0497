import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * Builds the files of a small diffusers-style ONNX folder in memory. Configs, scheduler and tokenizer
 * files have the real shapes; the .onnx / weight files are deterministic filler bytes (detection and
 * download are file-based, nothing here is loaded by onnxruntime).
 */
export interface TinyModelOptions {
  /** legacy = diffusers script (no per-part config, unet/weights.pb); optimum = config.json per part, model.onnx_data. */
  layout: 'legacy' | 'optimum';
  family: 'sd1' | 'sd2' | 'sdxl' | 'lcm';
  /** Size of the UNet's external weights file. */
  unetDataBytes: number;
  schedulerClass: string;
  predictionType: 'epsilon' | 'v_prediction';
  /** Add torch/flax weights, a vae/ folder, README and .gitattributes, as mixed repos have. */
  torchExtras: boolean;
  safetyChecker: boolean;
}

export const defaultTinyModel: TinyModelOptions = {
  layout: 'optimum',
  family: 'sd1',
  unetDataBytes: 64 * 1024,
  schedulerClass: 'PNDMScheduler',
  predictionType: 'epsilon',
  torchExtras: false,
  safetyChecker: false,
};

/** Deterministic filler bytes, different per file name. */
export function fillerBytes(length: number, label: string): Buffer {
  const bytes = Buffer.alloc(length);
  let state = [...label].reduce((hash, char) => (hash * 31 + char.charCodeAt(0)) >>> 0, 2166136261);
  for (let index = 0; index < length; index += 1) {
    state = (state * 1664525 + 1013904223) >>> 0;
    bytes[index] = state >>> 24;
  }
  return bytes;
}

const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value, null, 2));

export function tinyModelFiles(overrides: Partial<TinyModelOptions> = {}): Map<string, Buffer> {
  const options = { ...defaultTinyModel, ...overrides };
  const sdxl = options.family === 'sdxl';
  const hidden = options.family === 'sd2' ? 1024 : 768;
  const files = new Map<string, Buffer>();
  const onnx = (part: string, size = 2048): void => {
    files.set(`${part}/model.onnx`, fillerBytes(size, `${part}/model.onnx`));
  };
  files.set('model_index.json', json({
    _class_name: sdxl ? 'StableDiffusionXLPipeline' : options.layout === 'legacy' ? 'OnnxStableDiffusionPipeline' : 'StableDiffusionPipeline',
    _diffusers_version: '0.35.2',
    ...(sdxl ? { force_zeros_for_empty_prompt: true } : {}),
  }));
  files.set('scheduler/scheduler_config.json', json({
    _class_name: options.schedulerClass,
    beta_end: 0.012,
    beta_schedule: 'scaled_linear',
    beta_start: 0.00085,
    num_train_timesteps: 1000,
    prediction_type: options.predictionType,
    steps_offset: 1,
  }));
  for (const tokenizer of sdxl ? ['tokenizer', 'tokenizer_2'] : ['tokenizer']) {
    files.set(`${tokenizer}/vocab.json`, json({ '<|startoftext|>': 49406, '<|endoftext|>': 49407, 'a</w>': 320 }));
    files.set(`${tokenizer}/merges.txt`, Buffer.from('#version: 0.2\na </w>\n'));
    files.set(`${tokenizer}/special_tokens_map.json`, json({ pad_token: tokenizer === 'tokenizer_2' ? '!' : '<|endoftext|>' }));
  }
  onnx('text_encoder', 4096);
  if (sdxl) onnx('text_encoder_2', 4096);
  onnx('unet');
  onnx('vae_encoder');
  onnx('vae_decoder');
  if (options.safetyChecker) onnx('safety_checker');
  const unetData = options.layout === 'legacy' ? 'unet/weights.pb' : 'unet/model.onnx_data';
  files.set(unetData, fillerBytes(options.unetDataBytes, unetData));
  if (options.layout === 'optimum') {
    files.set('text_encoder/config.json', json({ architectures: ['CLIPTextModel'], hidden_size: hidden }));
    files.set('unet/config.json', json({
      _class_name: 'UNet2DConditionModel',
      cross_attention_dim: sdxl ? 2048 : hidden,
      sample_size: sdxl ? 128 : options.family === 'sd2' && options.predictionType === 'v_prediction' ? 96 : 64,
      time_cond_proj_dim: options.family === 'lcm' ? 256 : null,
      addition_embed_type: sdxl ? 'text_time' : null,
    }));
    for (const vae of ['vae_encoder', 'vae_decoder']) {
      files.set(`${vae}/config.json`, json({ _class_name: 'AutoencoderKL', scaling_factor: sdxl ? 0.13025 : 0.18215 }));
    }
  }
  if (options.torchExtras) {
    files.set('README.md', Buffer.from('# tiny model\n'));
    files.set('.gitattributes', Buffer.from('*.onnx_data filter=lfs\n'));
    files.set('unet/diffusion_pytorch_model.safetensors', fillerBytes(8192, 'unet torch'));
    files.set('text_encoder/model.safetensors', fillerBytes(4096, 'te torch'));
    files.set('text_encoder/pytorch_model.bin', fillerBytes(4096, 'te bin'));
    files.set('text_encoder/flax_model.msgpack', fillerBytes(1024, 'te flax'));
    files.set('vae/config.json', json({ _class_name: 'AutoencoderKL' }));
    files.set('vae/diffusion_pytorch_model.safetensors', fillerBytes(4096, 'vae torch'));
    files.set('v1-5-pruned.ckpt', fillerBytes(4096, 'ckpt'));
  }
  return files;
}

/** Writes files (relative path → bytes) under `dir`. */
export async function writeFiles(dir: string, files: Map<string, Buffer>): Promise<void> {
  for (const [relative, bytes] of files) {
    await mkdir(path.dirname(path.join(dir, relative)), { recursive: true });
    await writeFile(path.join(dir, relative), bytes);
  }
}
