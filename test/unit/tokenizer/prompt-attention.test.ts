import { describe, expect, it } from 'vitest';
import { parsePromptAttention } from '../../../src/generation/tokenizer/prompt-weighting.ts';

/** [text, weight] pairs, the form of A1111's doctests. */
function pairs(prompt: string): Array<[string, number]> {
  return parsePromptAttention(prompt).map((segment) => [segment.text, segment.weight]);
}

describe('parsePromptAttention: the examples of A1111 prompt_parser.py', () => {
  it('keeps plain text at weight 1', () => {
    expect(pairs('normal text')).toEqual([['normal text', 1]]);
  });

  it('raises (word) by 1.1', () => {
    expect(pairs('an (important) word')).toEqual([
      ['an ', 1],
      ['important', 1.1],
      [' word', 1],
    ]);
  });

  it('applies an unclosed bracket to the end of the prompt', () => {
    expect(pairs('(unbalanced')).toEqual([['unbalanced', 1.1]]);
  });

  it('reads escaped brackets as literal characters', () => {
    expect(pairs('\\(literal\\]')).toEqual([['(literal]', 1]]);
  });

  it('merges neighbouring runs of the same weight', () => {
    expect(pairs('(unnecessary)(parens)')).toEqual([['unnecessaryparens', 1.1]]);
  });

  it('combines nesting, explicit weights and square brackets exactly as A1111', () => {
    // A1111's doctest output, float for float.
    expect(pairs('a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).')).toEqual([
      ['a ', 1.0],
      ['house', 1.5730000000000004],
      [' ', 1.1],
      ['on', 1.0],
      [' a ', 1.1],
      ['hill', 0.55],
      [', sun, ', 1.1],
      ['sky', 1.4641000000000006],
      ['.', 1.1],
    ]);
  });
});

describe('parsePromptAttention: the rest of the syntax', () => {
  it('reads (word:1.3), ((word)) and [word]', () => {
    expect(pairs('(word:1.3)')).toEqual([['word', 1.3]]);
    expect(pairs('((word))')).toEqual([['word', 1.1 * 1.1]]);
    expect(pairs('[word]')).toEqual([['word', 1 / 1.1]]);
    expect(pairs('[[word]]')).toEqual([['word', 1 / 1.1 / 1.1]]);
  });

  it('accepts spaces around an explicit weight and weights below 1', () => {
    expect(pairs('(word: 0.5 )')).toEqual([['word', 0.5]]);
    expect(pairs('(word:.5)')).toEqual([['word', 0.5]]);
  });

  it('keeps an escaped backslash and drops a lone one, as A1111', () => {
    expect(pairs('a\\\\b')).toEqual([['a\\b', 1]]);
    expect(pairs('a\\b')).toEqual([['ab', 1]]);
  });

  it('treats a stray closing bracket and a colon without a bracket as text', () => {
    expect(pairs('a) b] c:1.2)')).toEqual([['a) b] c:1.2)', 1]]);
    expect(pairs('time: noon')).toEqual([['time: noon', 1]]);
  });

  it('reads a malformed weight as text inside a 1.1 bracket instead of failing', () => {
    expect(pairs('(word:1.2.3)')).toEqual([['word:1.2.3', 1.1]]);
  });

  it('splits on BREAK (upper case, a whole word) and eats the spaces around it', () => {
    const segments = parsePromptAttention('a cat BREAK a dog');
    expect(segments.map((segment) => [segment.text, segment.isBreak])).toEqual([
      ['a cat', false],
      ['BREAK', true],
      ['a dog', false],
    ]);
    expect(pairs('a break a BREAKFAST')).toEqual([['a break a BREAKFAST', 1]]);
  });

  it('keeps BREAK a break inside brackets', () => {
    const segments = parsePromptAttention('(a BREAK b)');
    expect(segments.map((segment) => [segment.text, segment.weight, segment.isBreak])).toEqual([
      ['a', 1.1, false],
      ['BREAK', 1, true],
      ['b', 1.1, false],
    ]);
  });

  it('gives an empty prompt as one empty run', () => {
    expect(pairs('')).toEqual([['', 1]]);
  });
});
