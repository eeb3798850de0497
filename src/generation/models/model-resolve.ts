import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { isDirectory } from './json-file.ts';
import { findModel, type CatalogEntry, type ModelCatalog } from './model-catalog.ts';
import { inspectModelFolder, type ModelFolderInfo } from './model-folder.ts';
import { formatBytes, modelProblem, pullCommandFor, type ModelFamily, type ModelProblem } from './model.types.ts';

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
  const catalogNames = new Set(locations.catalog.models.map((entry) => entry.name));
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
