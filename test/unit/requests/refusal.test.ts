import { describe, expect, it } from 'vitest';
import type { RefusalCode, RefusalDetails } from '../../../src/generation/requests/refusal.ts';
import { REFUSAL_CODES, formatWait, isRefusal, refuse } from '../../../src/generation/requests/refusal.ts';

/** One example of each refusal, as the service would build it. */
const EXAMPLES: { [K in RefusalCode]: RefusalDetails[K] } = {
  queue_full: { scope: 'user', limit: 2 },
  rate_limited: { retryAfterMs: 42_000 },
  quota_exceeded: { period: 'hour', limit: 30, retryAfterMs: 12 * 60_000 },
  blocked_term: { term: 'gore', field: 'negative prompt' },
  banned: { reason: 'spam' },
  invalid_option: { problem: 'value', option: '--steps', value: 'abc', expected: 'a whole number from 1 to 50' },
  model_unavailable: { model: 'sdxl', available: ['epicrealism'] },
  nsfw_withheld: { count: 2 },
  not_found: { what: 'generation', id: 'abc123' },
  forbidden: { action: 'delete this image', allowed: 'owner or moderator' },
  too_large: { kind: 'upscale', width: 2048, height: 2048, maxPixels: 1_048_576, maxSide: 4096 },
  crash_loop: { attempts: 2 },
  storage_unavailable: { action: 'delete the image' },
  model_broken: { model: 'tiny-sd15', available: ['epicrealism'] },
  upload_too_large: { limitBytes: 10 * 1024 * 1024, shown: 'none' },
  internal: { referenceId: 'a1b2c3d4e5' },
};

describe('the refusal table', () => {
  it('has words for every code, and they carry the facts a person needs', () => {
    const facts: Record<RefusalCode, string[]> = {
      queue_full: ['2'],
      rate_limited: ['42 seconds'],
      quota_exceeded: ['30', 'hour', '12 minutes'],
      blocked_term: ['gore', 'negative prompt'],
      banned: ['spam'],
      invalid_option: ['--steps', 'abc', '1 to 50'],
      model_unavailable: ['sdxl', 'epicrealism'],
      nsfw_withheld: ['2 images'],
      not_found: ['abc123'],
      forbidden: ['delete this image', 'moderator'],
      too_large: ['Upscaling', '2048×2048', '4,194,304 pixels', '1,048,576 pixels', '4096 pixels a side'],
      crash_loop: ['stopped Darkroom twice', 'will not be run again'],
      storage_unavailable: ['could not delete the image', 'try again later'],
      model_broken: ['tiny-sd15', 'damaged', 'epicrealism'],
      upload_too_large: ['upload limit (10 MiB)', 'could not be posted'],
      internal: ['a1b2c3d4e5'],
    };
    for (const code of REFUSAL_CODES) {
      const refusal = refuse(code, EXAMPLES[code] as never);
      expect(refusal.code).toBe(code);
      expect(isRefusal(refusal)).toBe(true);
      for (const fact of facts[code]) expect(refusal.message, code).toContain(fact);
      // Never a stack trace or an internal name in what a person reads.
      expect(refusal.message).not.toMatch(/Error|undefined|\bat \w+ \(/);
    }
  });

  it('speaks of the everyone-wide cap differently from the personal one', () => {
    expect(refuse('queue_full', { scope: 'user', limit: 2 }).message).toContain('You already have 2 jobs waiting');
    expect(refuse('queue_full', { scope: 'everyone', limit: 50 }).message).toContain('The queue is full (50 jobs waiting)');
  });

  it('rounds waits up so "try again in" is never too early', () => {
    expect(formatWait(1)).toBe('1 second');
    expect(formatWait(30_001)).toBe('31 seconds');
    expect(formatWait(10 * 60_000 + 1)).toBe('11 minutes');
    expect(formatWait(5 * 3_600_000)).toBe('5 hours');
  });
});
