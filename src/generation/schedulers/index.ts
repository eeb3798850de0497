/** Public surface of the schedulers room. */
export { createScheduler, img2imgTimesteps, type Img2ImgTimesteps } from './create-scheduler.ts';
export { parseSchedulerConfig, UnsupportedSchedulerConfigError, withStableDiffusionPipelineFixes } from './scheduler-config.ts';
export type { BetaSchedule, NoiseDraws, PredictionType, Scheduler, SchedulerConfig, StepResult, TimestepSpacing } from './scheduler.types.ts';
