/**
 * Reads Discord's rate-limit headers on every REST answer (discord.js's `response` event) and
 * holds the channel's edit lane when Discord says a bucket is spent: `X-RateLimit-Remaining: 0`
 * holds it for `X-RateLimit-Reset-After`, a 429 for its retry-after. discord.js paces each route
 * bucket on its own, but an interaction token is its own route bucket, so several jobs' messages
 * in one channel would each look fine to it while the channel as a whole runs over.
 */
import type { REST } from 'discord.js';
import type { EditPacer } from './edit-pacer.ts';

/** Tokens remembered (an interaction token lives 15 minutes; a busy bot sees a few thousand). */
const TOKENS_REMEMBERED = 5_000;

export class RateLimitFeedback {
  readonly #tokenChannels = new Map<string, string>();

  constructor(
    private readonly pacer: EditPacer,
    private readonly now: () => number,
  ) {}

  /** Listens to the answers of this REST manager. */
  attach(rest: REST): void {
    rest.on('response', (request, response) => this.observe(request.path, response.status, response.headers));
  }

  /** The channel an interaction token's messages are in (webhook routes do not name it). */
  remember(token: string, channelId: string): void {
    this.#tokenChannels.delete(token);
    this.#tokenChannels.set(token, channelId);
    for (const oldest of this.#tokenChannels.keys()) {
      if (this.#tokenChannels.size <= TOKENS_REMEMBERED) break;
      this.#tokenChannels.delete(oldest);
    }
  }

  /** One answer: the request path (below /api/vN), its status and headers. */
  observe(path: string, status: number, headers: Pick<Headers, 'get'>): void {
    const channelId = this.#channelOf(path);
    if (channelId === undefined) return;
    const resetAfter = seconds(headers.get('x-ratelimit-reset-after'));
    const retryAfter = seconds(headers.get('retry-after'));
    let holdMs: number | undefined;
    if (status === 429) holdMs = Math.max(resetAfter ?? 0, retryAfter ?? 0, 1);
    else if (headers.get('x-ratelimit-remaining') === '0' && resetAfter !== undefined) holdMs = resetAfter;
    if (holdMs !== undefined) this.pacer.holdUntil(`channel:${channelId}`, this.now() + holdMs * 1000);
  }

  #channelOf(path: string): string | undefined {
    const channel = /^\/channels\/(\d+)\/messages\//.exec(path);
    if (channel !== null) return channel[1];
    const webhook = /^\/webhooks\/[^/]+\/([^/]+)\/messages\//.exec(path);
    return webhook === null ? undefined : this.#tokenChannels.get(webhook[1] ?? '');
  }
}

function seconds(value: string | null): number | undefined {
  if (value === null) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed >= 0 ? parsed : undefined;
}
