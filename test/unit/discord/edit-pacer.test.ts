import { describe, expect, it } from 'vitest';
import { EditPacer } from '../../../src/bots/discord/edit-pacer.ts';

/** Calls made at the given clock times (in order); returns when each one may send. */
async function pacedTimes(gapMs: number, calls: Array<{ bucket: string; at: number }>): Promise<number[]> {
  let now = 0;
  let current = -1;
  const slept = new Map<number, number>();
  const pacer = new EditPacer(gapMs, () => now, async (ms) => {
    slept.set(current, ms);
  });
  const waits = calls.map(({ bucket, at }, index) => {
    now = at;
    current = index;
    return pacer.wait(bucket);
  });
  await Promise.all(waits);
  return calls.map(({ at }, index) => at + (slept.get(index) ?? 0));
}

describe('EditPacer', () => {
  it('spaces sends to one bucket by the gap, and keeps any 5-second window at 5 sends or fewer', async () => {
    const times = await pacedTimes(1_100, Array.from({ length: 12 }, () => ({ bucket: 'token:a', at: 0 })));
    expect(times.slice(0, 3)).toEqual([0, 1_100, 2_200]);
    for (const start of times) expect(times.filter((time) => time >= start && time < start + 5_000).length).toBeLessThanOrEqual(5);
  });

  it('does not make one bucket wait for another', async () => {
    const [a, b] = await pacedTimes(1_100, [{ bucket: 'token:a', at: 0 }, { bucket: 'token:b', at: 0 }]);
    expect([a, b]).toEqual([0, 0]);
  });

  it('lets a send through at once when the bucket has been quiet for a gap', async () => {
    const times = await pacedTimes(1_100, [{ bucket: 'channel:1', at: 0 }, { bucket: 'channel:1', at: 5_000 }]);
    expect(times).toEqual([0, 5_000]);
  });
});
