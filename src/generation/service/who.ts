/**
 * Who is asking, as policies see them: the stored user (created on first contact), the role
 * that applies (stored role raised by the platform's moderator signal), the workspace, and the
 * limits for that role in that workspace.
 */
import type { User, UserRole, Workspace } from '../../db/domain.types.ts';
import type { UserRepository } from '../../db/user.repository.ts';
import type { WorkspaceRepository } from '../../db/workspace.repository.ts';
import type { LimitsConfig } from '../../config/config.types.ts';
import { effectiveLimits, type GenerationLimits } from './generation-limits.ts';
import { PolicyCache } from './policy-cache.ts';
import { effectiveRole, type JobOwner, type Requester, type RequestPlace } from './service.types.ts';

export interface Who {
  user: User;
  role: UserRole;
  workspace: Workspace | undefined;
  limits: GenerationLimits;
  owner: JobOwner;
}

export interface WhoResolverOptions {
  users: UserRepository;
  workspaces: WorkspaceRepository;
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
    return {
      user,
      role,
      workspace,
      limits: effectiveLimits(this.options.limits, role, workspace?.externalId),
      owner: { userId: user.id, platform: user.platform, externalId: user.externalId, displayName: user.displayName },
    };
  }

  /** The stored user, created on first contact; refreshed when the display name changed. */
  async #user(identity: Requester['identity']): Promise<User> {
    const key = PolicyCache.identityKey(identity);
    const cached = this.options.cache.users.get(key);
    if (cached !== undefined && cached.displayName === identity.displayName) return cached;
    const user = await this.options.users.upsert(identity);
    this.options.cache.users.set(key, user);
    return user;
  }

  async #workspace(place: NonNullable<RequestPlace['workspace']>): Promise<Workspace> {
    const key = PolicyCache.identityKey(place);
    const cached = this.options.cache.workspaces.get(key);
    if (cached !== undefined && cached.name === place.name) return cached;
    const workspace = await this.options.workspaces.upsert(place);
    this.options.cache.workspaces.set(key, workspace);
    return workspace;
  }
}

/** Moderators and admins moderate. */
export function isModerator(who: Pick<Who, 'role'>): boolean {
  return who.role === 'moderator' || who.role === 'admin';
}
