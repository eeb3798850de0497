import { describe, expect, it } from 'vitest';
import { RecentDeliveries } from '../../../src/bots/slack/delivery-dedupe.ts';

describe('RecentDeliveries', () => {
  it('lets each delivery id through once within the TTL, and again after it', () => {
    const clock = { now: 0 };
    const seen = new RecentDeliveries(60_000, () => clock.now);
    expect(seen.firstTime('event:Ev1')).toBe(true);
    expect(seen.firstTime('event:Ev1')).toBe(false);
    expect(seen.firstTime('command:trigger-1')).toBe(true);
    clock.now = 59_999;
    expect(seen.firstTime('event:Ev1')).toBe(false);
    clock.now = 60_000;
    expect(seen.firstTime('event:Ev1')).toBe(true);
  });

  it('forgets expired ids, so memory stays bounded by the traffic of one TTL', () => {
    const clock = { now: 0 };
    const seen = new RecentDeliveries(1_000, () => clock.now);
    for (let n = 0; n < 500; n++) {
      clock.now = n * 10;
      seen.firstTime(`id-${n}`);
    }
    // Ids from the last second only (100 of them), plus the one just added.
    expect(seen.size).toBeLessThanOrEqual(101);
  });
});
