/**
 * Discord's upload limit as the fake enforces it: the files of one request together may not be
 * larger than the guild's limit (by boost tier: 10 MiB unboosted and tier 1, 50 MiB tier 2,
 * 100 MiB tier 3; DMs 10 MiB), else 413 with JSON code 40005 "Request entity too large", as
 * Discord answers. `override` stands for Discord having moved its limit (all channels).
 */
import type { FakeDiscordWorld } from './fake-discord.world.ts';
import type { RouteAnswer } from './fake-rest.answers.ts';
import type { FilePart } from './request-body.reader.ts';

const MIB = 1024 * 1024;
const BY_TIER = [10 * MIB, 10 * MIB, 50 * MIB, 100 * MIB];

/** The limit in a channel (undefined channel: the DM default). */
export function uploadLimit(world: FakeDiscordWorld, channelId: string | undefined): number {
  if (world.options.uploadLimitBytes !== undefined) return world.options.uploadLimitBytes;
  const guildId = channelId === undefined ? undefined : world.channels.get(channelId)?.guildId;
  const tier = guildId === undefined ? 0 : (world.guilds.get(guildId)?.premiumTier ?? 0);
  return BY_TIER[tier] ?? 10 * MIB;
}

/** 413 / 40005 when the files are over the channel's limit; undefined when they fit. */
export function tooLarge(world: FakeDiscordWorld, channelId: string | undefined, files: readonly FilePart[], request: string): RouteAnswer | undefined {
  const bytes = files.reduce((total, file) => total + file.bytes.length, 0);
  const limit = uploadLimit(world, channelId);
  if (bytes <= limit) return undefined;
  world.uploadRefusals.push({ request, bytes, limit });
  return { status: 413, json: { code: 40005, message: 'Request entity too large' } };
}
