/**
 * Jobs: the job lifecycle — `GenerationService` (admission, queue, runner, leases, recovery,
 * cancellation, derived jobs, positions, progress) and the lifecycle events sent to adapters.
 */
export { GenerationService } from './generation.service.ts';
export type { CancelOutcome, GenerationPolicy, GenerationServiceOptions, ShowOutcome } from './generation.service.ts';
export type { Accepted, DeliveredImage, Delivery, DerivedOutcome, Generation, GenerationEvents, ImagineOutcome, JobEvent } from './job.types.ts';
export { EventFanout } from './events-fanout.ts';
