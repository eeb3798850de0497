import { describe, expect, it } from 'vitest';
import { extractFlags } from '../../../src/commands/prompt-flags.parser.ts';
import { parseImagineRequest, promptOnly } from '../../../src/commands/imagine-request.parser.ts';

describe('extractFlags', () => {
  it('pulls Midjourney-style flags out of the prompt', () => {
    const result = extractFlags('a lighthouse at dusk --ar 16:9 --seed 42 --steps 30 --cfg 6 --model epicrealism --count 2 --scheduler dpmpp-2m');
    expect(result.prompt).toBe('a lighthouse at dusk');
    expect(result.unknown).toEqual([]);
    expect(result.flags.map((flag) => [flag.option, flag.value])).toEqual([
      ['aspect', '16:9'],
      ['seed', '42'],
      ['steps', '30'],
      ['guidance', '6'],
      ['model', 'epicrealism'],
      ['count', '2'],
      ['scheduler', 'dpmpp-2m'],
    ]);
  });

  it('lets --no run to the next flag, commas and spaces included', () => {
    const result = extractFlags('portrait of an old fisherman --no blurry, text, watermark --ar 2:3');
    expect(result.prompt).toBe('portrait of an old fisherman');
    expect(result.flags).toEqual([
      { label: '--no', option: 'negative', value: 'blurry, text, watermark' },
      { label: '--ar', option: 'aspect', value: '2:3' },
    ]);
  });

  it('gives words after a one-word flag back to the prompt', () => {
    expect(extractFlags('a cat --ar 2:3 on a red sofa').prompt).toBe('a cat on a red sofa');
  });

  it('accepts --aspect, --guidance, --sampler, --name=value and the em dash phones make of --', () => {
    const result = extractFlags('street at night —aspect 3:2 --guidance=7.5 --sampler euler');
    expect(result.flags.map((flag) => [flag.label, flag.option, flag.value])).toEqual([
      ['--aspect', 'aspect', '3:2'],
      ['--guidance', 'guidance', '7.5'],
      ['--sampler', 'scheduler', 'euler'],
    ]);
  });

  it('does not treat dashes inside words as flags', () => {
    const result = extractFlags('a well--lit room, 1990s--style');
    expect(result.flags).toEqual([]);
    expect(result.prompt).toBe('a well--lit room, 1990s--style');
  });

  it('names unknown flags', () => {
    expect(extractFlags('a dog --stylize 500 --ar 1:1').unknown).toEqual(['--stylize']);
  });
});

describe('parseImagineRequest', () => {
  it('refuses an unknown flag, naming it and the known ones', () => {
    const result = parseImagineRequest(promptOnly('a dog --quality 2'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.code).toBe('invalid_option');
    expect(result.message).toContain('Unknown option --quality');
    expect(result.message).toContain('--ar');
    expect(result.message).toContain('--no');
  });

  it('prefers slash-command options over flags in the prompt, with a warning', () => {
    const result = parseImagineRequest({ ...promptOnly('a dog --steps 10'), steps: 20 });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.options.values.steps).toEqual({ label: 'steps', text: '20' });
    expect(result.warnings.join(' ')).toContain('--steps');
  });

  it('keeps the last of a flag given twice, with a warning', () => {
    const result = parseImagineRequest(promptOnly('a dog --seed 1 --seed 2'));
    expect(result.ok && result.options.values.seed?.text).toBe('2');
    expect(result.ok && result.warnings.length).toBe(1);
  });
});
