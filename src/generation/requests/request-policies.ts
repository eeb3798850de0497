/**
 * The checks every request goes through besides its options: blocked terms (config + database,
 * cached), saved settings (cached), and, for jobs built from a stored row (reroll, variation,
 * upscale), today's limits and models for the person pressing the button.
 */
import type { UserSettings } from '../../db/domain.types.ts';
import type { Repositories } from '../../db/repositories.ts';
import { BlockedTermMatcher } from './blocked-terms.ts';
import type { JobParameters } from './derived-jobs.ts';
import { MAX_IMAGE_SIDE, firstLimitBroken, modelAllowed, outputTooLarge } from './generation-limits.ts';
import type { ModelDirectory } from './model-directory.ts';
import type { PolicyCache } from './policy-cache.ts';
import { refuse, type Refusal } from './refusal.ts';
import type { Who } from './who.ts';

export interface RequestPoliciesOptions {
  repositories: Pick<Repositories, 'blockedTerms' | 'userSettings'>;
  cache: PolicyCache;
  models: ModelDirectory;
  /** Always-blocked terms from the config. */
  configTerms: readonly string[];
}

export class RequestPolicies {
  constructor(private readonly options: RequestPoliciesOptions) {}

  /** A `blocked_term` refusal when the prompt or negative prompt holds a blocked term here. */
  async blockedTerm(who: Who, prompt: string, negativePrompt: string): Promise<Refusal | undefined> {
    const { cache, repositories } = this.options;
    const key = who.workspace?.id ?? '';
    let stored = cache.blockedTerms.get(key);
    if (stored === undefined) {
      stored = await repositories.blockedTerms.listEffective(who.workspace?.id);
      cache.blockedTerms.set(key, stored);
    }
    const matcher = new BlockedTermMatcher([...this.options.configTerms, ...stored.map((entry) => entry.term)]);
    const hit = matcher.check(prompt, negativePrompt);
    return hit === undefined ? undefined : refuse('blocked_term', hit);
  }

  /** The person's saved /settings, undefined when they never saved any. */
  async savedSettings(userId: string): Promise<UserSettings | undefined> {
    const { cache, repositories } = this.options;
    const cached = cache.settings.get(userId);
    if (cached !== undefined) return cached ?? undefined;
    const saved = await repositories.userSettings.get(userId);
    cache.settings.set(userId, saved ?? null);
    return saved;
  }

  /** Saves /settings and remembers them for the next request. */
  async saveSettings(userId: string, settings: UserSettings): Promise<UserSettings> {
    const saved = await this.options.repositories.userSettings.save(userId, settings);
    this.options.cache.settings.set(userId, saved);
    return saved;
  }

  /**
   * Why a job built from a stored row may not run for this person now: model gone or not
   * allowed, a limit lowered since, an output larger than the limits (`job.width`×`job.height`
   * is what the job makes: twice the source for an upscale), or a term blocked since.
   */
  async derivedJobRefusal(who: Who, job: JobParameters): Promise<Refusal | undefined> {
    const models = await this.options.models.list();
    const usable = models.filter((model) => modelAllowed(who.limits, model.name)).map((model) => model.name);
    if (!usable.some((name) => name.toLowerCase() === job.model.toLowerCase())) {
      return refuse('model_unavailable', { model: job.model, available: usable });
    }
    const broken = firstLimitBroken(job, who.limits);
    if (broken !== undefined) return refuse('invalid_option', { problem: 'value', ...broken });
    if (job.kind !== 'imagine' && outputTooLarge(job, who.limits)) {
      return refuse('too_large', { kind: job.kind, width: job.width, height: job.height, maxPixels: who.limits.maxPixels, maxSide: MAX_IMAGE_SIDE });
    }
    return this.blockedTerm(who, job.prompt, job.negativePrompt);
  }
}
