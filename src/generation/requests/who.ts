/**
 * Who is asking, as policies see them: the stored user (created on first contact), the role
 * that applies (stored role raised by the platform's moderator signal), the workspace, any ban
 * that applies there, whether they may moderate there, and the limits for that role in that
 * workspace.
 *
 * Tenancy rules (ARCHITECTURE.md, "What is global"): moderator rights count only in the workspace
 * the request comes from; in direct messages only admins moderate; a person banned where they
 * ask (in this workspace, or everywhere by an operator) cannot moderate there either.
 */
import type { User, UserRole, Workspace, WorkspaceBan } from '../../db/domain.types.ts';
import type { GenerationScope } from '../../db/generation.repository.ts';
import type { UserRepository } from '../../db/user.repository.ts';
import type { WorkspaceBanRepository } from '../../db/workspace-ban.repository.ts';
import type { WorkspaceRepository } from '../../db/workspace.repository.ts';
import type { LimitsConfig } from '../../config/config.types.ts';
import { effectiveLimits, type GenerationLimits } from './generation-limits.ts';
import { PolicyCache } from './policy-cache.ts';
import { effectiveRole, type JobOwner, type Requester, type RequestPlace } from './request.types.ts';
import { plainName } from './text-safety.ts';

/** A ban that applies to a request: set by an operator (everywhere) or by this workspace's moderators. */
export interface AppliedBan {
  scope: 'everywhere' | 'workspace';
  reason: string | undefined;
}

export interface Who {
  user: User;
  role: UserRole;
  workspace: Workspace | undefined;
  /** The ban that applies where the request comes from; undefined = not banned here. */
  ban: AppliedBan | undefined;
  /** May moderate here (see the module comment). */
  moderates: boolean;
  limits: GenerationLimits;
  owner: JobOwner;
}

export interface WhoResolverOptions {
  users: UserRepository;
  workspaces: WorkspaceRepository;
  workspaceBans: WorkspaceBanRepository;
  limits: LimitsConfig;
  cache: PolicyCache;
}

export class WhoResolver {
  constructor(private readonly options: WhoResolverOptions) {}

  async resolve(requester: Requester, workspacePlace: RequestPlace['workspace']): Promise<Who> {
    const [user, workspace] = await Promise.all([
      this.#user(requester.identity),
      workspacePlace === undefined ? Promise.resolve(undefined) : this.#workspace(workspacePlace),
    ]);
    const role = effectiveRole(user.role, requester.platformModerator);
    const ban = await this.#ban(user, workspace);
    return {
      user,
      role,
      workspace,
      ban,
      moderates: ban === undefined && (role === 'admin' || (role === 'moderator' && workspace !== undefined)),
      limits: effectiveLimits(this.options.limits, role, workspace?.externalId),
      owner: { userId: user.id, platform: user.platform, externalId: user.externalId, displayName: user.displayName },
    };
  }

  /** The stored user, created on first contact; refreshed when the display name changed. */
  async #user(given: Requester['identity']): Promise<User> {
    const identity = { ...given, displayName: plainName(given.displayName, given.externalId) };
    const key = PolicyCache.identityKey(identity);
    const cached = this.options.cache.users.get(key);
    if (cached !== undefined && cached.displayName === identity.displayName) return cached;
    const user = await this.options.users.upsert(identity);
    this.options.cache.users.set(key, user);
    return user;
  }

  async #workspace(given: NonNullable<RequestPlace['workspace']>): Promise<Workspace> {
    const place = { ...given, name: plainName(given.name, given.externalId) };
    const key = PolicyCache.identityKey(place);
    const cached = this.options.cache.workspaces.get(key);
    if (cached !== undefined && cached.name === place.name) return cached;
    const workspace = await this.options.workspaces.upsert(place);
    this.options.cache.workspaces.set(key, workspace);
    return workspace;
  }

  /** The operator ban (every workspace and DMs) first, then this workspace's own ban list. */
  async #ban(user: User, workspace: Workspace | undefined): Promise<AppliedBan | undefined> {
    if (user.banned) return { scope: 'everywhere', reason: user.bannedReason };
    if (workspace === undefined) return undefined;
    const key = PolicyCache.workspaceBanKey(workspace.id, user.id);
    let ban: WorkspaceBan | null | undefined = this.options.cache.workspaceBans.get(key);
    if (ban === undefined) {
      ban = (await this.options.workspaceBans.find(workspace.id, user.id)) ?? null;
      this.options.cache.workspaceBans.set(key, ban);
    }
    return ban === null ? undefined : { scope: 'workspace', reason: ban.reason };
  }
}

/** May moderate where the request comes from (see the module comment). */
export function isModerator(who: Pick<Who, 'moderates'>): boolean {
  return who.moderates;
}

/**
 * Where this person's lookups by id may find jobs: only the workspace the request comes from;
 * in direct messages, only their own DM jobs (admins: every DM job).
 */
export function scopeOf(who: Pick<Who, 'workspace' | 'user' | 'role' | 'moderates'>): GenerationScope {
  if (who.workspace !== undefined) return { workspaceId: who.workspace.id, userId: undefined };
  return { workspaceId: undefined, userId: who.role === 'admin' && who.moderates ? undefined : who.user.id };
}

/** The owner of a job, from the users table. */
export async function ownerOf(users: Pick<UserRepository, 'get'>, userId: string): Promise<JobOwner> {
  const user = await users.get(userId);
  if (user === undefined) throw new Error(`job owner ${userId} not found`);
  return { userId: user.id, platform: user.platform, externalId: user.externalId, displayName: user.displayName };
}
