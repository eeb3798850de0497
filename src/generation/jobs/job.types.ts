/**
 * What the generation service gives back to adapters: accepted jobs, delivered images and the
 * lifecycle events of a job (who asks and where: `requests/request.types.ts`).
 */
import type { Generation } from '../../db/domain.types.ts';
import type { GeneratedImage } from '../engine.types.ts';
import type { QueuePosition } from '../queue/generation-queue.ts';
import type { ImagineParameters } from '../requests/imagine-parameters.ts';
import type { Refusal, RefusalCode } from '../requests/refusal.ts';
import type { JobOwner } from '../requests/request.types.ts';

export type { Generation } from '../../db/domain.types.ts';

/** A job accepted into the queue. */
export interface Accepted {
  ok: true;
  generation: Generation;
  position: QueuePosition;
  /** Settings that were adjusted, in words. */
  warnings: string[];
}

/** The outcome of /imagine: accepted with its parameters, or a refusal. */
export type ImagineOutcome = (Accepted & { parameters: ImagineParameters }) | Refusal;
/** The outcome of reroll / vary / upscale. */
export type DerivedOutcome = Accepted | Refusal;

/** One image as delivered to a channel: the engine's image, its `png` the one to post. */
export interface DeliveredImage extends GeneratedImage {
  /** Blurred because it was flagged and the channel is not NSFW (`png` is then the blurred picture). */
  blurred: boolean;
}

/** Images ready for a channel, after the NSFW policy. */
export interface Delivery {
  images: DeliveredImage[];
  /** All delivered images in one grid (2+ images), for platforms that post one picture. */
  grid: Buffer | undefined;
  /** Set when some images were held back (policy `withhold`). */
  withheld: Refusal<'nsfw_withheld'> | undefined;
}

/** Common part of every lifecycle event: the job row (with its chat location) and its owner. */
export interface JobEvent {
  generation: Generation;
  owner: JobOwner;
}

/**
 * Lifecycle events to the adapters. Called without awaiting the job on them; a listener that
 * throws or rejects is logged and does not affect the job.
 */
export interface GenerationEvents {
  queued(event: JobEvent & { position: QueuePosition; recovered: boolean }): void | Promise<void>;
  /**
   * A waiting job's place changed (`position`) or its ETA moved noticeably (`estimate`); see
   * PositionAnnouncer. Optional: a listener without it keeps showing the first position.
   */
  moved?(event: JobEvent & { position: QueuePosition; reason: 'position' | 'estimate' }): void | Promise<void>;
  started(event: JobEvent): void | Promise<void>;
  /** At most one every `progressIntervalMs` per job; `preview` is a small PNG when previews are on. */
  progress(event: JobEvent & { step: number; totalSteps: number; etaMs: number; preview: Buffer | undefined }): void | Promise<void>;
  finished(event: JobEvent & Delivery & { warnings: string[] }): void | Promise<void>;
  failed(event: JobEvent & { code: RefusalCode; message: string }): void | Promise<void>;
  cancelled(event: JobEvent & { by: 'owner' | 'moderator' }): void | Promise<void>;
}
