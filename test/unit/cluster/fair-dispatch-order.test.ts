/** The dispatcher's order: one job per person per round, people served longest ago first. */
import { describe, expect, it } from 'vitest';
import { fairDispatchOrder } from '../../../src/generation/cluster/fair-dispatch-order.ts';

const job = (userId: string, n: number) => ({ id: `${userId}-${n}`, userId });

describe('fairDispatchOrder', () => {
  it('puts everyone’s first job before a flooder’s second, whoever asked first', () => {
    const queued = [...Array.from({ length: 15 }, (_, n) => job('flood', n)), job('ann', 0), job('ben', 0), job('ann', 1)];
    const order = fairDispatchOrder(queued, new Map()).map((entry) => entry.id);
    expect(order.slice(0, 5)).toEqual(['flood-0', 'ann-0', 'ben-0', 'flood-1', 'ann-1']);
    expect(order).toHaveLength(queued.length);
  });

  it('lets the person whose job started longest ago (or never) go first', () => {
    const queued = [job('ann', 0), job('ben', 0), job('cat', 0)];
    const lastStarts = new Map([
      ['ann', new Date(3_000)],
      ['ben', new Date(1_000)],
    ]);
    expect(fairDispatchOrder(queued, lastStarts).map((entry) => entry.userId)).toEqual(['cat', 'ben', 'ann']);
  });

  it('keeps each person’s own jobs in the order they asked', () => {
    const queued = [job('ann', 0), job('ann', 1), job('ann', 2)];
    expect(fairDispatchOrder(queued, new Map()).map((entry) => entry.id)).toEqual(['ann-0', 'ann-1', 'ann-2']);
  });
});
