import { describe, expect, it } from 'vitest';
import { BlockedTermMatcher } from '../../../src/generation/service/blocked-terms.ts';

describe('BlockedTermMatcher', () => {
  const matcher = new BlockedTermMatcher(['ass', 'Blood Bath', 'ﬁre', 'dé']);

  it.each([
    ['an ass', 'ass'],
    ['ASS!', 'ass'],
    ['(ass:1.4)', 'ass'],
    ['booru_ass_tag', 'ass'],
    ['a blood   bath at dawn', 'Blood Bath'],
    // ﬁ ligature in the term and full-width letters in the prompt fold under NFKC.
    ['a fire', 'ﬁre'],
    ['ＦＩＲＥ', 'ﬁre'],
    // Composed and decomposed é are the same text after NFKC.
    ['un de\u0301 rouge', 'dé'],
  ])('blocks %j', (prompt, term) => {
    expect(matcher.find(prompt)).toBe(term);
  });

  it.each(['a class act', 'assistant', 'bloodbath', 'firefly', 'de', 'dés'])('does not block %j (not a whole word)', (prompt) => {
    expect(matcher.find(prompt)).toBeUndefined();
  });

  it('says which field matched, prompt first', () => {
    expect(matcher.check('a cat', 'no ass')).toEqual({ term: 'ass', field: 'negative prompt' });
    expect(matcher.check('fire', 'ass')).toEqual({ term: 'ﬁre', field: 'prompt' });
    expect(matcher.check('a cat', 'a dog')).toBeUndefined();
  });
});
