import { describe, expect, it } from 'vitest';
import { formatA1111Parameters, quoteInfotextValue } from '../../../src/images/a1111-infotext.format.ts';
import type { PngTextParameters } from '../../../src/images/a1111-infotext.format.ts';
import { parseA1111Parameters } from '../../../src/images/a1111-infotext.parser.ts';

function parameters(overrides: Partial<PngTextParameters>): PngTextParameters {
  return {
    prompt: 'a photo of a cat',
    negativePrompt: 'blurry',
    steps: 20,
    sampler: 'Euler a',
    cfgScale: 7,
    seed: 42,
    width: 512,
    height: 768,
    model: 'epicrealism',
    modelHash: undefined,
    denoisingStrength: undefined,
    extra: {},
    ...overrides,
  };
}

describe('formatA1111Parameters', () => {
  it('writes the three-part A1111 layout with fields in A1111 order', () => {
    const text = formatA1111Parameters(
      parameters({
        modelHash: 'abcd1234',
        denoisingStrength: 0.35,
        // given out of order on purpose: A1111 puts Schedule type after Sampler, Version last
        extra: { Version: 'darkroom 0.1.0', 'Clip skip': '2', 'Schedule type': 'Karras' },
      }),
    );
    expect(text).toBe(
      'a photo of a cat\n' +
        'Negative prompt: blurry\n' +
        'Steps: 20, Sampler: Euler a, Schedule type: Karras, CFG scale: 7, Seed: 42, Size: 512x768, ' +
        'Model hash: abcd1234, Model: epicrealism, Denoising strength: 0.35, Clip skip: 2, Version: darkroom 0.1.0',
    );
  });

  it('omits the negative prompt line when there is none, and fractional CFG keeps its decimals', () => {
    expect(formatA1111Parameters(parameters({ negativePrompt: '', cfgScale: 7.5 }))).toBe(
      'a photo of a cat\nSteps: 20, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 512x768, Model: epicrealism',
    );
  });

  it('quotes values containing commas, colons or newlines as JSON strings, like Python json.dumps', () => {
    const text = formatA1111Parameters(
      parameters({
        model: 'Realistic Vision, v6',
        extra: { 'Lora hashes': 'add_detail: 7c6bad76eb54', Note: 'say "hi",\nnow é' },
      }),
    );
    const fieldLine = text.split('\n').at(-1);
    expect(fieldLine).toBe(
      'Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 42, Size: 512x768, Model: "Realistic Vision, v6", ' +
        'Lora hashes: "add_detail: 7c6bad76eb54", Note: "say \\"hi\\",\\nnow é"',
    );
  });

  it('leaves plain values alone and writes a value equal to its key as the bare key', () => {
    expect(quoteInfotextValue('DPM++ 2M Karras')).toBe('DPM++ 2M Karras');
    expect(formatA1111Parameters(parameters({ extra: { Tiling: 'Tiling' } })).endsWith('Model: epicrealism, Tiling')).toBe(true);
  });

  it('refuses extra keys A1111 could not read back, or that shadow typed fields', () => {
    expect(() => formatA1111Parameters(parameters({ extra: { 'a:b': 'x' } }))).toThrow(/cannot be parsed/);
    expect(() => formatA1111Parameters(parameters({ extra: { Seed: '1' } }))).toThrow(/duplicates/);
  });
});

describe('parseA1111Parameters', () => {
  it("parses the example in A1111's parse_generation_parameters docstring", () => {
    const text =
      "girl with an artist's beret, determined, blue eyes, desert scene, computer monitors, heavy makeup, by Alphonse Mucha and Charlie Bowater, ((eyeshadow)), (coquettish), detailed, intricate\n" +
      'Negative prompt: ugly, fat, obese, chubby, (((deformed))), [blurry], bad anatomy, disfigured, poorly drawn face, mutation, mutated, (extra_limb), (ugly), (poorly drawn hands), messy drawing\n' +
      'Steps: 20, Sampler: Euler a, CFG scale: 7, Seed: 965400086, Size: 512x512, Model hash: 45dee52b';
    const parsed = parseA1111Parameters(text);
    expect(parsed.prompt).toBe(
      "girl with an artist's beret, determined, blue eyes, desert scene, computer monitors, heavy makeup, by Alphonse Mucha and Charlie Bowater, ((eyeshadow)), (coquettish), detailed, intricate",
    );
    expect(parsed.negativePrompt).toBe(
      'ugly, fat, obese, chubby, (((deformed))), [blurry], bad anatomy, disfigured, poorly drawn face, mutation, mutated, (extra_limb), (ugly), (poorly drawn hands), messy drawing',
    );
    expect(parsed).toMatchObject({
      steps: 20, sampler: 'Euler a', cfgScale: 7, seed: 965400086, width: 512, height: 512,
      modelHash: '45dee52b', model: undefined, denoisingStrength: undefined,
    });
    expect({ ...parsed.extra }).toEqual({});
  });

  it('reads a Civitai-style infotext with quoted hashes, CRLF line ends and a multi-line negative', () => {
    const text =
      'portrait photo, 85mm\r\n' +
      'Negative prompt: cartoon,\r\nlow quality\r\n' +
      'Steps: 30, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 5.5, Seed: 4294967295, Size: 768x1152, ' +
      'Model hash: 0e9b9b5a4c, Model: epicrealism_naturalSinRC1VAE, Denoising strength: 0.4, ' +
      'Lora hashes: "add_detail: 7c6bad76eb54, more_details: 3b8aa1d351ef", Template: "a \\"quoted\\" word", Version: v1.10.1';
    const parsed = parseA1111Parameters(text);
    expect(parsed.prompt).toBe('portrait photo, 85mm');
    expect(parsed.negativePrompt).toBe('cartoon,\nlow quality');
    expect(parsed).toMatchObject({
      steps: 30, sampler: 'DPM++ 2M', cfgScale: 5.5, seed: 4294967295, width: 768, height: 1152,
      modelHash: '0e9b9b5a4c', model: 'epicrealism_naturalSinRC1VAE', denoisingStrength: 0.4,
    });
    expect({ ...parsed.extra }).toEqual({
      'Schedule type': 'Karras',
      'Lora hashes': 'add_detail: 7c6bad76eb54, more_details: 3b8aa1d351ef',
      Template: 'a "quoted" word',
      Version: 'v1.10.1',
    });
  });

  it('treats a last line with fewer than three fields as prompt text (A1111 rule)', () => {
    const parsed = parseA1111Parameters('a cat\nSteps: 20, Seed: 1');
    expect(parsed.prompt).toBe('a cat\nSteps: 20, Seed: 1');
    expect(parsed.steps).toBeUndefined();
  });

  it('keeps an unreadable typed value in extra instead of losing it', () => {
    const parsed = parseA1111Parameters('x\nSteps: many, Sampler: Euler, Seed: 3, Size: big');
    expect(parsed.steps).toBeUndefined();
    expect(parsed.width).toBeUndefined();
    expect({ ...parsed.extra }).toEqual({ Steps: 'many', Size: 'big' });
  });

  it('is safe with a key named __proto__', () => {
    const parsed = parseA1111Parameters('x\nSteps: 1, Sampler: Euler, Seed: 3, __proto__: polluted');
    expect(parsed.extra['__proto__']).toBe('polluted');
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });
});

describe('format → parse round trip', () => {
  const cases: Array<[string, Partial<PngTextParameters>]> = [
    ['plain', {}],
    ['commas and colons everywhere', { model: 'v1: final, really', extra: { 'Lora hashes': 'a: 1, b: 2' } }],
    ['quotes and backslashes in values', { sampler: 'Euler "a", \\ b', extra: { Note: 'C:\\models\\x, "y"' } }],
    ['non-Latin prompt and values', { prompt: '東京の夜景, 写真', negativePrompt: 'размытие', model: 'モデル: 2' }],
    ['multi-line prompts', { prompt: 'line one\nline two', negativePrompt: 'bad,\nworse' }],
    ['img2img fields', { denoisingStrength: 0.75, modelHash: 'deadbeef', seed: 4294967295 }],
    ['no negative prompt', { negativePrompt: '' }],
  ];
  it.each(cases)('%s', (_name, overrides) => {
    const original = parameters(overrides);
    const parsed = parseA1111Parameters(formatA1111Parameters(original));
    expect({ ...parsed, extra: { ...parsed.extra } }).toEqual(original);
  });
});
