import { describe, expect, it } from 'vitest';
import { EditPacer } from '../../../src/bots/discord/edit-pacer.ts';
import { RateLimitFeedback } from '../../../src/bots/discord/rate-limit-feedback.ts';

function setup() {
  let now = 1_000;
  const starts: number[] = [];
  const pacer = new EditPacer(0, () => now, async (ms) => {
    now += ms;
  });
  const feedback = new RateLimitFeedback(pacer, () => now);
  const send = () => pacer.run('channel:111', async () => void starts.push(now));
  return { feedback, send, starts };
}

const headers = (entries: Record<string, string>) => new Headers(entries);

describe('RateLimitFeedback', () => {
  it('holds the channel of an interaction token when Discord says its bucket is spent', async () => {
    const { feedback, send, starts } = setup();
    feedback.remember('tok', '111');
    feedback.observe('/webhooks/app/tok/messages/@original', 200, headers({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset-after': '2.5' }));
    await send();
    expect(starts).toEqual([3_500]);
  });

  it('holds a channel for a 429 retry-after on a channel message route', async () => {
    const { feedback, send, starts } = setup();
    feedback.observe('/channels/111/messages/222', 429, headers({ 'retry-after': '3' }));
    await send();
    expect(starts).toEqual([4_000]);
  });

  it('ignores answers with room left, and tokens it does not know', async () => {
    const { feedback, send, starts } = setup();
    feedback.observe('/channels/111/messages/222', 200, headers({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset-after': '4' }));
    feedback.observe('/webhooks/app/unknown/messages/@original', 429, headers({ 'retry-after': '9' }));
    await send();
    expect(starts).toEqual([1_000]);
  });
});
