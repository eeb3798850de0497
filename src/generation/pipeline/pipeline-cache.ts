/**
 * Keeps the last few loaded pipelines (a loaded SD model holds gigabytes, so 1–2). Concurrent
 * requests for the same model share one load; an evicted pipeline is released once the runs
 * using it have finished.
 */
import type { Logger } from 'pino';

/** What the cache needs from a cached value. */
export interface Releasable {
  release(): Promise<void>;
}

interface Slot<T extends Releasable> {
  key: string;
  loading: Promise<T>;
  users: number;
  evicted: boolean;
}

export class PipelineCache<T extends Releasable> {
  readonly #slots: Slot<T>[] = [];

  constructor(
    private readonly capacity: number,
    private readonly logger: Logger | undefined,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`cache capacity must be ≥ 1, got ${capacity}`);
  }

  /** Runs `work` with the value for `key`, loading it with `load` when not cached. */
  async use<R>(key: string, load: () => Promise<T>, work: (value: T) => Promise<R>): Promise<R> {
    let slot = this.#slots.find((candidate) => candidate.key === key);
    if (slot) {
      // Most recently used goes last.
      this.#slots.splice(this.#slots.indexOf(slot), 1);
      this.#slots.push(slot);
    } else {
      slot = { key, loading: load(), users: 0, evicted: false };
      this.#slots.push(slot);
      const created = slot;
      // A failed load is forgotten so the next request tries again.
      created.loading.catch(() => this.#remove(created));
      this.#evictOverflow();
    }
    slot.users++;
    try {
      return await work(await slot.loading);
    } finally {
      slot.users--;
      if (slot.evicted && slot.users === 0) await this.#release(slot);
    }
  }

  /** Releases everything (shutdown). */
  async clear(): Promise<void> {
    const slots = this.#slots.splice(0);
    await Promise.allSettled(slots.map((slot) => this.#release(slot)));
  }

  #remove(slot: Slot<T>): void {
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
  }

  #evictOverflow(): void {
    while (this.#slots.length > this.capacity) {
      const oldest = this.#slots.shift()!;
      oldest.evicted = true;
      this.logger?.info({ model: oldest.key }, 'pipeline.evicted');
      if (oldest.users === 0) void this.#release(oldest);
    }
  }

  async #release(slot: Slot<T>): Promise<void> {
    try {
      await (await slot.loading).release();
    } catch {
      // A load that failed has nothing to release.
    }
  }
}
