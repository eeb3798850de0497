/**
 * Opens the sessions of a diffusers ONNX folder and reads the facts the pipeline runs on from
 * the sessions themselves (shared notes §0): SDXL extras, LCM `timestep_cond`, hidden size,
 * latent channels. Folder inspection (family, scaling factor, scheduler config) comes from
 * `src/generation/models`; where the two disagree, the sessions win.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { inspectModelFolder, type ModelFolderInfo } from '../models/model-folder.ts';
import type { ModelFamily } from '../models/model.types.ts';
import { createSession, type ExecutionProviderChoice, type ModelSession, type SessionTuningOptions } from '../onnx/index.ts';
import { ClipTokenizer } from '../tokenizer/clip.tokenizer.ts';
import {
  readTextEncoderSignature,
  readUnetSignature,
  type UnetSignature,
} from './model-signature.ts';
import { ModelUnavailableError, UnsupportedModelError } from './pipeline.errors.ts';
import { readClipPreprocessing, type ClipPreprocessing } from './safety-checker.ts';
import type { PromptEncoder } from './text-conditioning.ts';
import type { CfgBatching } from './unet-runner.ts';
import type { DecoderSetup } from './decoder-choice.ts';
import type { TaesdFolder } from '../models/taesd-folder.ts';

/** How to open a model folder. */
export interface PipelineLoadOptions {
  provider: ExecutionProviderChoice;
  /** Intra-op threads; undefined = all cores. */
  threads: number | undefined;
  logger: Logger | undefined;
  /** CFG as one batch-2 UNet run (`batched`, diffusers), batch-1 runs (`sequential`, less memory), or `auto` (sequential on CPU). */
  cfgBatching: CfgBatching;
  /** Family from the catalog (the only source for SD-Turbo / SDXL-Turbo); undefined for a bare folder. */
  catalogFamily: ModelFamily | undefined;
  /** Wraps each session as it opens (tests count UNet runs); undefined = sessions as they are. */
  sessionHook: ((part: ModelPart, session: ModelSession) => ModelSession) | undefined;
  /** Folder for rewritten and optimised graphs (`<dataDir>/cache/onnx`); omitted = under the OS temp folder. */
  modelCacheDir?: string | undefined;
  /** Session settings other than the engine's defaults (the benchmark compares them); omitted = defaults. */
  sessionTuning?: Partial<SessionTuningOptions> | undefined;
  /** Final decoder, preview decoder and the TAESD they may use (`decoder-choice.ts`); omitted = the model's VAE and latent-RGB previews. */
  decoders?: DecoderSetup | undefined;
}

/** The sub-models of a folder, named like their sub-folders. */
export type ModelPart = 'text_encoder' | 'text_encoder_2' | 'unet' | 'vae_encoder' | 'vae_decoder' | 'safety_checker' | 'taesd_decoder';

/** Opens one part's session, passing it through the load options' hook. */
export async function openPart(part: ModelPart, file: string, options: PipelineLoadOptions): Promise<ModelSession> {
  const session = await createSession(file, {
    provider: options.provider,
    threads: options.threads,
    freeDimensionOverrides: undefined,
    logger: options.logger,
    cacheDir: options.modelCacheDir,
    tuning: options.sessionTuning,
  });
  return options.sessionHook ? options.sessionHook(part, session) : session;
}

/** Everything the pipeline holds after loading. */
export interface LoadedModel {
  info: ModelFolderInfo;
  encoders: PromptEncoder[];
  unet: ModelSession;
  unetSignature: UnetSignature;
  /** undefined when TAESD makes the final images (the model's VAE decoder opens on first use). */
  vaeDecoder: ModelSession | undefined;
  /** TAESD's decoder, when the final images or the previews use it. */
  taesd: { session: ModelSession; folder: TaesdFolder } | undefined;
  safetyChecker: { session: ModelSession; preprocessing: ClipPreprocessing } | undefined;
  sdxl: boolean;
  lcm: boolean;
  /** Image sides must be multiples of this (see {@link sizeMultipleFor}). */
  sizeMultiple: number;
}

/** What `unet/config.json` says (Optimum writes it; legacy exports have none). */
interface UnetConfigFacts {
  inChannels: number | undefined;
  /** Number of resolution levels (`block_out_channels` length): each level after the first halves the latents. */
  levels: number | undefined;
}

async function readUnetConfig(unetDir: string): Promise<UnetConfigFacts> {
  try {
    const config = JSON.parse(await readFile(path.join(unetDir, 'config.json'), 'utf8')) as Record<string, unknown>;
    const blocks = config['block_out_channels'];
    return {
      inChannels: typeof config['in_channels'] === 'number' ? config['in_channels'] : undefined,
      levels: Array.isArray(blocks) && blocks.length > 0 ? blocks.length : undefined,
    };
  } catch {
    return { inChannels: undefined, levels: undefined };
  }
}

/**
 * Image sides must be multiples of this. Exported UNets upsample by a fixed ×2 (the torch trace
 * bakes in `forward_upsample_size = False`), so the latents must halve cleanly at every level:
 * 8 · 2^(levels − 1). Without a config: SD 1.x/2.x have 4 levels (64 px), SDXL 3 (32 px).
 */
export function sizeMultipleFor(levels: number | undefined, sdxl: boolean): number {
  return 8 * 2 ** ((levels ?? (sdxl ? 3 : 4)) - 1);
}

/**
 * The size multiple of a model folder from its files alone (`unet/config.json`; SDXL when it has
 * `text_encoder_2/`, which loading checks against the UNet's inputs), before any session opens:
 * lets the CLI refuse a size up front instead of rounding it after loading.
 */
export async function folderSizeMultiple(info: ModelFolderInfo): Promise<number> {
  const unetConfig = await readUnetConfig(path.dirname(info.parts.unet));
  return sizeMultipleFor(unetConfig.levels, info.parts.textEncoder2 !== undefined);
}

/**
 * Loads every session a txt2img run needs (the VAE encoder is opened later, on the first
 * img2img) from a folder path, or from a folder already inspected (`resolveModel`). Sessions
 * opened before a failure are released.
 */
export async function loadModel(source: string | ModelFolderInfo, options: PipelineLoadOptions): Promise<LoadedModel> {
  const inspected = typeof source === 'string' ? await inspectModelFolder(source, { catalogFamily: options.catalogFamily }) : source;
  if (!inspected.ok) throw new ModelUnavailableError(inspected);
  const info = inspected;
  const dir = info.dir;
  const opened: ModelSession[] = [];
  const open = async (part: ModelPart, file: string): Promise<ModelSession> => {
    const session = await openPart(part, file, options);
    opened.push(session);
    return session;
  };
  try {
    const unet = await open('unet', info.parts.unet);
    const unetConfig = await readUnetConfig(path.dirname(info.parts.unet));
    const unetSignature = readUnetSignature(unet.inputs, unet.path, unetConfig.inChannels);
    const sdxl = unetSignature.textEmbedsDim !== undefined || unetSignature.timeIdsLength !== undefined;
    if (sdxl !== (info.parts.textEncoder2 !== undefined)) {
      throw new UnsupportedModelError(
        sdxl
          ? `${dir}: the UNet takes SDXL inputs (text_embeds, time_ids) but the folder has no text_encoder_2/`
          : `${dir}: the folder has text_encoder_2/ but the UNet takes no SDXL inputs (text_embeds, time_ids)`,
      );
    }
    const encoders: PromptEncoder[] = [];
    const textParts: Array<[ModelPart, string, string]> = [['text_encoder', info.parts.textEncoder, info.parts.tokenizer]];
    if (sdxl) textParts.push(['text_encoder_2', info.parts.textEncoder2!, info.parts.tokenizer2!]);
    for (const [part, encoderPath, tokenizerDir] of textParts) {
      const session = await open(part, encoderPath);
      encoders.push({
        tokenizer: await ClipTokenizer.fromDirectory(tokenizerDir),
        session,
        signature: readTextEncoderSignature(session.outputs, session.path, sdxl),
      });
    }
    checkHiddenSize(dir, encoders, unetSignature);
    const decoders = options.decoders;
    const taesdFolder = decoders && (decoders.final === 'taesd' || decoders.preview === 'taesd') ? decoders.taesd : undefined;
    const taesd = taesdFolder ? { session: await open('taesd_decoder', taesdFolder.decoder), folder: taesdFolder } : undefined;
    // With TAESD making the final images the model's VAE decoder (200 MB, 2.5 GB while it runs) is not opened.
    const vaeDecoder = taesd && decoders?.final === 'taesd' ? undefined : await open('vae_decoder', info.parts.vaeDecoder);
    const safetyChecker = info.parts.safetyChecker
      ? { session: await open('safety_checker', info.parts.safetyChecker), preprocessing: await readClipPreprocessing(info.parts.featureExtractor) }
      : undefined;
    return {
      info,
      encoders,
      unet,
      unetSignature,
      vaeDecoder,
      taesd,
      safetyChecker,
      sdxl,
      lcm: unetSignature.timestepCondDim !== undefined,
      sizeMultiple: sizeMultipleFor(unetConfig.levels, sdxl),
    };
  } catch (error) {
    await Promise.allSettled(opened.map((session) => session.release()));
    throw error;
  }
}

/** Static text-encoder widths must add up to the UNet's `encoder_hidden_states` width. */
function checkHiddenSize(dir: string, encoders: readonly PromptEncoder[], unet: UnetSignature): void {
  if (unet.hiddenSize === undefined) return;
  let total = 0;
  for (const encoder of encoders) {
    const output = encoder.session.outputs.find((info) => info.name === encoder.signature.hiddenOutput);
    const width = output?.shape.at(-1);
    if (typeof width !== 'number' || width <= 0) return;
    total += width;
  }
  if (total !== unet.hiddenSize) {
    throw new UnsupportedModelError(
      `${dir}: the text encoder(s) produce ${total}-wide embeddings but the UNet expects ${unet.hiddenSize}`,
    );
  }
}
