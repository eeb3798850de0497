import { describe, expect, it } from 'vitest';
import { refuse } from '../../../src/generation/requests/refusal.ts';
import { hasVisibleText, plainName, safeImagineOptions, safeOptionValues, safeText } from '../../../src/generation/requests/text-safety.ts';

describe('safeText', () => {
  it.each([
    ['NUL', 'a\u0000b', 'U+0000'],
    ['terminal escape', 'red \u001b[31mtext', 'U+001B'],
    ['DEL', 'a\u007Fb', 'U+007F'],
    ['C1 control (NEL)', 'a\u0085b', 'U+0085'],
    ['C1 CSI', 'a\u009B31m', 'U+009B'],
    ['lone surrogate', 'a\uD800b', 'U+D800'],
  ])('refuses a %s, naming the field and the character', (_, text, character) => {
    const outcome = safeText('--no', text);
    expect(outcome.ok ? undefined : [outcome.code, outcome.details, outcome.message]).toEqual([
      'invalid_option',
      { problem: 'characters', option: '--no', character },
      `The --no contains a control character (${character}) that cannot be used. Remove it and try again.`,
    ]);
  });

  it('keeps tabs, newlines, emoji and accents; removes invisible format characters', () => {
    expect(safeText('prompt', 'a\tcat\non a 🐈‍⬛ café')).toEqual({ ok: true, text: 'a\tcat\non a 🐈⬛ café' });
    expect(safeText('prompt', 'a \u202Ecat\u202C \u2066x\u2069 n\u200Bu\u00ADd\u2060e\uFEFF')).toEqual({ ok: true, text: 'a cat x nude' });
  });
});

describe('hasVisibleText', () => {
  it.each(['', ' \n\t', '\u3164', '\u2800 \u115F', '\u0301\u0301'])('sees nothing in %j', (text) => {
    expect(hasVisibleText(text)).toBe(false);
  });
  it.each(['a', '1', '!', '🐈', '猫'])('sees %j', (text) => {
    expect(hasVisibleText(text)).toBe(true);
  });
});

describe('safeImagineOptions and safeOptionValues', () => {
  it('refuses a prompt with nothing visible as a missing prompt', () => {
    const outcome = safeImagineOptions({ prompt: '\u200B\u202E\u3164', values: {} });
    expect(outcome.ok ? undefined : outcome.message).toBe('prompt needs a value: describe the picture you want.');
  });

  it('checks every option value under the name the person used', () => {
    const outcome = safeImagineOptions({ prompt: 'a cat', values: { aspect: { label: '--ar', text: '16:9\u0000' } } });
    expect(outcome.ok ? undefined : outcome.message).toBe('The --ar contains a control character (U+0000) that cannot be used. Remove it and try again.');
    expect(safeOptionValues({ negative: { label: '--no', text: 'dog\u200Bs' } })).toEqual({ ok: true, values: { negative: { label: '--no', text: 'dogs' } } });
    const blank = safeOptionValues({ negative: { label: '--no', text: '\u3164' } });
    expect(blank.ok ? undefined : blank.message).toBe('--no needs a value: the things to leave out of the picture.');
  });
});

describe('plainName', () => {
  it('removes control and invisible characters from a platform name, or falls back to the id', () => {
    expect(plainName('Ma\u0000ll\u202Eory\u200B', 'U1')).toBe('Mallory');
    expect(plainName('\u3164\u200B', 'U1')).toBe('U1');
    expect(plainName('Zoë 🐈', 'U1')).toBe('Zoë 🐈');
  });
});

describe('refusals that echo typed text', () => {
  it('leave control and invisible characters out of what they show', () => {
    const refusal = refuse('invalid_option', { problem: 'value', option: 'settings', value: 'a \u001b[2Jcat\u202E', expected: 'flags' });
    expect(refusal.message).toBe('Invalid settings "a [2Jcat": must be flags.');
    // The details keep what was typed, for logs.
    expect(refusal.details).toMatchObject({ value: 'a \u001b[2Jcat\u202E' });
  });
});
