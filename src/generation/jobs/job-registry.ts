/**
 * What the service keeps in memory about jobs it queued: the owner (for events), whether the
 * channel allows NSFW, and the warnings to show with the result. Everything needed to run a job
 * is in its database row; this is only delivery context, rebuilt conservatively after a restart
 * (owner from the database, NSFW not allowed).
 */
import type { UserRepository } from '../../db/user.repository.ts';
import { ownerOf } from '../requests/who.ts';
import type { JobOwner } from '../requests/request.types.ts';

export interface JobInfo {
  owner: JobOwner;
  nsfwAllowed: boolean;
  warnings: string[];
  /** `started` went out (so a late `queued` must not). */
  started: boolean;
}

export class JobRegistry {
  readonly #jobs = new Map<string, JobInfo>();

  constructor(private readonly users: Pick<UserRepository, 'get'>) {}

  set(jobId: string, info: JobInfo): void {
    this.#jobs.set(jobId, info);
  }

  get(jobId: string): JobInfo | undefined {
    return this.#jobs.get(jobId);
  }

  delete(jobId: string): void {
    this.#jobs.delete(jobId);
  }

  /**
   * The info of a job; for a job this process did not queue (it predates a restart), the owner
   * from the database and the safe defaults, without remembering them.
   */
  async ensure(jobId: string, userId: string): Promise<JobInfo> {
    return this.#jobs.get(jobId) ?? { owner: await ownerOf(this.users, userId), nsfwAllowed: false, warnings: [], started: false };
  }
}
