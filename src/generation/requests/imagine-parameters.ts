/**
 * Turns an /imagine request into the exact parameters of a job. Each setting comes from the
 * first of: the request, the person's saved defaults (/settings), the model's recommendation,
 * the server default. A value the person typed that breaks a limit is refused, naming the
 * option and the allowed range; a saved default or a recommendation that breaks one is
 * lowered to the limit with a warning (the person did not ask for it just now).
 */
import type { UserSettings } from '../../db/domain.types.ts';
import type { SchedulerName } from '../engine.types.ts';
import { parseAspect, sizeForAspect, type AspectRatio } from './aspect-size.ts';
import { modelAllowed, type GenerationLimits } from './generation-limits.ts';
import {
  MAX_GUIDANCE,
  MAX_PROMPT_LENGTH,
  MAX_SEED,
  readAspect,
  readDecimal,
  readScheduler,
  readText,
  readWholeNumber,
  type ImagineOptions,
  type OptionResult,
  type OptionText,
} from './imagine-options.ts';
import { refuse, type Refusable } from './refusal.ts';
import { parseSchedulerName } from './scheduler-names.ts';

/** What the service knows of an installed model. */
export interface ModelProfile {
  name: string;
  /** The size the model was trained at; its area is the pixel budget for aspect ratios. */
  nativeWidth: number;
  nativeHeight: number;
  steps: number;
  guidance: number;
  /** undefined = the scheduler the model folder names. */
  scheduler: SchedulerName | undefined;
}

export interface ParameterContext {
  limits: GenerationLimits;
  /** The person's saved /settings (as stored: checked again here, limits may have changed). */
  saved: UserSettings | undefined;
  /** Installed models (all of them; the limits decide which are allowed). */
  models: readonly ModelProfile[];
  defaultModel: string;
  /** Images per job when neither the request nor the saved defaults say. */
  defaultCount: number;
}

/** Everything a job needs, except the seed when the person left it to chance. */
export interface ImagineParameters {
  prompt: string;
  negativePrompt: string;
  seed: number | undefined;
  steps: number;
  guidance: number;
  scheduler: SchedulerName | undefined;
  width: number;
  height: number;
  model: string;
  count: number;
  /** The aspect ratio the size was made from, as typed (`16:9`). */
  aspect: string;
}

type Resolved = Refusable<{ parameters: ImagineParameters; warnings: string[] }>;

/** Validates and completes a request; see the module comment for the order of sources. */
export function resolveImagineParameters(request: ImagineOptions, context: ParameterContext): Resolved {
  const { limits, saved } = context;
  const warnings: string[] = [];
  const given = request.values;

  const prompt = request.prompt.trim();
  if (prompt.length === 0) return refuse('invalid_option', { problem: 'missing', option: 'prompt', expected: 'describe the picture you want' });
  if (prompt.length > MAX_PROMPT_LENGTH) {
    return refuse('invalid_option', { problem: 'value', option: 'prompt', value: `${prompt.slice(0, 40)}…`, expected: `at most ${MAX_PROMPT_LENGTH} characters long` });
  }

  const model = chooseModel(given.model, saved?.model, context, warnings);
  if (!model.ok) return model;
  const profile = model.value;

  const steps = chooseNumber(given.steps, saved?.steps, profile.steps, 'steps', (o) => readWholeNumber(o, 1, limits.maxSteps), limits.maxSteps, warnings);
  if (!steps.ok) return steps;
  const count = chooseNumber(given.count, saved?.count, context.defaultCount, 'count', (o) => readWholeNumber(o, 1, limits.maxCount), limits.maxCount, warnings);
  if (!count.ok) return count;
  const guidance = chooseNumber(given.guidance, saved?.guidance, profile.guidance, 'guidance', (o) => readDecimal(o, 0, MAX_GUIDANCE), MAX_GUIDANCE, warnings);
  if (!guidance.ok) return guidance;

  const seed = given.seed === undefined ? { ok: true as const, value: undefined } : readWholeNumber(given.seed, 0, MAX_SEED);
  if (!seed.ok) return seed;
  const negative = given.negative === undefined ? { ok: true as const, value: saved?.negativePrompt ?? '' } : readText(given.negative);
  if (!negative.ok) return negative;
  const scheduler = chooseScheduler(given.scheduler, saved?.scheduler, profile.scheduler);
  if (!scheduler.ok) return scheduler;
  const aspect = chooseAspect(given.aspect, saved?.aspect);
  if (!aspect.ok) return aspect;

  const budget = Math.min(profile.nativeWidth * profile.nativeHeight, limits.maxPixels);
  const size = sizeForAspect(aspect.value.ratio, budget);
  if (Math.abs(Math.log(size.width / size.height / aspect.value.ratio)) > Math.log(1.1)) {
    warnings.push(`Aspect ${aspect.value.text} became ${size.width}×${size.height}: the closest size in 64-pixel steps within ${profile.name}'s pixel count.`);
  }
  return {
    ok: true,
    parameters: {
      prompt,
      negativePrompt: negative.value,
      seed: seed.value,
      steps: steps.value,
      guidance: guidance.value,
      scheduler: scheduler.value,
      width: size.width,
      height: size.height,
      model: profile.name,
      count: count.value,
      aspect: aspect.value.text,
    },
    warnings,
  };
}

function chooseModel(
  requested: OptionText | undefined,
  saved: string | undefined,
  context: ParameterContext,
  warnings: string[],
): OptionResult<ModelProfile> | ReturnType<typeof refuse<'model_unavailable'>> {
  const usable = context.models.filter((model) => modelAllowed(context.limits, model.name));
  const find = (name: string) => usable.find((model) => model.name.toLowerCase() === name.trim().toLowerCase());
  const available = usable.map((model) => model.name);
  if (requested !== undefined) {
    const found = find(requested.text);
    return found ? { ok: true, value: found } : refuse('model_unavailable', { model: requested.text.trim(), available });
  }
  if (saved !== undefined) {
    const found = find(saved);
    if (found) return { ok: true, value: found };
    warnings.push(`Your saved model "${saved}" is not available here; using ${context.defaultModel}.`);
  }
  const fallback = find(context.defaultModel) ?? usable[0];
  return fallback ? { ok: true, value: fallback } : refuse('model_unavailable', { model: context.defaultModel, available });
}

function chooseNumber(
  requested: OptionText | undefined,
  saved: number | undefined,
  fallback: number,
  name: string,
  read: (option: OptionText) => OptionResult<number>,
  maximum: number,
  warnings: string[],
): OptionResult<number> {
  if (requested !== undefined) return read(requested);
  const value = saved ?? fallback;
  if (value > maximum) {
    warnings.push(`${name} lowered from ${value} to ${maximum}, the most allowed here.`);
    return { ok: true, value: maximum };
  }
  return { ok: true, value };
}

function chooseScheduler(
  requested: OptionText | undefined,
  saved: string | undefined,
  recommended: SchedulerName | undefined,
): OptionResult<SchedulerName | undefined> {
  if (requested !== undefined) return readScheduler(requested);
  const fromSaved = saved === undefined ? undefined : parseSchedulerName(saved);
  return { ok: true, value: fromSaved ?? recommended };
}

function chooseAspect(requested: OptionText | undefined, saved: string | undefined): OptionResult<AspectRatio> {
  if (requested !== undefined) return readAspect(requested);
  const fromSaved = saved === undefined ? undefined : parseAspect(saved);
  return { ok: true, value: fromSaved ?? { text: '1:1', ratio: 1 } };
}
