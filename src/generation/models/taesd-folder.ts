/**
 * TAESD folders (diffusers `AutoencoderTiny` exported to ONNX, e.g. `deinferno/taesd-onnx`):
 * `vae_decoder/model.onnx` (+ `vae_encoder/`) and a diffusers `config.json` in the root or next to
 * the decoder. What tells one apart from a legacy SD VAE (whose encoder output has the same name,
 * `latent_sample`) is the config: `_class_name: AutoencoderTiny`, `scaling_factor` 1.0. diffusers
 * decodes with `decoder(latents / scaling_factor)`, i.e. the raw UNet-space latents.
 */
import path from 'node:path';
import { fileSize, numberField, objectOrUndefined, readJsonObject, stringField } from './json-file.ts';

/** Which latents a TAESD decodes: SD 1.x/2.x (`taesd`) or SDXL (`taesdxl`); the two are not interchangeable. */
export type LatentSpace = 'sd' | 'sdxl';

/** A usable TAESD folder. */
export interface TaesdFolder {
  ok: true;
  dir: string;
  /** Shown in logs and written into PNG metadata (`VAE: taesd`): the folder's name. */
  name: string;
  decoder: string;
  /** undefined when the folder has no encoder (only the decoder is used). */
  encoder: string | undefined;
  /** From config.json; 1.0 for every TAESD diffusers ships. */
  scalingFactor: number;
}

/** Why a folder is not a usable TAESD. */
export interface TaesdProblem {
  ok: false;
  dir: string;
  message: string;
}

const CLASS_NAME = 'AutoencoderTiny';

/** Reads `dir` as a TAESD folder; a missing folder, a missing decoder or a config of another class is a problem. */
export async function inspectTaesdFolder(dir: string): Promise<TaesdFolder | TaesdProblem> {
  const decoder = path.join(dir, 'vae_decoder', 'model.onnx');
  if ((await fileSize(decoder)) === undefined) {
    return { ok: false, dir, message: `${dir} has no vae_decoder/model.onnx` };
  }
  let config: Record<string, unknown> | undefined;
  let configFile = '';
  for (const candidate of [path.join(dir, 'config.json'), path.join(dir, 'vae_decoder', 'config.json')]) {
    const read = await readJsonObject(candidate);
    if (read.kind === 'invalid') return { ok: false, dir, message: `${candidate} is not valid JSON (${read.reason})` };
    config = objectOrUndefined(read);
    configFile = candidate;
    if (config) break;
  }
  if (!config) {
    return { ok: false, dir, message: `${dir} has no config.json (a TAESD export carries diffusers' AutoencoderTiny config)` };
  }
  const className = stringField(config, '_class_name');
  if (className !== CLASS_NAME) {
    return { ok: false, dir, message: `${configFile} describes ${className ?? 'an unnamed class'}, not a TAESD (${CLASS_NAME})` };
  }
  const scalingFactor = numberField(config, 'scaling_factor') ?? 1;
  if (!(scalingFactor > 0)) return { ok: false, dir, message: `${configFile}: scaling_factor must be positive, got ${scalingFactor}` };
  const encoder = path.join(dir, 'vae_encoder', 'model.onnx');
  return {
    ok: true,
    dir,
    name: path.basename(path.resolve(dir)),
    decoder,
    encoder: (await fileSize(encoder)) === undefined ? undefined : encoder,
    scalingFactor,
  };
}
