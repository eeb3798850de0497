/**
 * The last step before a job exists: a place in the queue, quota, the row, the queue entry.
 * One person's requests are admitted one at a time, so two clicks in the same millisecond
 * cannot both take the last unit of a quota; different people are admitted concurrently, and
 * the queue's reservation keeps its caps exact between them.
 */
import type { Logger } from 'pino';
import type { GenerationRepository } from '../../db/generation.repository.ts';
import type { QueueRefusal } from '../queue/generation-queue.ts';
import type { GenerationQueue } from '../queue/generation-queue.ts';
import type { QuotaPolicy } from '../queue/quota.policy.ts';
import type { JobParameters } from '../requests/derived-jobs.ts';
import { jobCost } from './job-cost.ts';
import type { JobRegistry } from './job-registry.ts';
import { refuse, type Refusal } from '../requests/refusal.ts';
import type { PositionAnnouncer } from './position-announcer.ts';
import type { SafeEvents } from './safe-events.ts';
import type { Accepted } from './job.types.ts';
import type { RequestPlace } from '../requests/request.types.ts';
import type { Who } from '../requests/who.ts';

export interface JobAdmissionOptions {
  generations: GenerationRepository;
  queue: GenerationQueue;
  quotas: QuotaPolicy;
  registry: JobRegistry;
  events: SafeEvents;
  /** Told where each new job's message starts, to update it while the job waits. */
  positions: Pick<PositionAnnouncer, 'track'>;
  logger: Logger;
}

function queueRefusal(refusal: QueueRefusal): Refusal {
  return refusal.code === 'queue_full'
    ? refuse('queue_full', { scope: refusal.scope, limit: refusal.limit })
    : refuse('rate_limited', { retryAfterMs: refusal.retryAfterMs });
}

export class JobAdmission {
  readonly #tails = new Map<string, Promise<unknown>>();

  constructor(private readonly options: JobAdmissionOptions) {}

  /** Quota → reservation → row → queue; a refusal at any step leaves nothing behind. */
  admit(who: Who, place: RequestPlace, parameters: JobParameters, warnings: string[]): Promise<Accepted | Refusal> {
    return this.#oneAtATime(who.user.id, () => this.#admit(who, place, parameters, warnings));
  }

  async #admit(who: Who, place: RequestPlace, parameters: JobParameters, warnings: string[]): Promise<Accepted | Refusal> {
    const { generations, queue, quotas, registry, events, logger } = this.options;
    const reserved = await queue.reserve(who.user.id);
    if (!reserved.ok) return queueRefusal(reserved.refusal);
    // Counted while the place is held: with the cluster's queue the reservation is a lock over
    // every bot process, so two of them cannot both let the last job of a quota in.
    let quota;
    try {
      quota = await quotas.check(who.user.id, who.role);
    } catch (error) {
      reserved.reservation.release();
      throw error;
    }
    if (!quota.ok) {
      reserved.reservation.release();
      return refuse('quota_exceeded', quota.refusal);
    }
    let generation;
    try {
      generation = await generations.create({
        ...parameters,
        userId: who.user.id,
        workspaceId: who.workspace?.id,
        channelId: place.channelId,
        chat: place.chat,
      });
    } catch (error) {
      reserved.reservation.release();
      throw error;
    }
    const info = { owner: who.owner, nsfwAllowed: place.nsfwAllowed, warnings, started: false };
    registry.set(generation.id, info);
    const position = await reserved.reservation.commit({ id: generation.id, userId: who.user.id, cost: jobCost(generation) });
    logger.info(
      { jobId: generation.id, kind: generation.kind, userId: who.user.id, model: generation.model, position: position.position, etaMs: position.etaMs },
      'job.queued',
    );
    if (!info.started) {
      events.emit('queued', { generation, owner: who.owner, position, recovered: false });
      this.options.positions.track(generation, who.owner, position);
    }
    return { ok: true, generation, position, warnings };
  }

  /** Runs `task` after every earlier task of the same key has settled. */
  async #oneAtATime<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const current = previous.then(task, task);
    const tail = current.catch(() => undefined);
    this.#tails.set(key, tail);
    try {
      return await current;
    } finally {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
