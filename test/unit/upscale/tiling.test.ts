import { describe, expect, it } from 'vitest';
import { planAxis, planTiles, reflectIndex, type AxisLimit } from '../../../src/generation/upscale/tiling.ts';

/** The guarantees a seam-free crop stitch relies on, broken for one axis plan (empty = all hold). */
function axisViolations(length: number, limit: AxisLimit, pad: number): string[] {
  const segments = planAxis(length, limit, pad);
  const feed = segments[0]?.feedLength ?? 0;
  const margin = Math.min(pad, Math.floor(feed / 4));
  const problems: string[] = [];
  const check = (ok: boolean, what: string): void => {
    if (!ok) problems.push(`length ${length}, ${JSON.stringify(limit)}, pad ${pad}: ${what}`);
  };
  let cursor = 0;
  for (const segment of segments) {
    const windowEnd = segment.windowStart + segment.windowLength;
    // Every run gets the same input length, which the model accepts.
    check(segment.feedLength === feed, 'feed length varies');
    if (limit.kind === 'fixed') check(feed === limit.size, 'feed is not the fixed size');
    else check(feed <= limit.maxLength && feed % limit.multiple === 0, 'feed too long or not a multiple');
    // Cores tile the axis with no gap and no overlap.
    check(segment.coreStart === cursor && segment.coreEnd > segment.coreStart, 'cores do not tile the axis');
    cursor = segment.coreEnd;
    // The window holds only real pixels and contains the core.
    check(segment.windowLength === Math.min(feed, length), 'window length');
    check(segment.windowStart >= 0 && windowEnd <= length, 'window leaves the image');
    check(segment.coreStart >= segment.windowStart && segment.coreEnd <= windowEnd, 'core outside its window');
    // Wherever a core edge is not an image edge, the window reaches `margin` real pixels past it.
    check(segment.coreStart === 0 || segment.coreStart - segment.windowStart >= margin, 'left context too small');
    check(segment.coreEnd === length || windowEnd - segment.coreEnd >= margin, 'right context too small');
  }
  check(cursor === length, 'cores stop short');
  return problems;
}

describe('planAxis', () => {
  it('keeps every core covered with pad pixels of context, for many lengths, tiles, pads and fixed sizes', () => {
    const problems: string[] = [];
    for (let length = 1; length <= 700; length += 3) {
      for (const pad of [0, 1, 10, 16]) {
        problems.push(...axisViolations(length, { kind: 'dynamic', maxLength: 64 + 2 * pad, multiple: 1 }, pad));
        problems.push(...axisViolations(length, { kind: 'dynamic', maxLength: 96 + 2 * pad, multiple: 8 }, pad));
        problems.push(...axisViolations(length, { kind: 'fixed', size: 128 }, pad));
        problems.push(...axisViolations(length, { kind: 'fixed', size: 48 }, pad));
      }
    }
    expect(problems).toEqual([]);
  });

  it('cuts a dynamic axis into ceil(length / tile) cores of nearly equal length', () => {
    // 1000 px, tile 256, pad 16: ceil(1000/256) = 4 cores of 250, windows of 256 + 2·16 = 288.
    const segments = planAxis(1000, { kind: 'dynamic', maxLength: 288, multiple: 1 }, 16);
    expect(segments.map((segment) => segment.coreEnd - segment.coreStart)).toEqual([250, 250, 250, 250]);
    expect(segments.map((segment) => segment.windowStart)).toEqual([0, 234, 484, 712]);
    expect(new Set(segments.map((segment) => segment.windowLength))).toEqual(new Set([288]));
  });

  it('runs an axis shorter than one window whole, and pads it only up to a required multiple or fixed size', () => {
    expect(planAxis(200, { kind: 'dynamic', maxLength: 288, multiple: 1 }, 16)).toEqual([
      { coreStart: 0, coreEnd: 200, windowStart: 0, windowLength: 200, feedLength: 200 },
    ]);
    expect(planAxis(97, { kind: 'dynamic', maxLength: 288, multiple: 8 }, 16)[0]?.feedLength).toBe(104);
    expect(planAxis(97, { kind: 'fixed', size: 128 }, 16)).toEqual([
      { coreStart: 0, coreEnd: 97, windowStart: 0, windowLength: 97, feedLength: 128 },
    ]);
  });
});

describe('planTiles', () => {
  it('cuts an odd 333×97 image for a fixed 128×128 model into 4 columns × 1 row', () => {
    // Columns: a core may be at most 128 − 2·16 = 96 px, ceil(333/96) = 4; rows: 97 fits in one 128 window.
    const plan = planTiles(333, 97, { rows: { kind: 'fixed', size: 128 }, columns: { kind: 'fixed', size: 128 } }, 16);
    expect([plan.rowCount, plan.columnCount, plan.tiles.length]).toEqual([1, 4, 4]);
    expect(plan.tiles.map((tile) => tile.index)).toEqual([0, 1, 2, 3]);
  });

  it('reports a smaller overlap when a small fixed input cannot hold the requested pad', () => {
    const plan = planTiles(500, 500, { rows: { kind: 'fixed', size: 32 }, columns: { kind: 'fixed', size: 32 } }, 16);
    expect(plan.pad).toBe(8);
  });
});

describe('reflectIndex', () => {
  it('mirrors past the end without repeating the edge, like numpy.pad(mode="reflect")', () => {
    // np.pad(np.arange(5), (0, 9), 'reflect') → 0 1 2 3 4 3 2 1 0 1 2 3 4 3
    expect(Array.from({ length: 14 }, (_, position) => reflectIndex(position, 5))).toEqual([0, 1, 2, 3, 4, 3, 2, 1, 0, 1, 2, 3, 4, 3]);
    expect(reflectIndex(7, 1)).toBe(0);
  });
});
