import path from 'node:path';
import type { SchedulerName } from '../engine.types.ts';
import {
  defaultResolution,
  defaultScalingFactor,
  schedulerFromClassName,
  type PredictionType,
} from './family-defaults.ts';
import { detectFamily, type FamilySource } from './family-detection.ts';
import { fileSize, isDirectory, numberField, objectOrUndefined, readJsonObject, stringField } from './json-file.ts';
import { modelProblem, type ModelFamily, type ModelProblem } from './model.types.ts';

/** Absolute paths of the parts of a diffusers ONNX folder. Optional parts are undefined when absent. */
export interface ModelParts {
  textEncoder: string;
  textEncoder2: string | undefined;
  unet: string;
  vaeEncoder: string | undefined;
  vaeDecoder: string;
  safetyChecker: string | undefined;
  /** Tokenizer directories (vocab.json + merges.txt, or tokenizer.json). */
  tokenizer: string;
  tokenizer2: string | undefined;
  featureExtractor: string | undefined;
}

/** Everything the file system says about a model folder. Session facts (dtypes, `timestep_cond`) come later. */
export interface ModelFolderInfo {
  ok: true;
  /** Absolute folder path. */
  dir: string;
  family: ModelFamily;
  /** Where the family came from; `assumed` means sd1 by default, to be corrected from the UNet's inputs. */
  familySource: FamilySource;
  /** In words, e.g. "text_encoder/config.json hidden_size 1024". */
  familyEvidence: string;
  /** LCM hint from `unet/config.json` `time_cond_proj_dim` or an LCMScheduler config. */
  lcm: boolean;
  parts: ModelParts;
  /** External weight files present, relative to the folder (`unet/weights.pb`, `unet/model.onnx_data`…). */
  externalDataFiles: string[];
  scalingFactor: number;
  scalingFactorSource: 'vae_decoder/config.json' | 'family default';
  /** Native square size in pixels (`unet/config.json` sample_size × 8, else the family default). */
  sampleSize: number;
  predictionType: PredictionType;
  /** `scheduler/scheduler_config.json` as parsed, for the scheduler factory. */
  schedulerConfig: Record<string, unknown>;
  schedulerClassName: string | undefined;
  /** Our scheduler matching the folder's scheduler class; undefined when we have no equivalent. */
  defaultScheduler: SchedulerName | undefined;
  /** SDXL only: an empty negative prompt means zero embeddings (model_index.json, default true); false otherwise. */
  forceZerosForEmptyPrompt: boolean;
  /** Things a person may want to know, e.g. a catalog family that disagrees with the folder. */
  warnings: string[];
}

/** Options for {@link inspectModelFolder}. */
export interface InspectOptions {
  /** Family from the catalog entry, the only source for SD-Turbo / SDXL-Turbo. */
  catalogFamily: ModelFamily | undefined;
}

const EXTERNAL_DATA_NAMES = ['weights.pb', 'model.onnx_data', 'model.onnx.data'];
const ONNX_PARTS = ['text_encoder', 'text_encoder_2', 'unet', 'vae_encoder', 'vae_decoder', 'safety_checker'];

/**
 * Inspects a diffusers-style ONNX model folder (legacy diffusers script, Optimum, Olive, OnnxStack) from
 * the file system only. Sub-folders are probed rather than trusting model_index.json, whose class names
 * differ between exporters. Missing required files come back as a `file_missing` problem naming them.
 */
export async function inspectModelFolder(
  dir: string,
  options: InspectOptions = { catalogFamily: undefined },
): Promise<ModelFolderInfo | ModelProblem> {
  const root = path.resolve(dir);
  if (!(await isDirectory(root))) {
    return modelProblem('folder_missing', `model folder ${dir} does not exist`);
  }
  const at = (relative: string): string => path.join(root, relative);
  const exists = async (relative: string): Promise<boolean> => (await fileSize(at(relative))) !== undefined;

  const sdxl = await isDirectory(at('text_encoder_2'));
  const required = ['unet/model.onnx', 'text_encoder/model.onnx', 'vae_decoder/model.onnx', 'scheduler/scheduler_config.json'];
  if (sdxl) required.push('text_encoder_2/model.onnx');
  const missing: string[] = [];
  for (const relative of required) if (!(await exists(relative))) missing.push(relative);
  for (const tokenizerDir of sdxl ? ['tokenizer', 'tokenizer_2'] : ['tokenizer']) {
    const hasBpe = (await exists(`${tokenizerDir}/vocab.json`)) && (await exists(`${tokenizerDir}/merges.txt`));
    if (!hasBpe && !(await exists(`${tokenizerDir}/tokenizer.json`))) missing.push(`${tokenizerDir}/vocab.json`);
  }
  if (missing.length > 0) return missingFilesProblem(dir, missing, await exists('unet/diffusion_pytorch_model.safetensors'));

  const configs = {
    modelIndex: await readJsonObject(at('model_index.json')),
    scheduler: await readJsonObject(at('scheduler/scheduler_config.json')),
    textEncoder: await readJsonObject(at('text_encoder/config.json')),
    unet: await readJsonObject(at('unet/config.json')),
    vaeDecoder: await readJsonObject(at('vae_decoder/config.json')),
  };
  for (const [name, result] of Object.entries(configs)) {
    if (result.kind === 'invalid') {
      return modelProblem('invalid_json', `${configFileName(name)} in ${dir} is not valid JSON (${result.reason})`);
    }
  }
  const schedulerConfig = objectOrUndefined(configs.scheduler) ?? {};
  const unetConfig = objectOrUndefined(configs.unet);
  const schedulerClassName = stringField(schedulerConfig, '_class_name');
  const lcm = numberField(unetConfig, 'time_cond_proj_dim') !== undefined || schedulerClassName === 'LCMScheduler';
  const detected = detectFamily({
    sdxl,
    lcm,
    textEncoderConfig: objectOrUndefined(configs.textEncoder),
    unetConfig,
    catalogFamily: options.catalogFamily,
  });

  const predictionType = parsePredictionType(stringField(schedulerConfig, 'prediction_type'));
  const configScaling = numberField(objectOrUndefined(configs.vaeDecoder), 'scaling_factor');
  const unetSampleSize = numberField(unetConfig, 'sample_size');
  const defaultScheduler = schedulerFromClassName(schedulerClassName, schedulerConfig['use_karras_sigmas'] === true);
  const warnings = [...detected.warnings];
  if (defaultScheduler === undefined) {
    warnings.push(`scheduler class ${schedulerClassName ?? '(none)'} has no Darkroom equivalent; pick a scheduler explicitly`);
  }
  const optionalFile = async (relative: string): Promise<string | undefined> =>
    (await exists(relative)) ? at(relative) : undefined;
  const optionalDir = async (relative: string): Promise<string | undefined> =>
    (await isDirectory(at(relative))) ? at(relative) : undefined;

  return {
    ok: true,
    dir: root,
    family: detected.family,
    familySource: detected.source,
    familyEvidence: detected.evidence,
    lcm,
    parts: {
      textEncoder: at('text_encoder/model.onnx'),
      textEncoder2: sdxl ? at('text_encoder_2/model.onnx') : undefined,
      unet: at('unet/model.onnx'),
      vaeEncoder: await optionalFile('vae_encoder/model.onnx'),
      vaeDecoder: at('vae_decoder/model.onnx'),
      safetyChecker: await optionalFile('safety_checker/model.onnx'),
      tokenizer: at('tokenizer'),
      tokenizer2: sdxl ? at('tokenizer_2') : undefined,
      featureExtractor: await optionalDir('feature_extractor'),
    },
    externalDataFiles: await findExternalData(exists),
    scalingFactor: configScaling ?? defaultScalingFactor(detected.family),
    scalingFactorSource: configScaling === undefined ? 'family default' : 'vae_decoder/config.json',
    sampleSize: unetSampleSize === undefined ? defaultResolution(detected.family, predictionType) : unetSampleSize * 8,
    predictionType,
    schedulerConfig,
    schedulerClassName,
    defaultScheduler,
    forceZerosForEmptyPrompt: sdxl && objectOrUndefined(configs.modelIndex)?.['force_zeros_for_empty_prompt'] !== false,
    warnings,
  };
}

function missingFilesProblem(dir: string, missing: string[], hasTorchUnet: boolean): ModelProblem {
  const hint = hasTorchUnet
    ? 'this looks like a PyTorch (safetensors) folder; Darkroom needs an ONNX export'
    : 'is this a diffusers ONNX folder?';
  return modelProblem('file_missing', `${missing.join(', ')} missing in ${dir} — ${hint}`);
}

function configFileName(key: string): string {
  const names: Record<string, string> = {
    modelIndex: 'model_index.json',
    scheduler: 'scheduler/scheduler_config.json',
    textEncoder: 'text_encoder/config.json',
    unet: 'unet/config.json',
    vaeDecoder: 'vae_decoder/config.json',
  };
  return names[key] ?? key;
}

function parsePredictionType(value: string | undefined): PredictionType {
  return value === 'v_prediction' || value === 'sample' ? value : 'epsilon';
}

async function findExternalData(exists: (relative: string) => Promise<boolean>): Promise<string[]> {
  const found: string[] = [];
  for (const part of ONNX_PARTS) {
    for (const name of EXTERNAL_DATA_NAMES) {
      if (await exists(`${part}/${name}`)) found.push(`${part}/${name}`);
    }
  }
  return found;
}
