import { describe, expect, it } from 'vitest';
import { BlockedTermMatcher, matchingViews } from '../../../src/generation/requests/blocked-terms.ts';

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

describe('BlockedTermMatcher on the text the tokenizer sees', () => {
  const matcher = new BlockedTermMatcher(['nude', 'big cat']);

  it.each([
    ['zero-width space', 'n\u200Bude'],
    ['soft hyphen', 'nu\u00ADde'],
    ['word joiner', 'nu\u2060de'],
    ['zero-width joiner and non-joiner', 'n\u200Du\u200Cde'],
    ['byte-order mark', '\uFEFFnude'],
    ['right-to-left override', 'nu\u202Ede'],
    ['control character', 'nu\u0007de'],
    ['empty attention brackets', 'nu()de'],
    ['A1111 backslash', 'nu\\de'],
    ['two runs of the same weight', '(nu)(de)'],
    ['upper case and full width', 'ＮＵＤＥ'],
  ])('blocks a term hidden with a %s', (_, prompt) => {
    expect(matcher.find(`a ${prompt} figure`)).toBe('nude');
  });

  it('looks through markup that splits a phrase into runs, and still matches whole words only', () => {
    expect(matcher.find('a (big)cat')).toBe('big cat');
    expect(matcher.find('a nudel soup')).toBeUndefined();
    expect(matcher.find('a (nu)de:1.2 bowl')).toBe('nude');
  });

  it('matches terms typed with invisible characters as their visible form', () => {
    expect(new BlockedTermMatcher(['n\u200Bude']).find('nude')).toBe('n\u200Bude');
  });

  it('keeps the tokenizer’s view: each form is what cleanClipText makes of the text', () => {
    expect(matchingViews('a N\u200Bu()DE')).toEqual(['a nu()de', 'a nude']);
  });
});
