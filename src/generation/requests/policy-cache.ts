/**
 * Short-lived copies of what every request reads but rarely changes: people and workspaces by
 * platform id, saved /settings, blocked-term lists, workspace bans. They take a request from seven queries down
 * to two (quota count, insert). Changes made through this process (ban, role, settings, block
 * list) invalidate the entry at once; changes made by another process sharing the database
 * are seen within `ttlMs`.
 */
import type { BlockedTerm, User, UserSettings, Workspace, WorkspaceBan } from '../../db/domain.types.ts';

/** A Map whose entries expire; the oldest entries go first when it is full. */
export class TtlCache<V> {
  readonly #entries = new Map<string, { value: V; expires: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly maxEntries: number,
  ) {}

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expires <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.now() + this.ttlMs });
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }
}

/** The caches the generation and moderation services share (create one per process). */
export class PolicyCache {
  /** Key: `platform:externalId`. */
  readonly users: TtlCache<User>;
  /** Key: `platform:externalId`. */
  readonly workspaces: TtlCache<Workspace>;
  /** Key: user id; `null` = no saved settings. */
  readonly settings: TtlCache<UserSettings | null>;
  /** Key: workspace id, or `''` for direct messages. */
  readonly blockedTerms: TtlCache<BlockedTerm[]>;
  /** Key: {@link PolicyCache.workspaceBanKey}; `null` = not banned in that workspace. */
  readonly workspaceBans: TtlCache<WorkspaceBan | null>;

  constructor(options: { ttlMs: number; now: () => number; maxEntries: number }) {
    const make = <V>() => new TtlCache<V>(options.ttlMs, options.now, options.maxEntries);
    this.users = make();
    this.workspaces = make();
    this.settings = make();
    this.blockedTerms = make();
    this.workspaceBans = make();
  }

  /** A cache that keeps nothing (every read goes to the database). */
  static disabled(): PolicyCache {
    return new PolicyCache({ ttlMs: 0, now: () => 0, maxEntries: 0 });
  }

  static identityKey(identity: { platform: string; externalId: string }): string {
    return `${identity.platform}:${identity.externalId}`;
  }

  /** One person's ban entry in one workspace: bans are per workspace, so is their cache. */
  static workspaceBanKey(workspaceId: string, userId: string): string {
    return `${workspaceId}:${userId}`;
  }
}
