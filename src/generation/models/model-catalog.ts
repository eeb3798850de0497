import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { SCHEDULER_NAMES } from '../engine.types.ts';
import { MODEL_FAMILIES } from './model.types.ts';

const recommendedSchema = z.strictObject({
  steps: z.number().int().min(1).max(150),
  guidance: z.number().min(0).max(30),
  scheduler: z.enum(SCHEDULER_NAMES),
  width: z.number().int().min(64).max(2048).multipleOf(8),
  height: z.number().int().min(64).max(2048).multipleOf(8),
});

const entrySchema = z.strictObject({
  /** Used as the folder name under models/ and on the command line. */
  name: z.string().max(100).regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" or "-"'),
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'a Hugging Face repo id, "owner/name"'),
  revision: z.string().min(1).default('main'),
  subfolder: z.string().min(1).optional(),
  family: z.enum(MODEL_FAMILIES),
  description: z.string().min(1),
  license: z.string().min(1),
  /** Approximate size of the files Darkroom downloads (ONNX parts only), in GB. */
  approxSizeGB: z.number().positive(),
  /** false for GPU-only builds (com.microsoft fused fp16 ops have no CPU kernel). */
  cpu: z.boolean(),
  default: z.boolean().default(false),
  recommended: recommendedSchema,
  /** What decodes this model's final images: its own VAE (`full`) or TAESD; unset = `engine.decoder` (LCM/Turbo: full). */
  decoder: z.enum(['full', 'taesd']).optional(),
});

/** A TAESD (tiny VAE) export: previews and, when chosen, final decodes for the models of its latent space. */
const decoderEntrySchema = z.strictObject({
  /** Folder name under models/ (`taesd`, `taesdxl`). */
  name: z.string().max(100).regex(/^[a-z0-9][a-z0-9._-]*$/, 'lower-case letters, digits, ".", "_" or "-"'),
  repo: z.string().regex(/^[\w.-]+\/[\w.-]+$/, 'a Hugging Face repo id, "owner/name"'),
  revision: z.string().min(1).default('main'),
  subfolder: z.string().min(1).optional(),
  /** `sd`: SD 1.x/2.x latents (also LCM and SD-Turbo built on them); `sdxl`: SDXL latents. Never mixed. */
  latentSpace: z.enum(['sd', 'sdxl']),
  description: z.string().min(1),
  license: z.string().min(1),
  approxSizeGB: z.number().positive(),
});

const catalogSchema = z.strictObject({ models: z.array(entrySchema).min(1), decoders: z.array(decoderEntrySchema).default([]) }).superRefine((catalog, context) => {
  const seen = new Map<string, number>();
  catalog.models.forEach((entry, index) => {
    const first = seen.get(entry.name);
    if (first !== undefined) {
      context.addIssue({ code: 'custom', path: ['models', index, 'name'], message: `duplicate of models[${first}].name` });
    }
    seen.set(entry.name, index);
  });
  catalog.decoders.forEach((entry, index) => {
    if (seen.has(entry.name)) context.addIssue({ code: 'custom', path: ['decoders', index, 'name'], message: 'the name of a model too' });
    const first = catalog.decoders.findIndex((other) => other.latentSpace === entry.latentSpace);
    if (first !== index) context.addIssue({ code: 'custom', path: ['decoders', index, 'latentSpace'], message: `decoders[${first}] already serves ${entry.latentSpace} latents` });
  });
  const defaults = catalog.models.flatMap((entry, index) => (entry.default ? [index] : []));
  if (defaults.length !== 1) {
    const where = defaults.length === 0 ? 'none has' : `models[${defaults.join('], models[')}] have`;
    context.addIssue({ code: 'custom', path: ['models'], message: `exactly one model must have default: true (${where})` });
  }
});

type ParsedEntry = z.infer<typeof entrySchema>;

/** One catalog model: a real Hugging Face repo holding a diffusers ONNX folder. */
export interface CatalogEntry extends Omit<ParsedEntry, 'subfolder'> {
  /** Folder inside the repo holding model_index.json; undefined for the repo root. */
  subfolder: string | undefined;
}

type ParsedDecoderEntry = z.infer<typeof decoderEntrySchema>;

/** One TAESD export in the catalog (`decoders:`), installed into `<models.dir>/<name>/`. */
export interface DecoderEntry extends Omit<ParsedDecoderEntry, 'subfolder'> {
  subfolder: string | undefined;
}

/** The parsed, frozen catalog. */
export interface ModelCatalog {
  models: readonly CatalogEntry[];
  /** TAESD exports, at most one per latent space. */
  decoders: readonly DecoderEntry[];
  defaultModel: CatalogEntry;
  /** File the catalog came from, for messages. */
  source: string;
}

/** The catalog file is unusable; `issues` lists each problem with its YAML path and line. */
export class ModelCatalogError extends Error {
  constructor(
    readonly source: string,
    readonly issues: string[],
  ) {
    super(`invalid model catalog ${source}:\n  ${issues.join('\n  ')}`);
    this.name = 'ModelCatalogError';
  }
}

/** Reads and validates `config/models.yaml`. Throws {@link ModelCatalogError} naming every bad field. */
export async function loadModelCatalog(file: string): Promise<ModelCatalog> {
  return parseModelCatalog(await readFile(file, 'utf8'), file);
}

/** Validates catalog YAML text; `source` names the file in errors. */
export function parseModelCatalog(text: string, source: string): ModelCatalog {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter });
  if (document.errors.length > 0) {
    // With pretty errors the first line reads "<problem> at line L, column C:".
    const issues = document.errors.map((error) => (error.message.split('\n')[0] ?? error.message).replace(/:$/, ''));
    throw new ModelCatalogError(source, issues);
  }
  const parsed = catalogSchema.safeParse(document.toJS());
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const keys = issue.path.filter((key): key is string | number => typeof key !== 'symbol');
      const node = document.getIn(keys, true) as { range?: [number, number, number] } | undefined;
      const line = node?.range ? ` (line ${lineCounter.linePos(node.range[0]).line})` : '';
      return `${yamlPath(keys)}${line}: ${issue.message}`;
    });
    throw new ModelCatalogError(source, issues);
  }
  const models = parsed.data.models.map((entry) => Object.freeze({ ...entry, subfolder: entry.subfolder }));
  const defaultModel = models.find((entry) => entry.default);
  if (!defaultModel) throw new Error('catalog schema let a catalog without a default through');
  const decoders = parsed.data.decoders.map((entry) => Object.freeze({ ...entry, subfolder: entry.subfolder }));
  return Object.freeze({ models: Object.freeze(models), decoders: Object.freeze(decoders), defaultModel, source });
}

/** What `darkroom models pull` can download: a model, or a TAESD (`decoders:`). */
export type PullSource = CatalogEntry | DecoderEntry;

/** The folder layout a pull keeps: a TAESD export (vae_decoder/, vae_encoder/, config.json) or a diffusers pipeline. */
export function pullLayout(entry: PullSource): 'pipeline' | 'taesd' {
  return 'latentSpace' in entry ? 'taesd' : 'pipeline';
}

/** The TAESD named `name` (exact, then case-insensitive), or undefined. */
export function findDecoder(catalog: ModelCatalog, name: string): DecoderEntry | undefined {
  return (
    catalog.decoders.find((entry) => entry.name === name) ??
    catalog.decoders.find((entry) => entry.name.toLowerCase() === name.toLowerCase())
  );
}

/** The entry named `name` (exact, then case-insensitive), or undefined. */
export function findModel(catalog: ModelCatalog, name: string): CatalogEntry | undefined {
  return (
    catalog.models.find((entry) => entry.name === name) ??
    catalog.models.find((entry) => entry.name.toLowerCase() === name.toLowerCase())
  );
}

/** `models[2].recommended.steps` from zod's path. */
function yamlPath(keys: ReadonlyArray<string | number>): string {
  if (keys.length === 0) return '(top level)';
  return keys.map((key, index) => (typeof key === 'number' ? `[${key}]` : index === 0 ? key : `.${key}`)).join('');
}
