import { describe, expect, it } from 'vitest';
import { formatHistoryCursor, parseHistoryCursor } from '../../../src/db/history-cursor.ts';

describe('history cursor text', () => {
  it('round-trips and fits in a chat button id next to an action and a generation id', () => {
    const cursor = { queuedAt: new Date('2031-12-31T23:59:59.999Z'), id: 'Ab_-0123456z' };
    const text = formatHistoryCursor(cursor);
    expect(parseHistoryCursor(text)).toEqual(cursor);
    // Discord custom_id allows 100 characters.
    expect(`history:next:${text}`.length).toBeLessThanOrEqual(100);
  });

  it('keeps millisecond precision, which the keyset comparison needs', () => {
    const cursor = { queuedAt: new Date(1_700_000_000_001), id: 'x' };
    expect(parseHistoryCursor(formatHistoryCursor(cursor))?.queuedAt.getTime()).toBe(1_700_000_000_001);
  });

  it.each(['', 'abc', '.id', 'zz.', 'ZZ.id', '12.id with space', '12.a.b', `${'9'.repeat(13)}.id`, `1.${'a'.repeat(65)}`])(
    'rejects forged text %j',
    (text) => {
      expect(parseHistoryCursor(text)).toBeUndefined();
    },
  );
});
