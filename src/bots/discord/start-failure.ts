/**
 * What a failed Discord login means, for the start-up retry (src/lifecycle/chat-connect.ts):
 * discord.js turns Discord's 401 on `GET /gateway/bot` into `TokenInvalid`; the gateway closes
 * with 4004 for a token it does not accept; a network failure or a Discord outage (5xx) is
 * worth another try.
 */
import type { ChatStartFailure } from '../../lifecycle/chat-connect.ts';
import { isNetworkFailure } from '../../lifecycle/network-failure.ts';

/** The sentence for a refused Discord token. */
export const DISCORD_TOKEN_REFUSED =
  'Discord refused the bot token (DISCORD_TOKEN): reset it in the Developer Portal → your application → Bot → Reset Token, put the new one in DISCORD_TOKEN, then start again.';

/** `refused` (no retry), `unreachable` (retry), or undefined for anything else (a bug). */
export function classifyDiscordStartFailure(error: unknown): ChatStartFailure | undefined {
  const fields = (typeof error === 'object' && error !== null ? error : {}) as { code?: unknown; status?: unknown };
  if (fields.code === 'TokenInvalid' || fields.code === 4004 || fields.status === 401 || fields.status === 403) return 'refused';
  if (typeof fields.status === 'number' && fields.status >= 500) return 'unreachable';
  if (isNetworkFailure(error)) return 'unreachable';
  return undefined;
}
