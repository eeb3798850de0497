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
}

/**
 * Limits as observed on Discord (they are not documented and change): message sends and edits
 * about 5 per 5 s per channel, interaction follow-ups and edits about 5 per 5 s per token,
 * reactions 1 per 250 ms per channel. Interaction callbacks are not limited.
 */
export const DISCORD_LIKE_RULES: readonly BucketRule[] = [
  { name: 'webhook-message', methods: ['POST', 'PATCH', 'DELETE'], pattern: /^\/webhooks\/([^/]+\/[^/]+)(?:\/messages\/[^/]+)?$/, limit: 5, windowMs: 5_000 },
  { name: 'channel-message-create', methods: ['POST'], pattern: /^\/channels\/([^/]+)\/messages$/, limit: 5, windowMs: 5_000 },
  { name: 'channel-message-edit', methods: ['PATCH'], pattern: /^\/channels\/([^/]+)\/messages\/[^/]+$/, limit: 5, windowMs: 5_000 },
  { name: 'channel-message-delete', methods: ['DELETE'], pattern: /^\/channels\/([^/]+)\/messages\/[^/]+$/, limit: 5, windowMs: 1_000 },
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

  /** Counts the request against its bucket (if any) and says whether it may go through. */
  take(method: string, path: string): RateDecision {
    const rule = this.rules.find((candidate) => candidate.methods.includes(method) && candidate.pattern.test(path));
    if (rule === undefined) return { allowed: true, headers: {}, bucket: undefined, retryAfterMs: 0 };
    const major = rule.pattern.exec(path)?.[1] ?? '';
    const key = `${rule.name}:${major}`;
    const now = this.now();
    let window = this.#windows.get(key);
    if (window === undefined || now - window.startedAt >= rule.windowMs) {
      window = { startedAt: now, used: 0 };
      this.#windows.set(key, window);
    }
    const resetAt = window.startedAt + rule.windowMs;
    const resetAfterMs = Math.max(0, resetAt - now);
    const allowed = window.used < rule.limit;
    if (allowed) window.used++;
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(rule.limit),
      'x-ratelimit-remaining': String(Math.max(0, rule.limit - window.used)),
      'x-ratelimit-reset': (resetAt / 1000).toFixed(3),
      'x-ratelimit-reset-after': (resetAfterMs / 1000).toFixed(3),
      'x-ratelimit-bucket': rule.name,
    };
    if (!allowed) {
      headers['retry-after'] = String(Math.max(1, Math.ceil(resetAfterMs / 1000)));
      headers['x-ratelimit-scope'] = 'user';
    }
    return { allowed, headers, bucket: key, retryAfterMs: resetAfterMs };
  }
}
