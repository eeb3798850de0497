/**
 * Which jobs a history or usage query may cover: the filter a command asks for, and the
 * workspace the request's scope limits it to.
 */
import type { GenerationStatus } from '../../db/domain.types.ts';
import type { ChatIdentity } from '../requests/request.types.ts';
import type { Who } from '../requests/who.ts';

/** Whose jobs a history or usage query covers. */
export interface ActivityFilter {
  /** A person, or undefined for everyone the scope allows (moderators only). */
  user: ChatIdentity | undefined;
  /** Only this channel. */
  channelId: string | undefined;
  /** Only the workspace the request comes from (always true outside DMs for non-admins). */
  thisWorkspaceOnly: boolean;
  from: Date | undefined;
  before: Date | undefined;
  statuses: readonly GenerationStatus[] | undefined;
}

/**
 * The workspace a history or usage query is limited to: the request's workspace, except for a
 * person's own jobs asked for without `thisWorkspaceOnly` (/queue), and in DMs (own jobs only,
 * or everything for admins).
 */
export function activityWorkspaceId(who: Who, filter: ActivityFilter, userId: string | undefined): string | undefined {
  if (who.workspace === undefined) return undefined;
  const ownJobs = userId !== undefined && userId === who.user.id;
  return filter.thisWorkspaceOnly || !ownJobs ? who.workspace.id : undefined;
}
