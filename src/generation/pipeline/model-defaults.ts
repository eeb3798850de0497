/**
 * Settings to use when a request leaves them open: the catalog's recommendation when the model
 * is a catalog entry, else sensible values for the family (LCM and Turbo models need few steps
 * and little or no guidance).
 */
import type { SchedulerName } from '../engine.types.ts';
import type { CatalogEntry } from '../models/model-catalog.ts';
import type { ModelFolderInfo } from '../models/model-folder.ts';

export interface RecommendedSettings {
  steps: number;
  guidance: number;
  scheduler: SchedulerName | undefined;
  width: number;
  height: number;
}

/** Recommended settings for a model folder and its catalog entry (undefined for hand-placed folders). */
export function recommendedSettings(info: ModelFolderInfo, entry: CatalogEntry | undefined): RecommendedSettings {
  if (entry) return { ...entry.recommended };
  const size = info.sampleSize;
  switch (info.family) {
    case 'lcm':
      // diffusers' LatentConsistencyModelPipeline defaults: 4 steps, guidance 8.5.
      return { steps: 4, guidance: 8.5, scheduler: 'lcm', width: size, height: size };
    case 'sd-turbo':
    case 'sdxl-turbo':
      // Turbo models are distilled for 1–4 steps without classifier-free guidance.
      return { steps: 2, guidance: 0, scheduler: info.defaultScheduler, width: 512, height: 512 };
    default:
      return { steps: 25, guidance: 7.5, scheduler: info.defaultScheduler, width: size, height: size };
  }
}
