import { describe, expect, it } from 'vitest';
import { parseImagineRequest, promptOnly } from '../../../src/commands/imagine-request.parser.ts';
import type { UserSettings } from '../../../src/db/domain.types.ts';
import type { ParameterContext } from '../../../src/generation/requests/imagine-parameters.ts';
import { resolveImagineParameters } from '../../../src/generation/requests/imagine-parameters.ts';

const SD15 = { name: 'epicrealism', nativeWidth: 512, nativeHeight: 512, steps: 25, guidance: 6, scheduler: 'dpmpp-2m' as const };
const LCM = { name: 'lcm-dreamshaper-v7', nativeWidth: 512, nativeHeight: 512, steps: 4, guidance: 8, scheduler: 'lcm' as const };
const SDXL = { name: 'sdxl', nativeWidth: 1024, nativeHeight: 1024, steps: 30, guidance: 7, scheduler: 'euler' as const };

const NO_SAVED: UserSettings = {
  negativePrompt: undefined,
  aspect: undefined,
  steps: undefined,
  guidance: undefined,
  model: undefined,
  scheduler: undefined,
  count: undefined,
};

function context(overrides: Partial<ParameterContext> = {}): ParameterContext {
  return {
    limits: { maxSteps: 50, maxPixels: 1024 * 1024, maxCount: 4, allowedModels: [] },
    saved: undefined,
    models: [SD15, LCM, SDXL],
    defaultModel: 'lcm-dreamshaper-v7',
    defaultCount: 4,
    ...overrides,
  };
}

function resolve(prompt: string, ctx: ParameterContext = context()) {
  const parsed = parseImagineRequest(promptOnly(prompt));
  if (!parsed.ok) return parsed;
  return resolveImagineParameters(parsed.options, ctx);
}

function messageOf(prompt: string, ctx?: ParameterContext): string {
  const result = resolve(prompt, ctx);
  if (result.ok) throw new Error('expected a refusal');
  return result.message;
}

describe('resolveImagineParameters: values', () => {
  it('uses the default model and its recommendation when nothing is said', () => {
    const result = resolve('a foggy harbour');
    expect(result.ok && result.parameters).toEqual({
      prompt: 'a foggy harbour',
      negativePrompt: '',
      seed: undefined,
      steps: 4,
      guidance: 8,
      scheduler: 'lcm',
      width: 512,
      height: 512,
      model: 'lcm-dreamshaper-v7',
      count: 4,
      aspect: '1:1',
    });
  });

  it('takes every flag', () => {
    const ok = resolve('a foggy harbour --model EpicRealism --steps 30 --cfg 5.5 --seed 42 --count 2 --sampler k_euler_a --no boats, people --ar 3:2');
    expect(ok.ok && ok.parameters).toMatchObject({
      model: 'epicrealism',
      steps: 30,
      guidance: 5.5,
      seed: 42,
      count: 2,
      scheduler: 'euler-ancestral',
      negativePrompt: 'boats, people',
      width: 576,
      height: 384,
    });
  });

  it('runs the Karras variant a person names, in our, A1111’s or k-diffusion’s spelling', () => {
    for (const flag of ['--scheduler dpmpp-2m-karras', '--sampler k_dpmpp_2m_karras', '--sampler DPM++_2M_Karras']) {
      const result = resolve(`a foggy harbour --model epicrealism ${flag}`);
      expect(result.ok && result.parameters.scheduler, flag).toBe('dpmpp-2m-karras');
    }
    const lms = resolve('a foggy harbour --sampler lms_karras');
    expect(lms.ok && lms.parameters.scheduler).toBe('lms-karras');
    const plain = resolve('a foggy harbour --sampler dpmpp_2m');
    expect(plain.ok && plain.parameters.scheduler).toBe('dpmpp-2m');
  });

  it('sizes aspect ratios around the model’s native pixel count', () => {
    const sizeOf = (prompt: string) => {
      const result = resolve(prompt);
      return result.ok ? `${result.parameters.width}x${result.parameters.height}` : result.message;
    };
    expect(sizeOf('x --model epicrealism --ar 1:1')).toBe('512x512');
    // SDXL's own training buckets (1024² class): 3:2 → 1216×832, 16:9 → 1344×768, 9:16 → 768×1344.
    expect(sizeOf('x --model sdxl --ar 3:2')).toBe('1216x832');
    expect(sizeOf('x --model sdxl --ar 16:9')).toBe('1344x768');
    expect(sizeOf('x --model sdxl --ar 9:16')).toBe('768x1344');
  });

  it('keeps the size within maxPixels when that is lower than the model’s native size', () => {
    const result = resolve('x --model sdxl', context({ limits: { maxSteps: 50, maxPixels: 512 * 512, maxCount: 4, allowedModels: [] } }));
    expect(result.ok && [result.parameters.width, result.parameters.height]).toEqual([512, 512]);
  });

  it('fills gaps from saved defaults, and request values beat them', () => {
    const saved = { ...NO_SAVED, model: 'epicrealism', steps: 40, negativePrompt: 'blurry', aspect: '2:3', count: 1 };
    const fromSaved = resolve('a dog', context({ saved }));
    expect(fromSaved.ok && fromSaved.parameters).toMatchObject({ model: 'epicrealism', steps: 40, negativePrompt: 'blurry', width: 384, height: 576, count: 1 });
    const overridden = resolve('a dog --steps 12 --no cats', context({ saved }));
    expect(overridden.ok && overridden.parameters).toMatchObject({ steps: 12, negativePrompt: 'cats' });
  });

  it('lowers a saved default that breaks the limits, with a warning, instead of refusing', () => {
    const saved = { ...NO_SAVED, steps: 80 };
    const result = resolve('a dog', context({ saved }));
    expect(result.ok && result.parameters.steps).toBe(50);
    expect(result.ok && result.warnings.join(' ')).toContain('50');
  });

  it('falls back to the default model when the saved one is gone', () => {
    const result = resolve('a dog', context({ saved: { ...NO_SAVED, model: 'removed-model' } }));
    expect(result.ok && result.parameters.model).toBe('lcm-dreamshaper-v7');
    expect(result.ok && result.warnings.join(' ')).toContain('removed-model');
  });
});

describe('resolveImagineParameters: refusals name the option and what it accepts', () => {
  it.each([
    ['a dog --steps abc', 'Invalid --steps "abc": must be a whole number from 1 to 50.'],
    ['a dog --steps 51', 'Invalid --steps "51": must be a whole number from 1 to 50.'],
    ['a dog --steps 0', 'Invalid --steps "0": must be a whole number from 1 to 50.'],
    ['a dog --steps 2.5', 'Invalid --steps "2.5": must be a whole number from 1 to 50.'],
    ['a dog --count 5', 'Invalid --count "5": must be a whole number from 1 to 4.'],
    ['a dog --cfg 31', 'Invalid --cfg "31": must be a number from 0 to 30.'],
    ['a dog --guidance -1', 'Invalid --guidance "-1": must be a number from 0 to 30.'],
    ['a dog --seed 4294967296', 'Invalid --seed "4294967296": must be a whole number from 0 to 4294967295.'],
    ['a dog --ar 5:1', 'Invalid --ar "5:1": must be a ratio like 16:9 or 2:3, between 1:4 and 4:1.'],
    ['a dog --ar wide', 'Invalid --ar "wide": must be a ratio like 16:9 or 2:3, between 1:4 and 4:1.'],
    ['a dog --scheduler turbo', 'Invalid --scheduler "turbo": must be one of euler, euler-karras, euler-ancestral, ddim, dpmpp-2m, dpmpp-2m-karras, lms, lms-karras, pndm, lcm.'],
    ['a dog --seed', '--seed needs a value: a whole number from 0 to 4294967295.'],
  ])('%s', (prompt, message) => {
    expect(messageOf(prompt)).toBe(message);
  });

  it('uses the limits of the person and workspace in the range', () => {
    const limits = { maxSteps: 20, maxPixels: 512 * 512, maxCount: 2, allowedModels: [] };
    expect(messageOf('a dog --steps 30', context({ limits }))).toBe('Invalid --steps "30": must be a whole number from 1 to 20.');
  });

  it('refuses a model that is not installed or not allowed, listing the allowed ones', () => {
    const limits = { maxSteps: 50, maxPixels: 1024 * 1024, maxCount: 4, allowedModels: ['lcm-dreamshaper-v7', 'epicrealism'] };
    const result = resolve('a dog --model sdxl', context({ limits }));
    expect(!result.ok && result.code).toBe('model_unavailable');
    expect(!result.ok && result.message).toBe('The model "sdxl" is not available here. Available models: epicrealism, lcm-dreamshaper-v7.');
  });

  it('refuses an empty prompt', () => {
    expect(messageOf('--ar 1:1')).toContain('prompt');
  });
});
