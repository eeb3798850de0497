/**
 * Who asks and where, as the adapters tell the service. Platform-free: a chat location is opaque
 * data the adapter wrote and reads back.
 */
import type { ChatLocation, Platform, UserRole } from '../../db/domain.types.ts';
import type { ChatIdentity } from '../../db/user.repository.ts';

export type { ChatLocation, Platform } from '../../db/domain.types.ts';
export type { ChatIdentity } from '../../db/user.repository.ts';

/** The person asking, as the adapter knows them. */
export interface Requester {
  identity: ChatIdentity;
  /**
   * The platform says this person moderates here (Discord role from config or Manage Messages,
   * Slack admin/owner, configured user id). Combined with the role stored in the database.
   */
  platformModerator: boolean;
}

/** Where a request was made and where its answer goes. */
export interface RequestPlace {
  /** Discord guild / Slack team; undefined for direct messages. */
  workspace: { platform: Platform; externalId: string; name: string } | undefined;
  channelId: string;
  chat: ChatLocation;
  /** The channel allows NSFW images (Discord channel flag, Slack channel listed in config). */
  nsfwAllowed: boolean;
}

/** A request from someone, somewhere. */
export interface RequestFrom {
  requester: Requester;
  place: RequestPlace;
}

/** Who owns a job, for adapters that mention or message them. */
export interface JobOwner {
  userId: string;
  platform: Platform;
  externalId: string;
  displayName: string;
}

/** A role as policies see it: the stored role, raised to moderator when the platform says so. */
export function effectiveRole(stored: UserRole, platformModerator: boolean): UserRole {
  if (stored === 'admin') return 'admin';
  return platformModerator ? 'moderator' : stored;
}
