/** The generation queue: the interface the service uses, the in-process implementation, quotas. */
export type {
  AbortCause,
  CancelOutcome,
  GenerationQueue,
  JobContext,
  JobCost,
  JobRunner,
  QueueJob,
  QueuePosition,
  QueueRefusal,
  QueueStats,
  Reservation,
  ReserveResult,
  WaitingJob,
} from './generation-queue.ts';
export { FairRotation } from './fair-rotation.ts';
export { PQueueGenerationQueue } from './p-queue.generation-queue.ts';
export type { PQueueGenerationQueueOptions } from './p-queue.generation-queue.ts';
export { QuotaPolicy, resolveForRole, roleChain } from './quota.policy.ts';
export type { AcceptedJobCounter, PolicyRole, QuotaCheck, QuotaSettings } from './quota.policy.ts';
export { SlidingWindowLimiter } from './sliding-window.limiter.ts';
export { StepTimeEstimator, planStarts } from './step-time.estimator.ts';
