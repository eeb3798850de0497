import { describe, expect, it } from 'vitest';
import { assertValidImageKey, imageKey } from '../../../src/storage/image.store.ts';

describe('imageKey', () => {
  const when = new Date(Date.UTC(2026, 10, 26));

  it('gives every generation id a valid key, also ids that start with "-" (nanoid makes those)', () => {
    const key = imageKey('-wIY-X--TTEX', 0, when);
    expect(() => assertValidImageKey(key)).not.toThrow();
    expect(key).toBe('2026/11/_-wIY-X--TTEX/0.png');
  });

  it('keeps one key per image and separate folders for different ids', () => {
    expect(imageKey('-abcdefghijk', 2, when)).toBe(imageKey('-abcdefghijk', 2, when));
    expect(imageKey('-abcdefghijk', 0, when)).not.toBe(imageKey('_abcdefghijk', 0, when));
    expect(imageKey('abcdefghijkl', 1, when)).toBe('2026/11/abcdefghijkl/1.png');
  });
});
