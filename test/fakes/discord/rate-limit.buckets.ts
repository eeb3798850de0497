/**
 * Discord-style per-route rate limits: each route belongs to a bucket, counted separately per
 * "major parameter" (channel id, or webhook id + token), in fixed windows. Every answer carries
 * `X-RateLimit-Limit / Remaining / Reset / Reset-After / Bucket` so a well-behaved client can
 * pace itself; a request over the limit gets 429 with `retry_after` (seconds) and `Retry-After`.
 */
export interface BucketRule {
  /** Bucket name (reported as `X-RateLimit-Bucket`). */
  name: string;
  methods: readonly string[];
  /** Matches the decoded path below /api/v10; group 1 is the major parameter. */
  pattern: RegExp;
  limit: number;
  windowMs: number;
  /**
   * What the bucket is counted per: the pattern's group 1 (default), or the channel the request's
   * message is in (so edits through different interaction tokens in one channel share it).
   */
  per?: 'match' | 'channel';
}

/**
 * Limits as observed on Discord (they are not documented and change): message sends and edits
 * about 5 per 5 s per channel, interaction follow-ups and edits about 5 per 5 s per token,
 * reactions 1 per 250 ms per channel. Interaction callbacks are not limited. Edits of any message
 * in a channel, with the bot token or any interaction token, also share one channel-wide limit
 * (several jobs' messages in one channel met 429s in production although each token was paced).
 */
export const DISCORD_LIKE_RULES: readonly BucketRule[] = [
  { name: 'webhook-message', methods: ['POST', 'PATCH', 'DELETE'], pattern: /^\/webhooks\/([^/]+\/[^/]+)(?:\/messages\/[^/]+)?$/, limit: 5, windowMs: 5_000 },
  { name: 'channel-message-create', methods: ['POST'], pattern: /^\/channels\/([^/]+)\/messages$/, limit: 5, windowMs: 5_000 },
  { name: 'channel-message-edit', methods: ['PATCH'], pattern: /^\/channels\/([^/]+)\/messages\/[^/]+$/, limit: 5, windowMs: 5_000 },
  { name: 'channel-message-delete', methods: ['DELETE'], pattern: /^\/channels\/([^/]+)\/messages\/[^/]+$/, limit: 5, windowMs: 1_000 },
  {
    name: 'channel-edits',
    methods: ['PATCH'],
    pattern: /^\/(?:webhooks\/[^/]+\/[^/]+|channels\/[^/]+)\/messages\/[^/]+$/,
    limit: 5,
    windowMs: 5_000,
    per: 'channel',
  },
  { name: 'reaction', methods: ['PUT', 'DELETE'], pattern: /^\/channels\/([^/]+)\/messages\/[^/]+\/reactions\/.+$/, limit: 1, windowMs: 250 },
];

export interface RateDecision {
  allowed: boolean;
  headers: Record<string, string>;
  bucket: string | undefined;
  retryAfterMs: number;
}

interface Window {
  startedAt: number;
  used: number;
}

export class RateLimitBuckets {
  readonly #windows = new Map<string, Window>();

  constructor(
    private readonly rules: readonly BucketRule[],
    private readonly now: () => number,
  ) {}

  /**
   * Counts the request against every bucket it belongs to and says whether it may go through
   * (only if every bucket has room; a refused request counts nowhere). `channelOf` names the
   * channel of a request's message, for channel-wide buckets.
   */
  take(method: string, path: string, channelOf: (path: string) => string | undefined = () => undefined): RateDecision {
    const now = this.now();
    const matched = this.rules
      .filter((rule) => rule.methods.includes(method) && rule.pattern.test(path))
      .map((rule) => {
        const major = rule.per === 'channel' ? channelOf(path) : (rule.pattern.exec(path)?.[1] ?? '');
        return major === undefined ? undefined : { rule, key: `${rule.name}:${major}` };
      })
      .filter((entry): entry is { rule: BucketRule; key: string } => entry !== undefined);
    if (matched.length === 0) return { allowed: true, headers: {}, bucket: undefined, retryAfterMs: 0 };
    const windows = matched.map(({ rule, key }) => {
      let window = this.#windows.get(key);
      if (window === undefined || now - window.startedAt >= rule.windowMs) {
        window = { startedAt: now, used: 0 };
        this.#windows.set(key, window);
      }
      return { rule, key, window };
    });
    const full = windows.find(({ rule, window }) => window.used >= rule.limit);
    if (full === undefined) for (const { window } of windows) window.used++;
    // The headers describe the bucket that refused, else the one with the least room left.
    const shown = full ?? [...windows].sort((a, b) => a.rule.limit - a.window.used - (b.rule.limit - b.window.used))[0];
    if (shown === undefined) throw new Error('unreachable: no bucket');
    const { rule, key, window } = shown;
    const resetAt = window.startedAt + rule.windowMs;
    const resetAfterMs = Math.max(0, resetAt - now);
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(rule.limit),
      'x-ratelimit-remaining': String(Math.max(0, rule.limit - window.used)),
      'x-ratelimit-reset': (resetAt / 1000).toFixed(3),
      'x-ratelimit-reset-after': (resetAfterMs / 1000).toFixed(3),
      'x-ratelimit-bucket': rule.name,
    };
    if (full !== undefined) {
      headers['retry-after'] = String(Math.max(1, Math.ceil(resetAfterMs / 1000)));
      headers['x-ratelimit-scope'] = 'user';
    }
    return { allowed: full === undefined, headers, bucket: key, retryAfterMs: full === undefined ? 0 : resetAfterMs };
  }
}
