/**
 * The models people may pick, as the service needs them: name, native size and recommended
 * settings. The default implementation reads the models folder (through the models room) and
 * caches the answer briefly, since the folder changes only when someone pulls or places a model.
 */
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

  async #scan(): Promise<readonly ModelProfile[]> {
    const profiles: ModelProfile[] = [];
    for (const listing of await listModels(this.locations)) {
      if (listing.status !== 'installed') continue;
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
