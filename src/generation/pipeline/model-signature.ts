/**
 * What the pipeline learns from the sessions themselves rather than from folder names or
 * configs (shared notes §0): hidden size, LCM/SDXL extras, latent channels, which text encoder
 * output to read and how the VAE encoder returns latents.
 */
import type { IoInfo } from '../onnx/index.ts';
import { UnsupportedModelError } from './pipeline.errors.ts';

/** Facts about the UNet read from its declared inputs. */
export interface UnetSignature {
  /** Last dim of `encoder_hidden_states`: 768 SD1, 1024 SD2, 2048 SDXL; undefined when symbolic. */
  hiddenSize: number | undefined;
  /** Latent channels the UNet predicts (4). */
  latentChannels: number;
  /**
   * Channels of `sample`: 4, or 9 for an inpainting UNet (latents 4 + mask 1 + masked-image
   * latents 4, diffusers' `StableDiffusionInpaintPipeline` order).
   */
  inputChannels: 4 | 9;
  /** Width of `timestep_cond` (256) for LCM UNets; undefined otherwise. */
  timestepCondDim: number | undefined;
  /** Width of the pooled `text_embeds` input (1280) for SDXL UNets; undefined otherwise. */
  textEmbedsDim: number | undefined;
  /** Length of `time_ids`: 6 (base/turbo) or 5 (refiner, with an aesthetic score); undefined for non-SDXL. */
  timeIdsLength: number | undefined;
}

function staticDim(info: IoInfo | undefined, axis: number): number | undefined {
  const dim = info?.shape.at(axis);
  return typeof dim === 'number' && dim > 0 ? dim : undefined;
}

function findInput(inputs: readonly IoInfo[], name: string): IoInfo | undefined {
  return inputs.find((info) => info.name === name);
}

/**
 * Reads the UNet signature. `configChannels` (from `unet/config.json` `in_channels`) fills in a
 * symbolic channel dim (legacy exports leave it symbolic).
 * @throws UnsupportedModelError for x4-upscaler (7-channel) UNets and SDXL inpainting UNets.
 */
export function readUnetSignature(inputs: readonly IoInfo[], modelPath: string, configChannels: number | undefined): UnetSignature {
  const sample = findInput(inputs, 'sample');
  const hidden = findInput(inputs, 'encoder_hidden_states');
  if (!sample || !hidden || !findInput(inputs, 'timestep')) {
    throw new UnsupportedModelError(
      `${modelPath} is not a Stable Diffusion UNet (inputs: ${inputs.map((info) => info.name).join(', ')})`,
    );
  }
  const channels = staticDim(sample, 1) ?? configChannels ?? 4;
  if (channels === 7 || findInput(inputs, 'class_labels')) {
    throw new UnsupportedModelError(`${modelPath} is an x4 upscaler UNet; upscaler UNets are not supported as generation models`);
  }
  if (channels !== 4 && channels !== 9) {
    throw new UnsupportedModelError(`${modelPath} has a ${channels}-channel UNet; only 4-channel and 9-channel (inpainting) UNets are supported`);
  }
  const textEmbeds = findInput(inputs, 'text_embeds');
  const timeIds = findInput(inputs, 'time_ids');
  if (channels === 9 && (textEmbeds || timeIds)) {
    throw new UnsupportedModelError(`${modelPath} is an SDXL inpainting UNet; only SD 1.x/2.x inpainting UNets are supported`);
  }
  if ((textEmbeds === undefined) !== (timeIds === undefined)) {
    throw new UnsupportedModelError(`${modelPath}: an SDXL UNet needs both text_embeds and time_ids inputs`);
  }
  const timestepCond = findInput(inputs, 'timestep_cond');
  return {
    hiddenSize: staticDim(hidden, -1),
    latentChannels: 4,
    inputChannels: channels === 9 ? 9 : 4,
    timestepCondDim: timestepCond ? (staticDim(timestepCond, -1) ?? 256) : undefined,
    textEmbedsDim: textEmbeds ? staticDim(textEmbeds, -1) : undefined,
    timeIdsLength: timeIds ? (staticDim(timeIds, -1) ?? 6) : undefined,
  };
}

/** Which text encoder output holds the per-token embeddings the UNet wants. */
export interface TextEncoderSignature {
  /** Output name of the token embeddings: `last_hidden_state` (SD1/2) or `hidden_states.{n-2}` (SDXL). */
  hiddenOutput: string;
  /** `text_embeds` (projected pooled output) when the encoder has one; SDXL reads it from encoder 2. */
  pooledOutput: string | undefined;
}

/**
 * Picks the outputs to read. For SDXL (`penultimate`), diffusers uses `hidden_states[-2]`; the
 * index is worked out from how many `hidden_states.*` outputs the export has (never hard-coded).
 */
export function readTextEncoderSignature(outputs: readonly IoInfo[], modelPath: string, penultimate: boolean): TextEncoderSignature {
  const names = outputs.map((info) => info.name);
  const pooledOutput = names.includes('text_embeds') ? 'text_embeds' : undefined;
  if (penultimate) {
    const layers = names.filter((name) => /^hidden_states\.\d+$/.test(name)).length;
    const wanted = `hidden_states.${layers - 2}`;
    if (layers < 2 || !names.includes(wanted)) {
      throw new UnsupportedModelError(
        `${modelPath}: an SDXL text encoder must export its hidden states (hidden_states.0 … hidden_states.N); outputs: ${names.join(', ')}`,
      );
    }
    return { hiddenOutput: wanted, pooledOutput };
  }
  const hiddenOutput = names.includes('last_hidden_state') ? 'last_hidden_state' : names[0];
  if (hiddenOutput === undefined) throw new UnsupportedModelError(`${modelPath}: the text encoder has no outputs`);
  return { hiddenOutput, pooledOutput };
}

/** How the VAE encoder returns latents. */
export type VaeEncoderOutput =
  | { kind: 'sample'; name: string }
  | { kind: 'parameters'; name: string };

/**
 * `latent_sample` (already sampled inside the graph: legacy diffusers, Olive, Optimum < 1.23) vs
 * `latent_parameters` (mean ‖ logvar, 8 channels: Optimum ≥ 1.23).
 */
export function readVaeEncoderOutput(outputs: readonly IoInfo[], modelPath: string): VaeEncoderOutput {
  const names = outputs.map((info) => info.name);
  if (names.includes('latent_parameters')) return { kind: 'parameters', name: 'latent_parameters' };
  if (names.includes('latent_sample')) return { kind: 'sample', name: 'latent_sample' };
  const only = outputs[0];
  if (outputs.length === 1 && only) {
    // An unnamed single output: 8 channels are mean ‖ logvar, anything else a sampled latent.
    return staticDim(only, 1) === 8 ? { kind: 'parameters', name: only.name } : { kind: 'sample', name: only.name };
  }
  throw new UnsupportedModelError(`${modelPath}: unknown VAE encoder outputs (${names.join(', ')})`);
}
