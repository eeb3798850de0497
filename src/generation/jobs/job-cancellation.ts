/**
 * Cancel: the owner or a moderator. The row is marked `cancelled` first (only from queued or
 * running), then the queue drops the waiting job or aborts the running one, so a job that
 * finishes in that instant cannot turn into a success (its success transaction needs
 * `running`). A moderator cancelling someone else's job is written to the audit log.
 */
import type { Logger } from 'pino';
import type { GenerationWithImages } from '../../db/domain.types.ts';
import type { Repositories } from '../../db/repositories.ts';
import type { GenerationQueue } from '../queue/generation-queue.ts';
import type { JobRegistry } from './job-registry.ts';
import { ownerOf } from '../requests/who.ts';
import { refuse, type Refusal } from '../requests/refusal.ts';
import type { SafeEvents } from './safe-events.ts';
import { isModerator, scopeOf, type Who } from '../requests/who.ts';

/** Result of cancel. */
export type CancelOutcome = { ok: true; outcome: 'cancelled' | 'already_finished'; generation: GenerationWithImages } | Refusal;

export interface JobCancellationOptions {
  repositories: Pick<Repositories, 'generations' | 'moderation' | 'users'>;
  queue: GenerationQueue;
  registry: JobRegistry;
  events: SafeEvents;
  logger: Logger;
}

export class JobCancellation {
  constructor(private readonly options: JobCancellationOptions) {}

  async cancel(generationId: string, who: Who): Promise<CancelOutcome> {
    const { generations, moderation, users } = this.options.repositories;
    // Another workspace's job (or, in DMs, someone else's) is "not found", like an unknown id.
    const generation = await generations.getInScope(generationId, scopeOf(who));
    if (generation === undefined) return refuse('not_found', { what: 'generation', id: generationId });
    const byOwner = who.user.id === generation.userId;
    if (!byOwner && !isModerator(who)) return refuse('forbidden', { action: 'cancel this job', allowed: 'owner or moderator' });
    if (!(await generations.markCancelled(generationId))) return { ok: true, outcome: 'already_finished', generation };
    const outcome = await this.options.queue.cancel(generationId);
    // A running job's runner forgets it when it returns; a waiting one never runs.
    if (outcome !== 'aborted') this.options.registry.delete(generationId);
    if (!byOwner) {
      await moderation.record({
        actorId: who.user.id,
        action: 'cancel',
        workspaceId: generation.workspaceId,
        targetUserId: generation.userId,
        targetGenerationId: generationId,
        reason: undefined,
        details: { status: generation.status },
      });
    }
    const cancelled = (await generations.get(generationId)) ?? generation;
    const by = byOwner ? 'owner' : 'moderator';
    this.options.logger.info({ jobId: generationId, by, wasRunning: outcome === 'aborted' }, 'job.cancelled');
    this.options.events.emit('cancelled', { generation: cancelled, owner: await ownerOf(users, generation.userId), by });
    return { ok: true, outcome: 'cancelled', generation: cancelled };
  }
}
