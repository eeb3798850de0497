import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isDirectory } from './json-file.ts';
import { findModel, type CatalogEntry, type DecoderEntry, type ModelCatalog } from './model-catalog.ts';
import { inspectModelFolder, type ModelFolderInfo } from './model-folder.ts';
import { formatBytes, modelProblem, pullCommandFor, type ModelFamily, type ModelProblem } from './model.types.ts';
import { inspectTaesdFolder } from './taesd-folder.ts';

/** Where the models live and which ones Darkroom knows. */
export interface ModelLocations {
  catalog: ModelCatalog;
  /** Folder holding one sub-folder per model (`models/`). */
  modelsDir: string;
}

/** A model ready to load: its folder, its catalog entry (undefined for hand-placed folders) and what the files say. */
export interface ResolvedModel {
  ok: true;
  dir: string;
  entry: CatalogEntry | undefined;
  info: ModelFolderInfo;
}

/**
 * Finds a model by catalog name or folder path. A catalog model that is not downloaded yet is a
 * `model_missing` problem (or `model_partial` after an interrupted pull) carrying the exact pull command.
 * A name not in the catalog still works when `<modelsDir>/<name>/` exists (a folder placed by hand).
 */
export async function resolveModel(nameOrDir: string, locations: ModelLocations): Promise<ResolvedModel | ModelProblem> {
  const tooLong = nameTooLong(nameOrDir);
  if (tooLong !== undefined) return tooLong;
  const entry = findModel(locations.catalog, nameOrDir);
  if (entry) {
    const dir = path.join(locations.modelsDir, entry.name);
    if (await isDirectory(dir)) return inspected(dir, entry);
    const command = pullCommandFor(entry.name);
    if (await isDirectory(`${dir}.partial`)) {
      return modelProblem('model_partial', `the download of ${entry.name} did not finish; run \`${command}\` to resume it`, command);
    }
    const size = formatBytes(entry.approxSizeGB * 1e9);
    return modelProblem(
      'model_missing',
      `model ${entry.name} is not downloaded yet (about ${size} from ${entry.repo}); run \`${command}\` or place the folder in ${dir}${path.sep}`,
      command,
    );
  }
  const looksLikePath = nameOrDir.includes('/') || nameOrDir.includes(path.sep) || nameOrDir.startsWith('.');
  if (looksLikePath || (await isDirectory(nameOrDir))) {
    return inspected(nameOrDir, entryForDir(nameOrDir, locations));
  }
  const byName = path.join(locations.modelsDir, nameOrDir);
  if (await isDirectory(byName)) return inspected(byName, undefined);
  const known = locations.catalog.models.map((model) => model.name).join(', ');
  return modelProblem(
    'unknown_model',
    `unknown model "${nameOrDir}": it is not in ${locations.catalog.source} (known: ${known}) and there is no folder ${byName}`,
  );
}

/** Longest folder name most file systems hold, and the longest path Linux accepts. */
const NAME_MAX_BYTES = 255;
const PATH_MAX_BYTES = 4095;

/**
 * A name or path no file system could hold is answered as an unknown model before any file is
 * looked up (the lookup itself would fail with ENAMETOOLONG).
 */
function nameTooLong(nameOrDir: string): ModelProblem | undefined {
  const longestSegment = Math.max(...nameOrDir.split(/[\\/]/).map((segment) => Buffer.byteLength(segment)));
  if (longestSegment <= NAME_MAX_BYTES && Buffer.byteLength(nameOrDir) <= PATH_MAX_BYTES) return undefined;
  return modelProblem('unknown_model', `unknown model "${nameOrDir.slice(0, 40)}…" (${nameOrDir.length} characters): no model name or folder is that long`);
}

/** One row of `darkroom models list`. */
export interface ModelListing {
  name: string;
  /** installed: folder complete · partial: interrupted pull · not downloaded: in the catalog only · broken: folder unusable. */
  status: 'installed' | 'partial' | 'not downloaded' | 'broken';
  entry: CatalogEntry | undefined;
  dir: string;
  /** From the folder when installed, else from the catalog. */
  family: ModelFamily | undefined;
  isDefault: boolean;
  /** Why a folder is broken. */
  problem: string | undefined;
}

/** Catalog models (installed or not) followed by folders placed by hand in `modelsDir`. */
export async function listModels(locations: ModelLocations): Promise<ModelListing[]> {
  const rows: ModelListing[] = [];
  for (const entry of locations.catalog.models) {
    const dir = path.join(locations.modelsDir, entry.name);
    const row = { name: entry.name, entry, dir, isDefault: entry === locations.catalog.defaultModel };
    if (await isDirectory(dir)) {
      const info = await inspectModelFolder(dir, { catalogFamily: entry.family });
      rows.push(
        info.ok
          ? { ...row, status: 'installed', family: info.family, problem: undefined }
          : { ...row, status: 'broken', family: entry.family, problem: info.message },
      );
    } else {
      const partial = await isDirectory(`${dir}.partial`);
      rows.push({ ...row, status: partial ? 'partial' : 'not downloaded', family: entry.family, problem: undefined });
    }
  }
  // TAESD folders (`decoders:`) are listed by listDecoders, not as models.
  const catalogNames = new Set([...locations.catalog.models, ...locations.catalog.decoders].map((entry) => entry.name));
  for (const name of await subfolders(locations.modelsDir)) {
    if (catalogNames.has(name) || name.endsWith('.partial') || name.startsWith('.')) continue;
    const dir = path.join(locations.modelsDir, name);
    const info = await inspectModelFolder(dir);
    const row = { name, entry: undefined, dir, isDefault: false };
    rows.push(
      info.ok
        ? { ...row, status: 'installed', family: info.family, problem: undefined }
        : { ...row, status: 'broken', family: undefined, problem: info.message },
    );
  }
  return rows;
}

/** One TAESD of the catalog (`decoders:`) as `darkroom models list` and `doctor` show it. */
export interface DecoderListing {
  name: string;
  entry: DecoderEntry;
  dir: string;
  status: ModelListing['status'];
  /** Why an installed folder is not a usable TAESD. */
  problem: string | undefined;
}

/** The catalog's TAESD folders and whether each is installed and usable (`inspectTaesdFolder`). */
export async function listDecoders(locations: ModelLocations): Promise<DecoderListing[]> {
  const rows: DecoderListing[] = [];
  for (const entry of locations.catalog.decoders) {
    const dir = path.join(locations.modelsDir, entry.name);
    if (await isDirectory(dir)) {
      const folder = await inspectTaesdFolder(dir);
      rows.push({ name: entry.name, entry, dir, status: folder.ok ? 'installed' : 'broken', problem: folder.ok ? undefined : folder.message });
    } else {
      rows.push({ name: entry.name, entry, dir, status: (await isDirectory(`${dir}.partial`)) ? 'partial' : 'not downloaded', problem: undefined });
    }
  }
  return rows;
}

/**
 * What to tell an operator whose `engine.decoder` / `engine.previewDecoder` asks for TAESD: one
 * sentence per latent space whose TAESD is not installed and usable (empty when all is well or
 * TAESD is not asked for). `auto` previews never warn.
 */
export async function decoderWarnings(locations: ModelLocations, settings: { decoder: 'full' | 'taesd'; previewDecoder: 'auto' | 'latent' | 'taesd' }): Promise<string[]> {
  const asked = [settings.decoder === 'taesd' ? 'engine.decoder' : '', settings.previewDecoder === 'taesd' ? 'engine.previewDecoder' : ''].filter(Boolean);
  if (asked.length === 0) return [];
  const falls = [settings.decoder === 'taesd' ? "the models' own VAE decodes" : '', settings.previewDecoder === 'taesd' ? 'previews use the latent-RGB approximation' : '']
    .filter(Boolean)
    .join(' and ');
  const rows = await listDecoders(locations);
  if (rows.length === 0) return [`${asked.join(' and ')} ask${asked.length === 1 ? 's' : ''} for TAESD, but ${locations.catalog.source} lists no decoders; ${falls}`];
  return rows
    .filter((row) => row.status !== 'installed')
    .map((row) => {
      const why = row.status === 'broken' ? `is not usable (${row.problem})` : row.status === 'partial' ? 'did not finish downloading' : 'is not installed';
      return `${asked.join(' and ')}: TAESD for ${row.entry.latentSpace === 'sdxl' ? 'SDXL' : 'SD 1.x/2.x'} (${row.name}) ${why}, so ${falls} for those models; run \`${pullCommandFor(row.name)}\``;
    });
}

async function inspected(dir: string, entry: CatalogEntry | undefined): Promise<ResolvedModel | ModelProblem> {
  const info = await inspectModelFolder(dir, { catalogFamily: entry?.family });
  return info.ok ? { ok: true, dir: info.dir, entry, info } : info;
}

/** The catalog entry whose folder this is, so `--model models/sd-turbo-gpu` still knows it is SD-Turbo. */
function entryForDir(dir: string, locations: ModelLocations): CatalogEntry | undefined {
  const resolved = path.resolve(dir);
  return locations.catalog.models.find((entry) => path.resolve(locations.modelsDir, entry.name) === resolved);
}

async function subfolders(dir: string): Promise<string[]> {
  if (!(await isDirectory(dir))) return [];
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((item) => item.isDirectory()).map((item) => item.name).sort();
}
