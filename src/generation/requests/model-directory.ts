/**
 * The models people may pick, as the service needs them: name, native size and recommended
 * settings. The default implementation reads the models folder (through the models room) and
 * caches the answer briefly, since the folder changes only when someone pulls or places a model.
 * A model whose files failed to load is left out until its files change (size or mtime), so
 * nobody is offered a model that cannot run.
 */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { loadModelCatalog } from '../models/model-catalog.ts';
import { inspectModelFolder } from '../models/model-folder.ts';
import { listModels, type ModelLocations } from '../models/model-resolve.ts';
import { recommendedSettings } from '../pipeline/model-defaults.ts';
import type { ModelProfile } from './imagine-parameters.ts';

export interface ModelDirectory {
  /** The model used when a request names none. */
  readonly defaultModel: string;
  /** Installed, usable models. */
  list(): Promise<readonly ModelProfile[]>;
  /**
   * Reports that `name`'s files failed to load (truncated, corrupt): it is no longer listed
   * until its files change. Optional: fixed lists have nothing to re-check.
   */
  markBroken?(name: string): Promise<void>;
}

/** A fixed list (tests, benchmarks). */
export class StaticModelDirectory implements ModelDirectory {
  constructor(
    readonly defaultModel: string,
    private readonly models: readonly ModelProfile[],
  ) {}

  async list(): Promise<readonly ModelProfile[]> {
    return this.models;
  }
}

/** Installed models in the models folder, re-read at most every `ttlMs`. */
export class InstalledModelDirectory implements ModelDirectory {
  #cached: { at: number; models: Promise<readonly ModelProfile[]> } | undefined;
  /** Folder of each model seen by the last scan. */
  readonly #folders = new Map<string, string>();
  /** Broken models → the fingerprint of their files when they failed. */
  readonly #broken = new Map<string, string>();

  constructor(
    readonly defaultModel: string,
    private readonly locations: ModelLocations,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Loads the catalog file and builds the directory. */
  static async open(options: { defaultModel: string; modelsDir: string; catalogFile: string; ttlMs: number; now: () => number }) {
    const catalog = await loadModelCatalog(options.catalogFile);
    return new InstalledModelDirectory(options.defaultModel, { catalog, modelsDir: options.modelsDir }, options.ttlMs, options.now);
  }

  list(): Promise<readonly ModelProfile[]> {
    const now = this.now();
    if (this.#cached === undefined || now - this.#cached.at > this.ttlMs) {
      const models = this.#scan();
      this.#cached = { at: now, models };
      // A failed scan is not cached.
      models.catch(() => (this.#cached = undefined));
    }
    return this.#cached.models;
  }

  async markBroken(name: string): Promise<void> {
    const folder = this.#folders.get(name);
    if (folder === undefined) return;
    this.#broken.set(name, await folderFingerprint(folder));
    this.#cached = undefined;
  }

  async #scan(): Promise<readonly ModelProfile[]> {
    const profiles: ModelProfile[] = [];
    for (const listing of await listModels(this.locations)) {
      if (listing.status !== 'installed') continue;
      this.#folders.set(listing.name, listing.dir);
      const broken = this.#broken.get(listing.name);
      if (broken !== undefined) {
        // Re-pulled or repaired since it failed: offer it again (it is tried at its next use).
        if ((await folderFingerprint(listing.dir)) === broken) continue;
        this.#broken.delete(listing.name);
      }
      const info = await inspectModelFolder(listing.dir, { catalogFamily: listing.entry?.family });
      if (!info.ok) continue;
      const recommended = recommendedSettings(info, listing.entry);
      profiles.push({
        name: listing.name,
        nativeWidth: recommended.width,
        nativeHeight: recommended.height,
        steps: recommended.steps,
        guidance: recommended.guidance,
        scheduler: recommended.scheduler,
      });
    }
    return profiles;
  }
}

/** Every file under `folder` with its size and mtime: changes when any file is replaced or rewritten. */
async function folderFingerprint(folder: string): Promise<string> {
  const entries: string[] = [];
  const visit = async (directory: string): Promise<void> => {
    for (const entry of await readdir(directory, { withFileTypes: true }).catch(() => [])) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) await visit(full);
      else {
        const info = await stat(full).catch(() => undefined);
        if (info !== undefined) entries.push(`${path.relative(folder, full)}:${info.size}:${info.mtimeMs}`);
      }
    }
  };
  await visit(folder);
  return entries.sort().join('\n');
}
