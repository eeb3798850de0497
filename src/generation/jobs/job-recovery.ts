/**
 * Start-up recovery of running jobs whose process is gone: each goes back to `queued`, unless
 * it was running every time its process died (attempts ≥ {@link MAX_JOB_ATTEMPTS}): such a job
 * most likely kills the process (out of memory, a native crash), so it is failed with the
 * `crash_loop` refusal and its owner is told, instead of being run again at every restart.
 */
import type { Logger } from 'pino';
import type { GenerationRepository } from '../../db/generation.repository.ts';
import type { JobLeaseRepository } from '../../db/job-lease.repository.ts';
import type { UserRepository } from '../../db/user.repository.ts';
import { MAX_JOB_ATTEMPTS, ownerIsDeadHere } from './job-lease.ts';
import { ownerOf } from '../requests/who.ts';
import { refuse } from '../requests/refusal.ts';
import type { SafeEvents } from './safe-events.ts';

export interface JobRecoveryOptions {
  leases: JobLeaseRepository;
  /** The recovering process's owner id (its own jobs are never taken). */
  self: string;
  generations: Pick<GenerationRepository, 'get'>;
  users: Pick<UserRepository, 'get'>;
  events: SafeEvents;
  logger: Logger;
}

/** Takes back abandoned running jobs; returns the ids re-queued and failed. */
export async function recoverAbandonedJobs(options: JobRecoveryOptions): Promise<{ requeued: string[]; failed: string[] }> {
  const { leases, self, generations, users, events, logger } = options;
  const recovered = await leases.recoverAbandoned({
    maxAttempts: MAX_JOB_ATTEMPTS,
    failure: (attempts) => ({ code: 'crash_loop', message: `the process running this job died ${attempts} times` }),
    ownerIsDead: (owner) => ownerIsDeadHere(owner, self),
    self,
  });
  for (const { id, attempts } of recovered.failed) {
    const refusal = refuse('crash_loop', { attempts });
    // Logged once, as the operator's lead to the job that takes the process down.
    logger.error({ jobId: id, attempts, code: refusal.code }, 'job.crash_loop');
    const generation = await generations.get(id);
    if (generation === undefined) continue;
    events.emit('failed', { generation, owner: await ownerOf(users, generation.userId), code: refusal.code, message: refusal.message });
  }
  return { requeued: recovered.requeued, failed: recovered.failed.map((job) => job.id) };
}
