import { describe, expect, it } from 'vitest';
import { EditPacer } from '../../../src/bots/discord/edit-pacer.ts';

/** A pacer on a manual clock: sleeping moves the clock, each request takes `requestMs`. */
function pacedRun(gapMs: number, requestMs: number) {
  let now = 0;
  const starts: Array<{ bucket: string; at: number }> = [];
  const pacer = new EditPacer(gapMs, () => now, async (ms) => {
    now += ms;
  });
  const send = (bucket: string) =>
    pacer.run(bucket, async () => {
      starts.push({ bucket, at: now });
      now += requestMs;
    });
  return { pacer, send, starts, setNow: (at: number) => (now = at) };
}

describe('EditPacer', () => {
  it('runs one bucket one request at a time, each a gap after the previous one finished', async () => {
    const { send, starts } = pacedRun(1_000, 300);
    await Promise.all(Array.from({ length: 4 }, () => send('channel:1')));
    expect(starts.map((start) => start.at)).toEqual([0, 1_300, 2_600, 3_900]);
  });

  it('keeps any 5-second window at 5 requests or fewer however long requests take', async () => {
    for (const requestMs of [0, 50, 700, 4_000]) {
      const { send, starts } = pacedRun(1_000, requestMs);
      await Promise.all(Array.from({ length: 12 }, () => send('channel:1')));
      // A request reaches Discord somewhere between its start and its end.
      const ends = starts.map((start) => start.at + requestMs);
      for (let index = 0; index + 5 < starts.length; index++) expect((starts[index + 5]?.at ?? 0) - (ends[index] ?? 0)).toBeGreaterThanOrEqual(5_000);
    }
  });

  it('does not make one channel wait for another', async () => {
    const { send, starts } = pacedRun(1_000, 0);
    await Promise.all([send('channel:1'), send('channel:2')]);
    expect(starts).toEqual([
      { bucket: 'channel:1', at: 0 },
      { bucket: 'channel:2', at: 0 },
    ]);
  });

  it('lets a request through at once when the channel has been quiet for a gap', async () => {
    const { send, starts, setNow } = pacedRun(1_000, 0);
    await send('channel:1');
    setNow(5_000);
    await send('channel:1');
    expect(starts.map((start) => start.at)).toEqual([0, 5_000]);
  });

  it('holds a channel until the time Discord named', async () => {
    const { pacer, send, starts } = pacedRun(1_000, 0);
    pacer.holdUntil('channel:1', 4_000);
    await send('channel:2');
    await send('channel:1');
    expect(starts).toEqual([
      { bucket: 'channel:2', at: 0 },
      { bucket: 'channel:1', at: 4_000 },
    ]);
  });

  it('goes on with the next request when one fails', async () => {
    const { pacer } = pacedRun(0, 0);
    const failed = pacer.run('channel:1', () => Promise.reject(new Error('boom')));
    const next = pacer.run('channel:1', async () => 'sent');
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('sent');
  });
});
