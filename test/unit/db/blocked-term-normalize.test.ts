import { describe, expect, it } from 'vitest';
import { normalizeBlockedTerm } from '../../../src/db/blocked-term.repository.ts';

describe('normalizeBlockedTerm', () => {
  it.each([
    ['Gore', 'gore'],
    ['  blood   bath\t', 'blood bath'],
    ['ＧＯＲＥ', 'gore'], // full-width letters (NFKC)
    ['ﬁlm', 'film'], // ligature (NFKC)
    ['Ünïcödé', 'ünïcödé'],
    ['   ', ''],
  ])('%j → %j', (input, expected) => {
    expect(normalizeBlockedTerm(input)).toBe(expected);
  });
});
