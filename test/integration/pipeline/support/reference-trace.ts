/**
 * Records a pipeline run as a trace for scripts/pipeline-reference.py (the PyTorch replay of
 * diffusers' order of operations) and runs the replay.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ModelSession } from '../../../../src/generation/onnx/index.ts';
import type { ModelPart } from '../../../../src/generation/pipeline/pipeline-loader.ts';
import type { PipelineRequest } from '../../../../src/generation/pipeline/stable-diffusion.pipeline.ts';
import { projectRoot } from '../../../support/shared-dir.ts';
import { loadPipeline, noOptions, request } from './pipeline-harness.ts';

export const PYTHON = '/usr/bin/python3';

/** True when the Debian python3-torch the replay needs is installed. */
export function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

const base64 = (data: Float32Array): string => Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');

/** base64 little-endian float32 → Float32Array. */
export function fromBase64(text: string): Float32Array {
  const bytes = Buffer.from(text, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}

export interface Trace {
  seeds: readonly number[];
  steps: number;
  guidance: number;
  guided: boolean;
  latentShape: number[];
  scheduler: string;
  schedulerConfig: Record<string, unknown>;
  scalingFactor: number;
  img2img: { strength: number; encoderOutput: string | undefined } | undefined;
  unet: Array<{ sample: string; timestep: number; out: string }>;
  /** One base64 [1, 4, h, w] per image, as the pipeline fed the VAE decoder. */
  decoderInputs: string[];
  /** Text-encoder outputs (runs in order: positive, then negative) and the UNet's conditioning inputs. */
  conditioning: {
    sdxl: boolean;
    forceZerosForEmptyPrompt: boolean;
    /** undefined (absent in the JSON) when no negative prompt was given. */
    negativePrompt: string | undefined;
    width: number;
    height: number;
    textEncoders: Record<string, Array<Record<string, [string, number[]]>>>;
    /** Every output each text encoder declares (the replay counts `hidden_states.*` itself). */
    textEncoderOutputNames: Record<string, string[]>;
    unet: Record<string, [string, number[]]>;
  };
}

type Recorded = [string, number[]];
const recorded = (data: ArrayLike<number>, dims: readonly number[]): Recorded => [base64(Float32Array.from(data)), [...dims]];

/** Runs `overrides` on the model folder with every session recorded (copies: buffers are reused). */
export async function recordTrace(modelDir: string, overrides: Partial<PipelineRequest>): Promise<Trace> {
  const unet: Trace['unet'] = [];
  const decoderInputs: string[] = [];
  let encoderOutput: string | undefined;
  const textEncoders: Trace['conditioning']['textEncoders'] = {};
  const textEncoderOutputNames: Record<string, string[]> = {};
  let unetConditioning: Trace['conditioning']['unet'] | undefined;
  const hook = (part: ModelPart, session: ModelSession): ModelSession => ({
    path: session.path,
    provider: session.provider,
    inputs: session.inputs,
    outputs: session.outputs,
    hasInput: (name) => session.hasInput(name),
    release: () => session.release(),
    run: async (feeds, outputNames) => {
      const outputs = await session.run(feeds, outputNames);
      if (part === 'text_encoder' || part === 'text_encoder_2') {
        textEncoderOutputNames[part] = session.outputs.map((output) => output.name);
        const runs = (textEncoders[part] ??= []);
        runs.push(Object.fromEntries(Object.entries(outputs).map(([name, output]) => [name, recorded(output.data, output.dims)])));
      }
      if (part === 'unet') {
        unetConditioning ??= Object.fromEntries(
          ['encoder_hidden_states', 'text_embeds', 'time_ids', 'timestep_cond'].flatMap((name) => {
            const feed = feeds[name];
            return feed ? [[name, recorded(feed.data as Float32Array, feed.dims)]] : [];
          }),
        );
        unet.push({
          sample: base64(Float32Array.from(feeds['sample']!.data as Float32Array)),
          timestep: Number(feeds['timestep']!.data[0]),
          out: base64(Float32Array.from(outputs['out_sample']!.data)),
        });
      } else if (part === 'vae_decoder') {
        decoderInputs.push(base64(Float32Array.from(feeds['latent_sample']!.data as Float32Array)));
      } else if (part === 'vae_encoder') {
        encoderOutput = base64(Float32Array.from(outputs['latent_parameters']!.data));
      }
      return outputs;
    },
  });
  const pipeline = await loadPipeline(modelDir, { hook });
  const run = request(overrides);
  let scheduler: string;
  try {
    scheduler = (await pipeline.generate(run, noOptions)).scheduler;
  } finally {
    await pipeline.release();
  }
  return {
    seeds: run.seeds,
    steps: run.steps,
    guidance: run.guidance,
    // diffusers: `guidance_scale > 1 and unet.config.time_cond_proj_dim is None`.
    guided: run.guidance > 1 && !pipeline.isLcm,
    latentShape: [4, run.height / 8, run.width / 8],
    scheduler,
    schedulerConfig: pipeline.info.schedulerConfig,
    scalingFactor: pipeline.info.scalingFactor,
    img2img: run.initImage ? { strength: run.initImage.strength, encoderOutput } : undefined,
    unet,
    decoderInputs,
    conditioning: {
      sdxl: pipeline.isSdxl,
      forceZerosForEmptyPrompt: pipeline.info.forceZerosForEmptyPrompt,
      negativePrompt: run.negativePrompt,
      width: run.width,
      height: run.height,
      textEncoders,
      textEncoderOutputNames,
      unet: unetConditioning ?? {},
    },
  };
}

export interface ReplayReport {
  encoderHiddenStates: number;
  textEmbeds: number | undefined;
  timeIds: number | undefined;
  timestepCond: number | undefined;
  unetInput: number[];
  timestep: number[];
  decoderInput: number;
  decoderInputScale: number | undefined;
  referenceDecoderInput: string | undefined;
}

/** Replays a trace in PyTorch (scripts/pipeline-reference.py). */
export function replayInTorch(trace: Trace, workDir: string, name: string): ReplayReport {
  const file = path.join(workDir, `${name}.json`);
  writeFileSync(file, JSON.stringify(trace));
  const result = spawnSync(PYTHON, [path.join(projectRoot, 'scripts', 'pipeline-reference.py'), file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`pipeline-reference.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as ReplayReport;
}

/** A structured 64×64 init image for img2img cases. */
export function initPattern(): { width: number; height: number; pixels: Uint8Array } {
  return { width: 64, height: 64, pixels: new Uint8Array(64 * 64 * 3).map((_, index) => (index * 7) % 256) };
}

/** The runs checked against diffusers, on folders of shared/fixtures/models. */
export const REFERENCE_CASES: Record<string, { model: 'tiny-sd15-optimum' | 'tiny-sdxl'; request: Partial<PipelineRequest> }> = {
  'txt2img-euler-a-cfg-batch2': {
    model: 'tiny-sd15-optimum',
    request: { scheduler: 'euler-ancestral', seeds: [7, 8], steps: 4, guidance: 7.5, width: 96, height: 64 },
  },
  'txt2img-euler-guidance1': { model: 'tiny-sd15-optimum', request: { scheduler: 'euler', seeds: [123], steps: 3, guidance: 1 } },
  'img2img-euler-a-strength0.6': {
    model: 'tiny-sd15-optimum',
    request: { scheduler: 'euler-ancestral', seeds: [3, 4], steps: 5, guidance: 5, initImage: { image: initPattern(), strength: 0.6 } },
  },
  // No negative prompt given (negative_prompt=None): force_zeros_for_empty_prompt zeroes it.
  'sdxl-euler-no-negative-zeroed': {
    model: 'tiny-sdxl',
    request: { scheduler: undefined, seeds: [21, 22], steps: 3, guidance: 5, negativePrompt: undefined, width: 64, height: 96 },
  },
  'sdxl-euler-a-negative': {
    model: 'tiny-sdxl',
    request: { scheduler: 'euler-ancestral', seeds: [31], steps: 3, guidance: 6, negativePrompt: 'blurry, bad hands', width: 96, height: 64 },
  },
};
