/**
 * The queue as the generation service sees it. A job is only an id plus what scheduling needs
 * (owner, cost); everything else lives in the database row, so an implementation on Redis
 * (BullMQ, several GPU workers) can carry the same jobs between processes. The default
 * implementation is in-process on p-queue ({@link PQueueGenerationQueue}).
 */

/** How much work a job is, for ETAs: steps × a weight (images × pixels relative to 512²). */
export interface JobCost {
  steps: number;
  /** images × width × height / 512²; 1 = one 512×512 image. */
  weight: number;
}

/** A job as the queue holds it. Serializable: no functions, no buffers. */
export interface QueueJob {
  /** The generation id (the row is the job). */
  id: string;
  /** Fairness and per-user caps are per owner. */
  userId: string;
  cost: JobCost;
}

/** Why a running job's signal fired. */
export type AbortCause = 'cancelled' | 'shutdown';

/** What a running job gets from the queue. */
export interface JobContext {
  /** Fires on cancel or shutdown; `abortCause()` tells which. */
  signal: AbortSignal;
  abortCause(): AbortCause | undefined;
  /** Call after each denoising step: feeds the step-time average behind every ETA. */
  reportStep(step: number, totalSteps: number): void;
}

/** Runs one job to the end. Must settle; a rejection is logged by the queue and otherwise ignored. */
export type JobRunner = (job: QueueJob, context: JobContext) => Promise<void>;

/** Where a job stands. */
export interface QueuePosition {
  /** 0 = running; 1 = next to start; … */
  position: number;
  /** Estimated milliseconds until it starts (0 when running). */
  startsInMs: number;
  /** Estimated milliseconds until it finishes. */
  etaMs: number;
  /**
   * Set when no running worker process has the job's model (the cluster's queue): it waits for
   * one, and its ETA means nothing until then. Undefined otherwise and in a single process.
   */
  noWorkerFor?: string;
}

/** A request the queue will not take now, with what the person needs to know. */
export type QueueRefusal =
  | { code: 'queue_full'; scope: 'user' | 'everyone'; limit: number }
  | { code: 'rate_limited'; retryAfterMs: number };

/**
 * A place held in the queue while the caller writes the job's row: counted against the caps
 * at once, so two requests racing each other cannot both take the last place.
 */
export interface Reservation {
  /** Puts the job in the queue in the reserved place. */
  commit(job: QueueJob): Promise<QueuePosition>;
  /** Gives the place back (the row could not be written). */
  release(): void;
}

export type ReserveResult = { ok: true; reservation: Reservation } | { ok: false; refusal: QueueRefusal };

export interface QueueStats {
  waiting: number;
  running: number;
  /** Current average milliseconds per step of weight 1. */
  msPerStep: number;
}

export type CancelOutcome = 'removed' | 'aborted' | 'unknown';

/** A waiting job and where it stands. */
export interface WaitingJob {
  jobId: string;
  position: QueuePosition;
}

export interface GenerationQueue {
  /** Starts running jobs with `runner`. Call once, before recovery re-queues jobs. */
  start(runner: JobRunner): Promise<void>;
  /** Holds a place for a new request of `userId`, or says why not (caps, rate limit). */
  reserve(userId: string): Promise<ReserveResult>;
  /**
   * Puts back a job that was accepted before a restart: no caps, no rate window (it was
   * counted when accepted). Call in the original acceptance order.
   */
  requeue(job: QueueJob): Promise<QueuePosition>;
  /** Removes a waiting job, or aborts a running one (its signal fires with cause `cancelled`). */
  cancel(jobId: string): Promise<CancelOutcome>;
  /** Position and ETA, or undefined when the job is neither waiting nor running here. */
  position(jobId: string): Promise<QueuePosition | undefined>;
  stats(): Promise<QueueStats>;
  /** Every waiting job with its position and ETA, in start order. */
  waiting(): Promise<WaitingJob[]>;
  /**
   * Calls `listener` whenever positions or estimates may have moved: a job was added, started,
   * finished or removed, or a running job measured a step. Called synchronously; keep it cheap.
   */
  onChange(listener: () => void): void;
  /**
   * Stops taking and starting jobs; waits for running ones; when `deadline` aborts, aborts them
   * with cause `shutdown` (their rows go back to queued) and returns once they settled.
   */
  stop(deadline: AbortSignal): Promise<void>;
}
