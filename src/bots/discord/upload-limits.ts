/**
 * How many bytes of files one Discord message may carry in a guild. Discord sets it by the
 * guild's boost tier (bots included): 10 MiB unboosted and at tier 1, 50 MiB at tier 2, 100 MiB
 * at tier 3; direct messages 10 MiB. Discord has moved these numbers before, so a refusal
 * (40005 "Request entity too large", or HTTP 413) is believed over the table: the size that was
 * refused caps that guild's limit from then on.
 */
import { DiscordAPIError, HTTPError, RESTJSONErrorCodes } from 'discord.js';

const MIB = 1024 * 1024;
/** By `premium_tier` 0–3. */
export const UPLOAD_LIMIT_BY_TIER: readonly number[] = [10 * MIB, 10 * MIB, 50 * MIB, 100 * MIB];
/** Direct messages and anything whose guild is unknown. */
export const DEFAULT_UPLOAD_LIMIT = 10 * MIB;
/** Guilds whose refusals are remembered. */
const GUILDS_REMEMBERED = 10_000;

/** Discord refused a request because its files were too large. */
export function isTooLarge(error: unknown): boolean {
  if (error instanceof DiscordAPIError) return error.code === RESTJSONErrorCodes.RequestEntityTooLarge || error.status === 413;
  return error instanceof HTTPError && error.status === 413;
}

export class UploadLimits {
  readonly #refused = new Map<string, number>();

  /** Bytes of files a message may carry in this guild (undefined: a DM). */
  limitFor(guildId: string | undefined, premiumTier: number | undefined): number {
    const table = guildId === undefined ? DEFAULT_UPLOAD_LIMIT : (UPLOAD_LIMIT_BY_TIER[premiumTier ?? 0] ?? DEFAULT_UPLOAD_LIMIT);
    const refused = this.#refused.get(guildId ?? 'dm');
    return refused === undefined ? table : Math.min(table, refused - 1);
  }

  /** Discord refused `bytes` of files in this guild: the limit there is smaller. */
  refused(guildId: string | undefined, bytes: number): void {
    const key = guildId ?? 'dm';
    this.#refused.set(key, Math.min(bytes, this.#refused.get(key) ?? Infinity));
    for (const oldest of this.#refused.keys()) {
      if (this.#refused.size <= GUILDS_REMEMBERED) break;
      this.#refused.delete(oldest);
    }
  }
}
