/** The generation service: policies, jobs, lifecycle events, moderation. */
export { GenerationService } from './generation.service.ts';
export type { CancelOutcome, GenerationPolicy, GenerationServiceOptions, ShowOutcome } from './generation.service.ts';
export { ModerationService } from './moderation.service.ts';
export type { ActivityFilter, ModerationServiceOptions } from './moderation.service.ts';
export { PolicyCache, TtlCache } from './policy-cache.ts';
export { InstalledModelDirectory, StaticModelDirectory } from './model-directory.ts';
export type { ModelDirectory } from './model-directory.ts';
export type { ModelProfile, ImagineParameters, SavedDefaults } from './imagine-parameters.ts';
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
export { effectiveRole } from './service.types.ts';
export type {
  Accepted,
  ChatIdentity,
  ChatLocation,
  DeliveredImage,
  Delivery,
  DerivedOutcome,
  GenerationEvents,
  ImagineOutcome,
  JobEvent,
  JobOwner,
  Requester,
  RequestFrom,
  RequestPlace,
} from './service.types.ts';
export { EventFanout } from './events-fanout.ts';
export { createGenerationServices, PROGRESS_INTERVAL_MS, POLICY_CACHE_TTL_MS } from './generation-services.factory.ts';
export type { GenerationServicesOptions } from './generation-services.factory.ts';
