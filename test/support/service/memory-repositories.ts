/**
 * In-memory fakes of the db repositories, with the same guarded status transitions as the real
 * ones (a `mark*` only moves from the states it names). For fast service unit tests; the
 * integration tests run the same flows on PGlite.
 */
import type { AcceptedJobCounter } from '../../../src/generation/queue/quota.policy.ts';
import type { BlockedTermRepository, AddBlockedTermResult } from '../../../src/db/blocked-term.repository.ts';
import type {
  BlockedTerm,
  ChatLocation,
  Generation,
  GenerationWithImages,
  ImageRecord,
  JsonObject,
  ModerationAction,
  Platform,
  User,
  UserRole,
  UserSettings,
  Workspace,
  WorkspaceBan,
} from '../../../src/db/domain.types.ts';
import type {
  GenerationFailure,
  GenerationRepository,
  GenerationScope,
  GenerationSuccess,
  HistoryPage,
  HistoryPageRequest,
  HistoryQuery,
  NewGeneration,
} from '../../../src/db/generation.repository.ts';
import type { ImageRepository } from '../../../src/db/image.repository.ts';
import type { AuditQuery, ModerationRepository, NewModerationAction } from '../../../src/db/moderation.repository.ts';
import type { Repositories } from '../../../src/db/repositories.ts';
import type { UserSettingsRepository } from '../../../src/db/user-settings.repository.ts';
import type { ChatIdentity, UserRepository } from '../../../src/db/user.repository.ts';
import type { WorkspaceRepository } from '../../../src/db/workspace.repository.ts';
import { MemoryChatEventClaims, MemoryJobLeases } from './memory-job-leases.ts';
import type { WorkspaceBanRepository } from '../../../src/db/workspace-ban.repository.ts';

let sequence = 0;
const nextId = (prefix: string) => `${prefix}${(++sequence).toString(36).padStart(6, '0')}`;

class MemoryUsers implements UserRepository {
  readonly rows = new Map<string, User>();
  constructor(private readonly now: () => Date) {}
  async upsert(identity: ChatIdentity): Promise<User> {
    // Atomic like the database's upsert: no await between the lookup and the insert.
    const existing = [...this.rows.values()].find((user) => user.platform === identity.platform && user.externalId === identity.externalId);
    if (existing) return Object.assign(existing, { displayName: identity.displayName });
    const user: User = { id: nextId('u'), ...identity, role: 'user', banned: false, bannedReason: undefined, bannedAt: undefined, createdAt: this.now() };
    this.rows.set(user.id, user);
    return user;
  }
  async get(id: string) {
    return this.rows.get(id);
  }
  async findByExternalId(platform: Platform, externalId: string) {
    return [...this.rows.values()].find((user) => user.platform === platform && user.externalId === externalId);
  }
  async ban(userId: string, reason: string | undefined) {
    return Object.assign(this.#must(userId), { banned: true, bannedReason: reason, bannedAt: this.now() });
  }
  async unban(userId: string) {
    return Object.assign(this.#must(userId), { banned: false, bannedReason: undefined, bannedAt: undefined });
  }
  async isBanned(platform: Platform, externalId: string) {
    return (await this.findByExternalId(platform, externalId))?.banned ?? false;
  }
  async setRole(userId: string, role: UserRole) {
    return Object.assign(this.#must(userId), { role });
  }
  #must(id: string): User {
    const user = this.rows.get(id);
    if (!user) throw new Error(`no user ${id}`);
    return user;
  }
}

class MemoryWorkspaces implements WorkspaceRepository {
  readonly rows = new Map<string, Workspace>();
  constructor(private readonly now: () => Date) {}
  async upsert(identity: { platform: Platform; externalId: string; name: string }) {
    const existing = [...this.rows.values()].find((row) => row.platform === identity.platform && row.externalId === identity.externalId);
    if (existing) return Object.assign(existing, { name: identity.name });
    const workspace: Workspace = { id: nextId('w'), ...identity, settings: {}, createdAt: this.now() };
    this.rows.set(workspace.id, workspace);
    return workspace;
  }
  async get(id: string) {
    return this.rows.get(id);
  }
  async findByExternalId(platform: Platform, externalId: string) {
    return [...this.rows.values()].find((row) => row.platform === platform && row.externalId === externalId);
  }
  async saveSettings(id: string, settings: JsonObject) {
    const row = this.rows.get(id);
    if (!row) throw new Error(`no workspace ${id}`);
    return Object.assign(row, { settings });
  }
}

class MemoryWorkspaceBans implements WorkspaceBanRepository {
  readonly rows = new Map<string, WorkspaceBan>();
  constructor(private readonly now: () => Date) {}
  async ban(entry: { workspaceId: string; userId: string; reason: string | undefined; bannedById: string | undefined }) {
    const ban: WorkspaceBan = { ...entry, createdAt: this.now() };
    this.rows.set(`${entry.workspaceId}:${entry.userId}`, ban);
    return ban;
  }
  async unban(workspaceId: string, userId: string) {
    return this.rows.delete(`${workspaceId}:${userId}`);
  }
  async find(workspaceId: string, userId: string) {
    return this.rows.get(`${workspaceId}:${userId}`);
  }
}

export class MemoryGenerations implements GenerationRepository, AcceptedJobCounter {
  readonly rows: GenerationWithImages[] = [];
  constructor(private readonly now: () => Date) {}
  async create(input: NewGeneration): Promise<Generation> {
    const row: GenerationWithImages = {
      ...input,
      id: nextId('g'),
      status: 'queued',
      errorCode: undefined,
      errorMessage: undefined,
      queuedAt: this.now(),
      startedAt: undefined,
      finishedAt: undefined,
      gpuMs: undefined,
      images: [],
    };
    this.rows.push(row);
    return withoutImages(row);
  }
  async get(id: string) {
    const row = this.rows.find((candidate) => candidate.id === id);
    return row ? structuredClone(row) : undefined;
  }
  async getInScope(id: string, scope: GenerationScope) {
    const row = await this.get(id);
    const inScope = row !== undefined && row.workspaceId === scope.workspaceId && (scope.userId === undefined || row.userId === scope.userId);
    return inScope ? row : undefined;
  }
  async markRunning(id: string) {
    return this.#move(id, ['queued'], { status: 'running', startedAt: this.now() });
  }
  async markSucceeded(id: string, success: GenerationSuccess) {
    const row = this.#row(id);
    if (!row || row.status !== 'running') return false;
    Object.assign(row, { status: 'succeeded', finishedAt: this.now(), gpuMs: success.gpuMs, maskKey: success.maskKey });
    row.images = success.images.map((image) => ({ ...image, id: nextId('i'), generationId: id, createdAt: this.now(), deletedAt: undefined, deletedById: undefined }));
    return true;
  }
  async markFailed(id: string, failure: GenerationFailure) {
    return this.#move(id, ['queued', 'running'], { status: 'failed', finishedAt: this.now(), errorCode: failure.code, errorMessage: failure.message });
  }
  async markCancelled(id: string) {
    return this.#move(id, ['queued', 'running'], { status: 'cancelled', finishedAt: this.now() });
  }
  async updateChatLocation(id: string, chat: ChatLocation) {
    const row = this.#row(id);
    if (row) row.chat = chat;
    return row !== undefined;
  }
  async requeueInterrupted() {
    const interrupted = this.rows.filter((row) => row.status === 'running');
    for (const row of interrupted) Object.assign(row, { status: 'queued', startedAt: undefined });
    return interrupted.map((row) => row.id);
  }
  async listUnfinished() {
    return this.rows.filter((row) => row.status === 'queued' || row.status === 'running').map(withoutImages);
  }
  async history(query: HistoryQuery, page: HistoryPageRequest): Promise<HistoryPage> {
    const matching = this.rows
      .filter((row) => (query.userId === undefined || row.userId === query.userId) && (query.channelId === undefined || row.channelId === query.channelId))
      .filter((row) => query.workspaceId === undefined || row.workspaceId === query.workspaceId)
      .filter((row) => (query.queuedFrom === undefined || row.queuedAt >= query.queuedFrom) && (query.queuedBefore === undefined || row.queuedAt < query.queuedBefore))
      .filter((row) => query.statuses === undefined || query.statuses.includes(row.status))
      .sort((a, b) => b.queuedAt.getTime() - a.queuedAt.getTime() || a.id.localeCompare(b.id));
    const start = page.after ? matching.findIndex((row) => row.id === page.after?.id) + 1 : 0;
    const items = matching.slice(start, start + page.limit).map((row) => structuredClone(row));
    const last = items.at(-1);
    return { items, next: start + page.limit < matching.length && last ? { queuedAt: last.queuedAt, id: last.id } : undefined };
  }
  async acceptedSince(userId: string, windowStarts: readonly Date[]) {
    return windowStarts.map((since) => {
      const times = this.rows.filter((row) => row.userId === userId && row.queuedAt >= since).map((row) => row.queuedAt.getTime());
      return { count: times.length, oldest: times.length ? new Date(Math.min(...times)) : undefined };
    });
  }
  #row(id: string) {
    return this.rows.find((row) => row.id === id);
  }
  #move(id: string, from: Generation['status'][], change: Partial<Generation>) {
    const row = this.#row(id);
    if (!row || !from.includes(row.status)) return false;
    Object.assign(row, change);
    return true;
  }
}

function withoutImages(row: GenerationWithImages): Generation {
  const { images: _images, ...generation } = structuredClone(row);
  return generation;
}

class MemoryImages implements ImageRepository {
  constructor(
    private readonly generations: MemoryGenerations,
    private readonly now: () => Date,
  ) {}
  async get(generationId: string, index: number): Promise<ImageRecord | undefined> {
    return (await this.generations.get(generationId))?.images.find((image) => image.index === index);
  }
  async markDeleted(generationId: string, index: number, deletedById: string) {
    const image = this.generations.rows.find((row) => row.id === generationId)?.images.find((candidate) => candidate.index === index);
    if (!image || image.deletedAt) return false;
    Object.assign(image, { deletedAt: this.now(), deletedById });
    return true;
  }
}

class MemoryModeration implements ModerationRepository {
  readonly rows: ModerationAction[] = [];
  constructor(private readonly now: () => Date) {}
  async record(entry: NewModerationAction) {
    const row = { ...entry, id: this.rows.length + 1, createdAt: this.now() };
    this.rows.push(row);
    return row;
  }
  async list(query: AuditQuery) {
    return [...this.rows]
      .reverse()
      .filter((row) => query.beforeId === undefined || row.id < query.beforeId)
      .filter((row) => query.workspaceId === undefined || row.workspaceId === query.workspaceId)
      .slice(0, query.limit);
  }
}

class MemoryBlockedTerms implements BlockedTermRepository {
  readonly rows: BlockedTerm[] = [];
  constructor(private readonly now: () => Date) {}
  async add(entry: { workspaceId: string | undefined; term: string; createdById: string | undefined }): Promise<AddBlockedTermResult> {
    const normalizedTerm = entry.term.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
    if (!normalizedTerm) return { ok: false, code: 'empty_term' };
    const existing = this.rows.find((row) => row.workspaceId === entry.workspaceId && row.normalizedTerm === normalizedTerm);
    if (existing) return { ok: false, code: 'already_blocked', existing };
    const term = { id: nextId('t'), ...entry, term: entry.term.trim(), normalizedTerm, createdAt: this.now() };
    this.rows.push(term);
    return { ok: true, term };
  }
  async remove(workspaceId: string | undefined, term: string) {
    const normalized = term.normalize('NFKC').toLowerCase().trim().replace(/\s+/g, ' ');
    const index = this.rows.findIndex((row) => row.workspaceId === workspaceId && row.normalizedTerm === normalized);
    if (index >= 0) this.rows.splice(index, 1);
    return index >= 0;
  }
  async list(workspaceId: string | undefined) {
    return this.rows.filter((row) => row.workspaceId === workspaceId);
  }
  async listEffective(workspaceId: string | undefined) {
    return this.rows.filter((row) => row.workspaceId === undefined || row.workspaceId === workspaceId);
  }
}

class MemoryUserSettings implements UserSettingsRepository {
  readonly rows = new Map<string, UserSettings>();
  async get(userId: string) {
    return this.rows.get(userId);
  }
  async save(userId: string, settings: UserSettings) {
    this.rows.set(userId, settings);
    return settings;
  }
}

export type MemoryRepositories = Repositories & { generations: MemoryGenerations };

/** Every repository in memory, stamping rows with `now`. */
export function memoryRepositories(now: () => Date): MemoryRepositories {
  const generations = new MemoryGenerations(now);
  return {
    users: new MemoryUsers(now),
    workspaces: new MemoryWorkspaces(now),
    workspaceBans: new MemoryWorkspaceBans(now),
    generations,
    images: new MemoryImages(generations, now),
    moderation: new MemoryModeration(now),
    blockedTerms: new MemoryBlockedTerms(now),
    userSettings: new MemoryUserSettings(),
    jobLeases: new MemoryJobLeases(generations, now),
    chatEvents: new MemoryChatEventClaims(now),
  };
}
