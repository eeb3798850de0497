/**
 * Requests: what may be asked, by whom, and how it is refused — imagine options and parameters,
 * aspect and limits, text safety, blocked terms, settings, request policies, the model
 * directory, who is asking (policy cache), the refusal table.
 */
export { PolicyCache, TtlCache } from './policy-cache.ts';
export { InstalledModelDirectory, StaticModelDirectory } from './model-directory.ts';
export type { ModelDirectory } from './model-directory.ts';
export type { ModelProfile, ImagineParameters } from './imagine-parameters.ts';
export { IMAGINE_OPTIONS } from './imagine-options.ts';
export type { ImagineOptionName, ImagineOptions, OptionText } from './imagine-options.ts';
export { VARIATION_STRENGTH } from './derived-jobs.ts';
export type { VariationStrength } from './derived-jobs.ts';
export { SETTING_NAMES } from './settings-update.ts';
export type { SettingName } from './settings-update.ts';
export { sizeForAspect, parseAspect } from './aspect-size.ts';
export { BlockedTermMatcher } from './blocked-terms.ts';
export { REFUSAL_CODES, refuse, refusalMessage, newReferenceId, isRefusal, formatWait } from './refusal.ts';
export type { Refusable, Refusal, RefusalCode, RefusalDetails } from './refusal.ts';
export { effectiveRole } from './request.types.ts';
export type { ChatIdentity, ChatLocation, JobOwner, Requester, RequestFrom, RequestPlace } from './request.types.ts';
