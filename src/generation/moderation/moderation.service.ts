/**
 * Moderation: bans, the blocked-term list, history and usage, and the audit log. Every change a
 * moderator makes is written to the audit log (who, what, whom, why, when). People who are not
 * moderators may only read their own history. Everything is scoped to the workspace the request
 * comes from (see who.ts): a moderator bans in their workspace, reads their workspace's history,
 * usage and audit log; only admins ban everywhere or change the global block list.
 */
import type { Logger } from 'pino';
import type { BlockedTerm, ModerationAction, User } from '../../db/domain.types.ts';
import type { HistoryCursor, HistoryPage } from '../../db/generation.repository.ts';
import type { Repositories } from '../../db/repositories.ts';
import type { UsageRepository, UsageSummary } from '../../db/usage.repository.ts';
import type { LimitsConfig } from '../../config/config.types.ts';
import { activityWorkspaceId, type ActivityFilter } from './activity-scope.ts';
import { BanChanges, type BanScope } from './ban-changes.ts';
import { ownerOf } from '../requests/who.ts';
import { PolicyCache } from '../requests/policy-cache.ts';
import { refuse, type Refusal } from '../requests/refusal.ts';
import type { ChatIdentity, JobOwner, RequestFrom } from '../requests/request.types.ts';
import { safeOptionalText, safeText } from '../requests/text-safety.ts';
import { WhoResolver, isModerator, type Who } from '../requests/who.ts';

export interface ModerationServiceOptions {
  repositories: Pick<Repositories, 'users' | 'workspaces' | 'workspaceBans' | 'generations' | 'moderation' | 'blockedTerms'>;
  usage: Pick<UsageRepository, 'summarize'>;
  limits: LimitsConfig;
  /** The always-blocked terms from the config (listed, not editable here). */
  configTerms: readonly string[];
  /** Shared with the GenerationService: bans and block-list changes take effect at once. */
  cache: PolicyCache;
  logger: Logger;
}

export type Moderated<T> = ({ ok: true } & T) | Refusal;
export type { BanScope } from './ban-changes.ts';
export type { ActivityFilter } from './activity-scope.ts';

const MODERATOR_ONLY = (action: string) => refuse('forbidden', { action, allowed: 'moderator' });

export class ModerationService {
  readonly #who: WhoResolver;
  readonly #bans: BanChanges;

  constructor(private readonly options: ModerationServiceOptions) {
    const { users, workspaces, workspaceBans } = options.repositories;
    this.#who = new WhoResolver({ users, workspaces, workspaceBans, limits: options.limits, cache: options.cache });
    this.#bans = new BanChanges({ repositories: { users, workspaceBans }, cache: options.cache });
  }

  /**
   * Bans a person in this workspace (moderators), or everywhere, every workspace and DMs (`global`,
   * admins only: the operator-level ban in `User.banned`).
   */
  async ban(target: ChatIdentity, scope: BanScope, by: RequestFrom, reason: string | undefined): Promise<Moderated<{ user: User }>> {
    return this.#changeBan(target, scope, by, reason, true);
  }

  /** Lifts a ban of this workspace (moderators) or the operator-level one (`global`, admins). */
  async unban(target: ChatIdentity, scope: BanScope, by: RequestFrom, reason: string | undefined): Promise<Moderated<{ user: User }>> {
    return this.#changeBan(target, scope, by, reason, false);
  }

  /** Adds a blocked term to this workspace's list, or (admins) to the global list. */
  async blockTerm(typed: string, scope: 'workspace' | 'global', by: RequestFrom, typedReason: string | undefined): Promise<Moderated<{ added: boolean; term: string }>> {
    const [safeTerm, safeReason] = [safeText('term', typed), safeOptionalText('reason', typedReason)];
    if (!safeTerm.ok) return safeTerm;
    if (!safeReason.ok) return safeReason;
    const [term, reason] = [safeTerm.text, safeReason.text];
    const who = await this.#who.resolve(by.requester, by.place.workspace);
    const workspaceId = this.#scopeId(who, scope);
    if (typeof workspaceId === 'object') return workspaceId;
    const result = await this.options.repositories.blockedTerms.add({ workspaceId, term, createdById: who.user.id });
    if (!result.ok && result.code === 'empty_term') {
      return refuse('invalid_option', { problem: 'missing', option: 'term', expected: 'the word or phrase to block' });
    }
    if (!result.ok) return { ok: true, added: false, term: term.trim() };
    this.#forgetTerms(workspaceId);
    await this.#audit(who, 'block_term', undefined, reason, { term: result.term.term, scope });
    return { ok: true, added: true, term: result.term.term };
  }

  async unblockTerm(typed: string, scope: 'workspace' | 'global', by: RequestFrom, typedReason: string | undefined): Promise<Moderated<{ removed: boolean }>> {
    const [safeTerm, safeReason] = [safeText('term', typed), safeOptionalText('reason', typedReason)];
    if (!safeTerm.ok) return safeTerm;
    if (!safeReason.ok) return safeReason;
    const [term, reason] = [safeTerm.text, safeReason.text];
    const who = await this.#who.resolve(by.requester, by.place.workspace);
    const workspaceId = this.#scopeId(who, scope);
    if (typeof workspaceId === 'object') return workspaceId;
    const removed = await this.options.repositories.blockedTerms.remove(workspaceId, term);
    if (removed) this.#forgetTerms(workspaceId);
    if (removed) await this.#audit(who, 'unblock_term', undefined, reason, { term: term.trim(), scope });
    return { ok: true, removed };
  }

  /** The terms that apply here: from the config, global, and this workspace's own. */
  async listTerms(by: RequestFrom): Promise<Moderated<{ config: readonly string[]; global: BlockedTerm[]; workspace: BlockedTerm[] }>> {
    const who = await this.#who.resolve(by.requester, by.place.workspace);
    if (!isModerator(who)) return MODERATOR_ONLY('see the blocked terms');
    const { blockedTerms } = this.options.repositories;
    const [global, workspace] = await Promise.all([
      blockedTerms.list(undefined),
      who.workspace === undefined ? Promise.resolve([]) : blockedTerms.list(who.workspace.id),
    ]);
    return { ok: true, config: this.options.configTerms, global, workspace };
  }

  /** Jobs, newest first, one page at a time. Without moderator rights: only your own. */
  async history(by: RequestFrom, filter: ActivityFilter, page: { limit: number; after: HistoryCursor | undefined }): Promise<Moderated<HistoryPage>> {
    const who = await this.#who.resolve(by.requester, by.place.workspace);
    const userId = await this.#subjectUserId(who, filter.user);
    if (typeof userId === 'object') return userId;
    const pageResult = await this.options.repositories.generations.history(
      {
        userId,
        workspaceId: activityWorkspaceId(who, filter, userId),
        channelId: filter.channelId,
        queuedFrom: filter.from,
        queuedBefore: filter.before,
        statuses: filter.statuses,
      },
      page,
    );
    return { ok: true, ...pageResult };
  }

  /** Who made the jobs a history page lists (by user id), so moderators see who made what. */
  async owners(userIds: readonly string[]): Promise<Map<string, JobOwner>> {
    const distinct = [...new Set(userIds)];
    const owners = await Promise.all(distinct.map((userId) => ownerOf(this.options.repositories.users, userId)));
    return new Map(owners.map((owner) => [owner.userId, owner]));
  }

  /** Jobs, images, GPU seconds and failures, by person and by day (moderators; others see their own). */
  async usage(by: RequestFrom, filter: ActivityFilter): Promise<Moderated<{ summary: UsageSummary }>> {
    const who = await this.#who.resolve(by.requester, by.place.workspace);
    const userId = await this.#subjectUserId(who, filter.user);
    if (typeof userId === 'object') return userId;
    const summary = await this.options.usage.summarize({
      userId,
      workspaceId: activityWorkspaceId(who, filter, userId),
      from: filter.from,
      before: filter.before,
    });
    return { ok: true, summary };
  }

  /** The audit log of this workspace, newest first. */
  async audit(by: RequestFrom, page: { limit: number; beforeId: number | undefined }): Promise<Moderated<{ entries: ModerationAction[] }>> {
    const who = await this.#who.resolve(by.requester, by.place.workspace);
    if (!isModerator(who)) return MODERATOR_ONLY('read the audit log');
    const entries = await this.options.repositories.moderation.list({
      workspaceId: who.workspace?.id,
      actorId: undefined,
      targetUserId: undefined,
      limit: page.limit,
      beforeId: page.beforeId,
    });
    return { ok: true, entries };
  }

  async #changeBan(target: ChatIdentity, scope: BanScope, by: RequestFrom, typedReason: string | undefined, ban: boolean): Promise<Moderated<{ user: User }>> {
    const safeReason = safeOptionalText('reason', typedReason);
    if (!safeReason.ok) return safeReason;
    const who = await this.#who.resolve(by.requester, by.place.workspace);
    const changed = await this.#bans.change(who, target, scope, safeReason.text, ban);
    if (!changed.ok) return changed;
    await this.#audit(who, ban ? 'ban' : 'unban', changed.user.id, safeReason.text, { scope });
    this.options.logger.info({ actor: who.user.id, target: changed.user.id, action: ban ? 'ban' : 'unban', scope, workspaceId: who.workspace?.id }, 'moderation.ban_changed');
    return changed;
  }

  /** Block-list changes apply to the next request: one workspace's list, or every list for a global term. */
  #forgetTerms(workspaceId: string | undefined): void {
    if (workspaceId === undefined) this.options.cache.blockedTerms.clear();
    else this.options.cache.blockedTerms.delete(workspaceId);
  }

  /** The workspace id for a term scope, or a refusal: workspace lists need a moderator, the global list an admin. */
  #scopeId(who: Who, scope: 'workspace' | 'global'): string | undefined | Refusal {
    if (!isModerator(who)) return MODERATOR_ONLY('change the blocked terms');
    if (scope === 'global') return who.role === 'admin' ? undefined : refuse('forbidden', { action: 'change the global blocked terms', allowed: 'admin' });
    if (who.workspace === undefined) return refuse('forbidden', { action: 'change blocked terms in a direct message', allowed: 'no one' });
    return who.workspace.id;
  }

  /** The user a history/usage query is about; non-moderators can only ask about themselves. */
  async #subjectUserId(who: Who, subject: ChatIdentity | undefined): Promise<string | undefined | Refusal> {
    const isSelf = subject !== undefined && subject.platform === who.user.platform && subject.externalId === who.user.externalId;
    if (!isModerator(who) && !isSelf) return MODERATOR_ONLY("see other people's activity");
    if (subject === undefined) return undefined;
    if (isSelf) return who.user.id;
    const user = await this.options.repositories.users.findByExternalId(subject.platform, subject.externalId);
    // Someone who never used Darkroom has no history: a user id that matches nothing.
    return user?.id ?? `none:${subject.externalId}`;
  }

  async #audit(who: Who, action: ModerationAction['action'], targetUserId: string | undefined, reason: string | undefined, details: Record<string, string>): Promise<void> {
    await this.options.repositories.moderation.record({
      actorId: who.user.id,
      action,
      workspaceId: who.workspace?.id,
      targetUserId,
      targetGenerationId: undefined,
      reason,
      details,
    });
  }
}
