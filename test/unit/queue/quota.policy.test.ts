import { describe, expect, it } from 'vitest';
import type { AcceptedJobCounter } from '../../../src/generation/queue/index.ts';
import { QuotaPolicy } from '../../../src/generation/queue/index.ts';

const HOUR = 3_600_000;

/** Accepted jobs as timestamps, like the history table. */
class FakeCounter implements AcceptedJobCounter {
  readonly accepted = new Map<string, number[]>();

  add(userId: string, at: number): void {
    this.accepted.set(userId, [...(this.accepted.get(userId) ?? []), at]);
  }

  queries = 0;

  async acceptedSince(userId: string, windowStarts: readonly Date[]) {
    this.queries++;
    return windowStarts.map((since) => {
      const times = (this.accepted.get(userId) ?? []).filter((time) => time >= since.getTime());
      return { count: times.length, oldest: times.length > 0 ? new Date(Math.min(...times)) : undefined };
    });
  }
}

function makePolicy() {
  const clock = { now: Date.UTC(2026, 0, 1, 12) };
  const counter = new FakeCounter();
  const policy = new QuotaPolicy(
    { default: { perHour: 3, perDay: 5 }, roles: { moderator: { perHour: null, perDay: null }, admin: { perDay: 100 } } },
    counter,
    () => clock.now,
  );
  return { clock, counter, policy };
}

describe('QuotaPolicy', () => {
  it('refuses the 4th job in an hour and says when the oldest leaves the window', async () => {
    const { clock, counter, policy } = makePolicy();
    for (const minutes of [0, 10, 20]) counter.add('u', clock.now + minutes * 60_000);
    clock.now += 30 * 60_000;
    expect(await policy.check('u', 'user')).toEqual({
      ok: false,
      refusal: { code: 'quota_exceeded', period: 'hour', limit: 3, retryAfterMs: 30 * 60_000 },
    });
    clock.now += 30 * 60_000 + 1;
    expect(await policy.check('u', 'user')).toEqual({ ok: true });
  });

  it('counts the day as a rolling 24 hours', async () => {
    const { clock, counter, policy } = makePolicy();
    for (let hour = 0; hour < 5; hour++) counter.add('u', clock.now + hour * HOUR);
    clock.now += 10 * HOUR;
    const check = await policy.check('u', 'user');
    expect(check.ok ? undefined : check.refusal).toMatchObject({ period: 'day', limit: 5, retryAfterMs: 14 * HOUR });
    clock.now += 14 * HOUR + 1;
    expect((await policy.check('u', 'user')).ok).toBe(true);
  });

  it('applies role overrides: moderators unlimited, admins inherit moderator and add their own', async () => {
    const { clock, counter, policy } = makePolicy();
    for (let n = 0; n < 50; n++) counter.add('m', clock.now);
    expect((await policy.check('m', 'moderator')).ok).toBe(true);
    expect(policy.limitsFor('admin')).toEqual({ perHour: null, perDay: 100 });
    expect(policy.limitsFor('user')).toEqual({ perHour: 3, perDay: 5 });
  });

  it('asks the counter once for both windows, and not at all when unlimited', async () => {
    const { counter, policy } = makePolicy();
    await policy.check('u', 'user');
    expect(counter.queries).toBe(1);
    await policy.check('u', 'moderator');
    expect(counter.queries).toBe(1);
  });

  it('counts each person separately', async () => {
    const { clock, counter, policy } = makePolicy();
    for (let n = 0; n < 3; n++) counter.add('a', clock.now);
    expect((await policy.check('a', 'user')).ok).toBe(false);
    expect((await policy.check('b', 'user')).ok).toBe(true);
  });
});
