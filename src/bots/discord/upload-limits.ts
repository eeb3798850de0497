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

/** What was learned in one guild: the smallest size refused, the largest taken since. */
interface Learned {
  refused: number;
  accepted: number | undefined;
}

export class UploadLimits {
  readonly #learned = new Map<string, Learned>();

  /** Bytes of files a message may carry in this guild (undefined: a DM), as far as known. */
  limitFor(guildId: string | undefined, premiumTier: number | undefined): number {
    const table = guildId === undefined ? DEFAULT_UPLOAD_LIMIT : (UPLOAD_LIMIT_BY_TIER[premiumTier ?? 0] ?? DEFAULT_UPLOAD_LIMIT);
    const learned = this.#learned.get(guildId ?? 'dm');
    return learned === undefined ? table : Math.min(table, learned.refused - 1);
  }

  /**
   * Bytes of files to aim for: the limit less `overheadBytes` (multipart framing, JSON); once
   * Discord refused a size here, the most it has taken since (else half the refused size).
   */
  budgetFor(guildId: string | undefined, premiumTier: number | undefined, overheadBytes: number): number {
    const learned = this.#learned.get(guildId ?? 'dm');
    const limit = this.limitFor(guildId, premiumTier) - overheadBytes;
    return learned === undefined ? limit : Math.min(limit, learned.accepted ?? Math.floor(learned.refused / 2));
  }

  /** Discord refused `bytes` of files in this guild: the limit there is smaller. */
  refused(guildId: string | undefined, bytes: number): void {
    const key = guildId ?? 'dm';
    const learned = this.#learned.get(key);
    const refused = Math.min(bytes, learned?.refused ?? Infinity);
    const accepted = learned?.accepted !== undefined && learned.accepted < refused ? learned.accepted : undefined;
    this.#learned.delete(key);
    this.#learned.set(key, { refused, accepted });
    for (const oldest of this.#learned.keys()) {
      if (this.#learned.size <= GUILDS_REMEMBERED) break;
      this.#learned.delete(oldest);
    }
  }

  /** Discord took `bytes` of files in this guild. */
  accepted(guildId: string | undefined, bytes: number): void {
    const learned = this.#learned.get(guildId ?? 'dm');
    if (learned !== undefined && bytes > 0 && bytes < learned.refused) learned.accepted = Math.max(bytes, learned.accepted ?? 0);
  }
}
