/**
 * /settings: a person's defaults for /imagine, validated with the same rules (and the same
 * messages) as the options of a request. An option given as `default` (or `reset`) clears that
 * setting back to the server default.
 */
import type { UserSettings } from '../../db/domain.types.ts';
import { SCHEDULER_NAMES } from '../engine.types.ts';
import { modelAllowed, type GenerationLimits } from './generation-limits.ts';
import {
  MAX_GUIDANCE,
  readAspect,
  readDecimal,
  readScheduler,
  readText,
  readWholeNumber,
  type ImagineOptionName,
  type OptionText,
} from './imagine-options.ts';
import type { ModelProfile } from './imagine-parameters.ts';
import { refuse, type Refusable } from './refusal.ts';

/** The options /settings can save (all of /imagine's but the seed). */
export type SettingName = Exclude<ImagineOptionName, 'seed'>;
export const SETTING_NAMES: readonly SettingName[] = ['negative', 'aspect', 'steps', 'guidance', 'model', 'count', 'scheduler'];

const CLEAR = /^(default|reset|none|clear)$/i;

/** Applies the given changes to the saved settings, or refuses the first bad value. */
export function updateSettings(
  saved: UserSettings | undefined,
  changes: Partial<Record<SettingName, OptionText>>,
  limits: GenerationLimits,
  models: readonly ModelProfile[],
): Refusable<{ settings: UserSettings }> {
  const next: UserSettings = saved ?? {
    negativePrompt: undefined,
    aspect: undefined,
    steps: undefined,
    guidance: undefined,
    model: undefined,
    scheduler: undefined,
    count: undefined,
  };
  const result = { ...next };
  for (const name of SETTING_NAMES) {
    const change = changes[name];
    if (change === undefined) continue;
    const clear = CLEAR.test(change.text.trim());
    switch (name) {
      case 'negative': {
        if (clear) result.negativePrompt = undefined;
        else {
          const value = readText(change);
          if (!value.ok) return value;
          result.negativePrompt = value.value;
        }
        break;
      }
      case 'aspect': {
        const value = clear ? undefined : readAspect(change);
        if (value !== undefined && !value.ok) return value;
        result.aspect = value?.value.text;
        break;
      }
      case 'steps':
      case 'count': {
        const maximum = name === 'steps' ? limits.maxSteps : limits.maxCount;
        const value = clear ? undefined : readWholeNumber(change, 1, maximum);
        if (value !== undefined && !value.ok) return value;
        result[name] = value?.value;
        break;
      }
      case 'guidance': {
        const value = clear ? undefined : readDecimal(change, 0, MAX_GUIDANCE);
        if (value !== undefined && !value.ok) return value;
        result.guidance = value?.value;
        break;
      }
      case 'scheduler': {
        const value = clear ? undefined : readScheduler(change);
        if (value !== undefined && !value.ok) return value;
        result.scheduler = value?.value;
        break;
      }
      case 'model': {
        if (clear) {
          result.model = undefined;
          break;
        }
        const usable = models.filter((model) => modelAllowed(limits, model.name));
        const found = usable.find((model) => model.name.toLowerCase() === change.text.trim().toLowerCase());
        if (found === undefined) return refuse('model_unavailable', { model: change.text.trim(), available: usable.map((model) => model.name) });
        result.model = found.name;
        break;
      }
    }
  }
  return { ok: true, settings: result };
}

/** For help texts: what each setting accepts. */
export const SETTING_HINTS: Readonly<Record<SettingName, string>> = {
  negative: 'text to leave out of every picture',
  aspect: 'a ratio like 16:9 or 2:3',
  steps: 'a whole number',
  guidance: `a number from 0 to ${MAX_GUIDANCE}`,
  model: 'a model name',
  count: 'images per job, 1 to 4',
  scheduler: SCHEDULER_NAMES.join(', '),
};
