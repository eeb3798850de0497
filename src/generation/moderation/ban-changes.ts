/**
 * /ban and /unban: where a ban applies and who may change it. A moderator bans in the workspace
 * the request comes from (a `WorkspaceBan` row); `global` is the operator-level ban in
 * `User.banned` (every workspace and DMs), for admins only. Nobody bans themselves; only admins
 * ban admins. The policy cache entry that held the old answer is dropped at once.
 */
import type { User } from '../../db/domain.types.ts';
import type { Repositories } from '../../db/repositories.ts';
import { PolicyCache } from '../requests/policy-cache.ts';
import { refuse, type Refusal } from '../requests/refusal.ts';
import type { ChatIdentity } from '../requests/request.types.ts';
import { plainName } from '../requests/text-safety.ts';
import { isModerator, type Who } from '../requests/who.ts';

/** Where a ban applies: the request's workspace (moderators) or everywhere (admins). */
export type BanScope = 'workspace' | 'global';

export interface BanChangesOptions {
  repositories: Pick<Repositories, 'users' | 'workspaceBans'>;
  cache: PolicyCache;
}

export class BanChanges {
  constructor(private readonly options: BanChangesOptions) {}

  /** Bans (`ban`) or unbans `target` with `scope`, as `who`; the user as stored, or a refusal. */
  async change(who: Who, target: ChatIdentity, scope: BanScope, reason: string | undefined, ban: boolean): Promise<{ ok: true; user: User } | Refusal> {
    const verb = ban ? 'ban' : 'unban';
    if (!isModerator(who)) return refuse('forbidden', { action: ban ? 'ban people' : 'lift bans', allowed: 'moderator' });
    if (scope === 'global' && who.role !== 'admin') return refuse('forbidden', { action: `${verb} people everywhere`, allowed: 'admin' });
    if (scope === 'workspace' && who.workspace === undefined) {
      return refuse('forbidden', { action: `${verb} people in a direct message (admins: choose everywhere)`, allowed: 'no one' });
    }
    const { users, workspaceBans } = this.options.repositories;
    const subject = await users.upsert({ ...target, displayName: plainName(target.displayName, target.externalId) });
    if (subject.id === who.user.id) return refuse('forbidden', { action: `${verb} yourself`, allowed: 'no one' });
    if (subject.role === 'admin' && who.role !== 'admin') return refuse('forbidden', { action: `${verb} an admin`, allowed: 'admin' });
    if (scope === 'global') {
      const user = ban ? await users.ban(subject.id, reason) : await users.unban(subject.id);
      this.options.cache.users.delete(PolicyCache.identityKey(user));
      return { ok: true, user };
    }
    const workspaceId = who.workspace?.id ?? '';
    if (ban) await workspaceBans.ban({ workspaceId, userId: subject.id, reason, bannedById: who.user.id });
    else await workspaceBans.unban(workspaceId, subject.id);
    this.options.cache.workspaceBans.delete(PolicyCache.workspaceBanKey(workspaceId, subject.id));
    return { ok: true, user: subject };
  }
}
