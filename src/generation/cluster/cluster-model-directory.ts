/**
 * The models a bot process offers in a cluster: those installed on its own machine (often none)
 * and those the live workers announce, so a bot without a models folder still validates
 * `--model`, sizes and defaults. A model that no live worker has any more is still offered while
 * it is installed here; a job for it waits, marked "no worker has model X".
 */
import type { ModelProfile } from '../requests/imagine-parameters.ts';
import type { ModelDirectory } from '../requests/model-directory.ts';
import type { WorkerAnnouncement } from './worker-presence.ts';

/** The workers' announcements are read at most this often. */
const CACHE_MS = 2_000;

export class ClusterModelDirectory implements ModelDirectory {
  #cached: { at: number; models: readonly ModelProfile[] } | undefined;

  constructor(
    private readonly local: ModelDirectory,
    private readonly liveWorkers: () => Promise<WorkerAnnouncement[]>,
    private readonly now: () => number,
  ) {}

  get defaultModel(): string {
    return this.local.defaultModel;
  }

  async list(): Promise<readonly ModelProfile[]> {
    const now = this.now();
    if (this.#cached !== undefined && now - this.#cached.at < CACHE_MS) return this.#cached.models;
    const byName = new Map<string, ModelProfile>();
    for (const model of await this.local.list()) byName.set(model.name, model);
    // Redis unreachable: what is installed here is still offered.
    const workers = await this.liveWorkers().catch(() => []);
    for (const worker of workers) for (const profile of worker.profiles ?? []) if (!byName.has(profile.name)) byName.set(profile.name, profile);
    const models = [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
    this.#cached = { at: now, models };
    return models;
  }

  async markBroken(name: string): Promise<void> {
    await this.local.markBroken?.(name);
    this.#cached = undefined;
  }
}
