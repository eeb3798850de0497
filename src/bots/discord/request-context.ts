/**
 * Who is asking and where, as the service wants it ({@link RequestFrom}), read from a Discord
 * interaction or a reaction. A person moderates when Discord says they have Manage Messages in
 * the channel, or has one of the configured moderator roles, or is a configured moderator.
 */
import { PermissionFlagsBits, type Guild, type GuildMember, type User } from 'discord.js';
import type { ChatIdentity, RequestFrom } from '../../generation/requests/request.types.ts';

export interface ModeratorConfig {
  roleIds: readonly string[];
  userIds: readonly string[];
}

/** The parts of a member Discord gives in an interaction (cached GuildMember or raw API data). */
export interface MemberFacts {
  permissions: bigint | undefined;
  roleIds: readonly string[];
  nick: string | undefined;
}

export function isPlatformModerator(userId: string, member: MemberFacts | undefined, config: ModeratorConfig): boolean {
  if (config.userIds.includes(userId)) return true;
  if (member === undefined) return false;
  if (member.permissions !== undefined && (member.permissions & PermissionFlagsBits.ManageMessages) !== 0n) return true;
  return member.roleIds.some((roleId) => config.roleIds.includes(roleId));
}

/** A cached GuildMember or the raw member object of an interaction. */
export function memberFacts(member: GuildMember | { roles: string[]; nick?: string | null | undefined } | null, permissions: bigint | undefined): MemberFacts | undefined {
  if (member === null) return undefined;
  if ('roles' in member && Array.isArray(member.roles)) return { permissions, roleIds: member.roles, nick: (member as { nick?: string | null }).nick ?? undefined };
  const cached = member as GuildMember;
  return { permissions: permissions ?? cached.permissions.bitfield, roleIds: [...cached.roles.cache.keys()], nick: cached.nickname ?? undefined };
}

export function identityOf(user: User, member: MemberFacts | undefined): ChatIdentity {
  return { platform: 'discord', externalId: user.id, displayName: member?.nick ?? user.globalName ?? user.username };
}

export interface PlaceFacts {
  guild: Guild | null;
  guildId: string | null;
  channelId: string;
  nsfw: boolean;
  interactionToken: string | undefined;
}

export function requestFrom(user: User, member: MemberFacts | undefined, place: PlaceFacts, moderators: ModeratorConfig): RequestFrom {
  return {
    requester: { identity: identityOf(user, member), platformModerator: isPlatformModerator(user.id, member, moderators) },
    place: {
      workspace: place.guildId === null ? undefined : { platform: 'discord', externalId: place.guildId, name: place.guild?.name ?? place.guildId },
      channelId: place.channelId,
      chat: { messageId: undefined, interactionToken: place.interactionToken, threadTs: undefined },
      nsfwAllowed: place.nsfw,
    },
  };
}

/** The NSFW flag of a channel object (guild text channels have one; DMs do not). */
export function channelNsfw(channel: unknown): boolean {
  return typeof channel === 'object' && channel !== null && 'nsfw' in channel && (channel as { nsfw: unknown }).nsfw === true;
}
