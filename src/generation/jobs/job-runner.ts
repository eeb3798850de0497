/**
 * Runs one job from its database row: claims it for this process (queued → running, attempts
 * + 1, a lease in the row, only if still queued), renews the lease while it runs, runs the
 * engine with the queue's AbortSignal, stores the images, then records images and `succeeded`
 * in one transaction (only if still running) before telling the adapter. So a job cancelled
 * meanwhile never turns into a success, and a job never completes twice: a second runner (here
 * or in another process) cannot claim it, and image keys are stable, so a rerun after a crash
 * overwrites the same files. A job aborted by shutdown is released (back to `queued`, the
 * attempt not counted) and runs at the next start.
 */
import type { Logger } from 'pino';
import type { GenerationWithImages } from '../../db/domain.types.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import type { GenerationRepository, GenerationSuccess, NewImage } from '../../db/generation.repository.ts';
import type { JobLeaseRepository } from '../../db/job-lease.repository.ts';
import { decodeImage, encodePng, makePreview } from '../../images/index.ts';
import type { ImageStore } from '../../storage/image.store.ts';
import { imageKey } from '../../storage/image.store.ts';
import type { GenerationRequest, GenerationResult, ImageEngine, StepProgress } from '../engine.types.ts';
import type { GenerationQueue, JobContext, QueueJob } from '../queue/generation-queue.ts';
import { SourceImageGoneError, failureFor, isBrokenModelError } from './engine-failure.ts';
import { LeaseKeeper, type JobLeaseSettings } from './job-lease.ts';
import type { JobRegistry } from './job-registry.ts';
import type { ModelDirectory } from '../requests/model-directory.ts';
import { negativePromptForEngine } from './negative-prompt.ts';
import { prepareDelivery, type NsfwMode } from './nsfw-delivery.ts';
import { requestedStep } from './progress-steps.ts';
import { ProgressThrottle } from './progress-throttle.ts';
import type { SafeEvents } from './safe-events.ts';
import { isSchedulerName } from '../requests/scheduler-names.ts';
import { maskKeyOf, runEditJob } from './edit-jobs.ts';
import type { EditResult } from '../edit.types.ts';

export interface JobRunnerOptions {
  generations: GenerationRepository;
  leases: JobLeaseRepository;
  /** This process's owner id and lease durations. */
  lease: JobLeaseSettings;
  engine: ImageEngine;
  store: ImageStore;
  queue: GenerationQueue;
  events: SafeEvents;
  models: ModelDirectory;
  registry: JobRegistry;
  nsfwMode: NsfwMode;
  previews: boolean;
  progressIntervalMs: number;
  /** Epoch milliseconds. */
  now: () => number;
  logger: Logger;
}

/** This process no longer holds the job's lease: another one runs it now. */
class LeaseLostError extends Error {
  override readonly name = 'LeaseLostError';
  constructor() {
    super('the job lease was taken over by another process');
  }
}

const PREVIEW = { format: 'jpeg', maxSide: 256, quality: 60 } as const;
/** Attempts at the success transaction before the job counts as failed. */
const RECORD_ATTEMPTS = 4;
const RECORD_RETRY_MS = 500;

export class JobRunner {
  constructor(private readonly options: JobRunnerOptions) {}

  /** The queue's runner: never rejects. */
  readonly run = async (job: QueueJob, context: JobContext): Promise<void> => {
    const { leases, lease, registry, events, now } = this.options;
    const log = this.options.logger.child({ jobId: job.id });
    let keeper: LeaseKeeper | undefined;
    try {
      const attempt = await leases.claim(job.id, lease.owner, lease.durationMs);
      if (attempt === undefined) {
        log.info('job.skipped_not_queued');
        return;
      }
      keeper = new LeaseKeeper(job.id, leases, lease, log);
      const generation = await this.#load(job.id);
      const info = await registry.ensure(job.id, generation.userId);
      const startedAt = now();
      info.started = true;
      log.info({ waitedMs: startedAt - generation.queuedAt.getTime(), kind: generation.kind, model: generation.model, attempt }, 'job.started');
      events.emit('started', { generation, owner: info.owner });
      try {
        await this.#execute(generation, context, keeper.lost, startedAt, log);
      } catch (error) {
        await this.#handleError(generation, error, context, keeper.lost, log);
      }
    } catch (error) {
      log.error({ err: error }, 'job.runner_failed');
    } finally {
      keeper?.stop();
      registry.delete(job.id);
    }
  };

  async #execute(generation: GenerationWithImages, context: JobContext, leaseLost: AbortSignal, startedAt: number, log: Logger): Promise<void> {
    const { store, registry, events } = this.options;
    const result = await this.#generate(generation, context, AbortSignal.any([context.signal, leaseLost]), startedAt, log);
    // Another process took the job over (this one stalled past its lease): it records the result.
    const { leases, lease } = this.options;
    if (leaseLost.aborted || !(await leases.renew(generation.id, lease.owner, lease.durationMs))) throw new LeaseLostError();
    const images: NewImage[] = [];
    const bytes = new Map<number, Buffer>();
    try {
      for (const image of result.images) {
        const stored = await store.put(imageKey(generation.id, image.index, generation.queuedAt), image.png);
        bytes.set(image.index, image.png);
        images.push({ index: image.index, fileKey: stored.key, width: image.width, height: image.height, sha256: stored.sha256, bytes: stored.bytes, nsfw: image.nsfw });
      }
    } catch (error) {
      // No row names these yet (rows come after every put), so the job that now fails leaves no
      // files behind. Best effort: the store may be what failed.
      await Promise.all(images.map((image) => store.delete(image.fileKey).catch(() => undefined)));
      throw error;
    }
    // An edit's mask (what was repainted), a small black/white PNG next to its image.
    const maskKey = 'mask' in result ? await this.#putMask(generation, result as EditResult, images) : undefined;
    if ((await this.#recordSuccess(generation.id, { images, gpuMs: Math.round(result.timings.totalMs), maskKey }, log)) === 'cancelled') {
      // Cancelled while it ran: the adapter was told then; the files are not wanted.
      await Promise.all([...images.map((image) => image.fileKey), ...(maskKey === undefined ? [] : [maskKey])].map((key) => store.delete(key)));
      log.info('job.discarded_after_cancel');
      return;
    }
    const finished = await this.#load(generation.id);
    const info = await registry.ensure(generation.id, generation.userId);
    const delivery = await prepareDelivery(
      result.images.map((image) => ({ index: image.index, seed: image.seed, width: image.width, height: image.height, png: bytes.get(image.index) ?? image.png, nsfw: image.nsfw })),
      info.nsfwAllowed,
      this.options.nsfwMode,
    );
    log.info(
      { durationMs: this.options.now() - startedAt, engineMs: Math.round(result.timings.totalMs), images: images.length, withheld: delivery.withheld?.details.count ?? 0 },
      'job.finished',
    );
    events.emit('finished', { generation: finished, owner: info.owner, ...delivery, warnings: [...info.warnings, ...result.warnings] });
  }

  async #putMask(generation: GenerationWithImages, result: EditResult, images: NewImage[]): Promise<string> {
    const { store } = this.options;
    const { width, height, pixels } = result.mask;
    const rgb = new Uint8Array(width * height * 3);
    for (let i = 0; i < pixels.length; i++) rgb.fill(pixels[i] as number, i * 3, i * 3 + 3);
    try {
      const stored = await store.put(maskKeyOf(imageKey(generation.id, 0, generation.queuedAt)), await encodePng({ width, height, pixels: rgb }, undefined));
      return stored.key;
    } catch (error) {
      await Promise.all(images.map((image) => store.delete(image.fileKey).catch(() => undefined)));
      throw error;
    }
  }

  /**
   * The success transaction, retried: under heavy load a database can refuse or time out a
   * transaction although the images are safely stored, and a finished job must not be thrown
   * away for that. A retry that finds the row already `succeeded` means an earlier attempt did
   * commit; anything else not `running` means the job was cancelled meanwhile.
   */
  async #recordSuccess(id: string, success: GenerationSuccess, log: Logger): Promise<'recorded' | 'cancelled'> {
    const { generations } = this.options;
    for (let attempt = 1; ; attempt++) {
      try {
        if (await generations.markSucceeded(id, success)) return 'recorded';
        return (await generations.get(id))?.status === 'succeeded' ? 'recorded' : 'cancelled';
      } catch (error) {
        if (attempt >= RECORD_ATTEMPTS) throw error;
        log.warn({ err: error, attempt }, 'job.record_retry');
        await sleep(RECORD_RETRY_MS * attempt);
      }
    }
  }

  async #generate(generation: GenerationWithImages, context: JobContext, signal: AbortSignal, startedAt: number, log: Logger): Promise<GenerationResult> {
    const { engine, previews, progressIntervalMs, now } = this.options;
    const throttle = new ProgressThrottle(progressIntervalMs, now, startedAt);
    const onProgress = (progress: StepProgress): void => {
      context.reportStep(progress.step, progress.totalSteps);
      log.debug({ step: progress.step, totalSteps: progress.totalSteps, elapsedMs: now() - startedAt }, 'job.step');
      if (throttle.tryPass()) void this.#emitProgress(generation, progress, log);
    };
    const options = { signal, onProgress, previews };
    const request = this.#request(generation);
    if (generation.kind === 'upscale') {
      const source = await this.#sourceImage(generation);
      return engine.upscale(source.png, { ...request, width: source.width, height: source.height, count: 1 }, options);
    }
    if (generation.kind === 'variation') {
      const source = await this.#sourceImage(generation);
      const image = await decodeImage(source.png);
      return engine.generate({ ...request, initImage: { image, strength: generation.strength ?? 0.5 } }, options);
    }
    if (generation.kind === 'edit') {
      const source = await this.#sourceImage(generation);
      return runEditJob(engine, generation, request, await decodeImage(source.png), options);
    }
    return engine.generate(request, options);
  }

  #request(generation: GenerationWithImages): GenerationRequest {
    return {
      model: generation.model,
      prompt: generation.prompt,
      negativePrompt: negativePromptForEngine(generation.negativePrompt),
      seed: generation.seed,
      steps: generation.steps,
      guidance: generation.guidance,
      scheduler: isSchedulerName(generation.scheduler) ? generation.scheduler : undefined,
      width: generation.width,
      height: generation.height,
      count: generation.count,
      initImage: undefined,
    };
  }

  /** The parent's image a variation, upscale or edit starts from. */
  async #sourceImage(generation: GenerationWithImages): Promise<{ png: Buffer; width: number; height: number }> {
    const parentId = generation.parentId;
    const index = generation.parentImageIndex;
    if (parentId === undefined || index === undefined) throw new Error(`${generation.kind} ${generation.id} has no parent image`);
    const parent = await this.options.generations.get(parentId);
    const image = parent?.images.find((candidate) => candidate.index === index);
    if (image === undefined || image.deletedAt !== undefined) throw new SourceImageGoneError(parentId, index);
    return { png: await this.options.store.get(image.fileKey), width: image.width, height: image.height };
  }

  async #emitProgress(generation: GenerationWithImages, progress: StepProgress, log: Logger): Promise<void> {
    try {
      const info = await this.options.registry.ensure(generation.id, generation.userId);
      const position = await this.options.queue.position(generation.id);
      // TAESD's decode when the engine makes one (a model run: only for the updates that are sent), else the latent-RGB approximation.
      const image = progress.previewImage ? await progress.previewImage() : progress.preview;
      const preview = image === undefined ? undefined : await makePreview(image, PREVIEW);
      this.options.events.emit('progress', {
        generation,
        owner: info.owner,
        // In the steps the person asked for (PNDM and img2img count model calls differently).
        ...requestedStep(progress.step, progress.totalSteps, generation.steps),
        etaMs: position?.etaMs ?? 0,
        preview,
      });
    } catch (error) {
      log.warn({ err: error }, 'job.progress_failed');
    }
  }

  async #handleError(generation: GenerationWithImages, error: unknown, context: JobContext, leaseLost: AbortSignal, log: Logger): Promise<void> {
    if (context.signal.aborted) {
      if (context.abortCause() === 'shutdown') {
        // Back to `queued` for the next start; a shutdown is not a crash, so the attempt does not count.
        const released = await this.options.leases.release(generation.id, this.options.lease.owner).catch((releaseError: unknown) => {
          log.warn({ err: releaseError }, 'job.release_failed');
          return false;
        });
        log.info({ released }, 'job.interrupted');
      } else {
        // Cancel: already recorded and announced.
        log.info('job.cancelled');
      }
      return;
    }
    if (leaseLost.aborted || error instanceof LeaseLostError) {
      log.warn('job.abandoned_lease_lost');
      return;
    }
    // Not offered again until its files change.
    if (isBrokenModelError(error)) await this.options.models.markBroken?.(generation.model).catch((markError: unknown) => log.warn({ err: markError }, 'job.mark_broken_failed'));
    const available = (await this.options.models.list().catch(() => [])).map((model) => model.name);
    const refusal = failureFor(error, { model: generation.model, available, logger: log });
    const detail = error instanceof Error ? error.message : String(error);
    if (!(await this.options.generations.markFailed(generation.id, { code: refusal.code, message: detail.slice(0, 2000) }))) return;
    const failed = await this.#load(generation.id);
    const info = await this.options.registry.ensure(generation.id, generation.userId);
    log.info({ code: refusal.code }, 'job.failed');
    this.options.events.emit('failed', { generation: failed, owner: info.owner, code: refusal.code, message: refusal.message });
  }

  async #load(id: string): Promise<GenerationWithImages> {
    const generation = await this.options.generations.get(id);
    if (generation === undefined) throw new Error(`generation ${id} disappeared`);
    return generation;
  }
}
