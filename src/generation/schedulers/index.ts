/** Public surface of the schedulers room. */
export { createScheduler, img2imgTimesteps, type Img2ImgTimesteps } from './create-scheduler.ts';
export { parseSchedulerConfig, UnsupportedSchedulerConfigError, withStableDiffusionPipelineFixes, type SchedulerUse } from './scheduler-config.ts';
export {
  a1111SamplerLabel,
  chooseScheduler,
  isSchedulerName,
  parseSchedulerName,
  SCHEDULER_NAMES,
  SCHEDULERS,
  schedulerEntry,
  schedulerForClass,
  type SchedulerEntry,
} from './scheduler-registry.ts';
export type { BetaSchedule, NoiseDraws, PredictionType, Scheduler, SchedulerConfig, StepResult, TimestepSpacing } from './scheduler.types.ts';
