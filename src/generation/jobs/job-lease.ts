/**
 * This process's claim on the jobs it runs. Each process has its own owner id
 * (`<host>/<pid>/<random>`); a running job's row names it and carries a lease the owner renews
 * on an interval. Another process's start-up recovery takes a running job back only when its
 * lease expired, or when its owner is a process of this very host that no longer exists (a
 * kill -9 followed by a restart must not wait for the lease to run out).
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type { JobLeaseRepository } from '../../db/job-lease.repository.ts';

/** How this process holds the jobs it runs. */
export interface JobLeaseSettings {
  /** This process's id, written into the rows it runs. */
  owner: string;
  /** How long a lease lasts without renewal. */
  durationMs: number;
  /** How often the owner renews it (well under `durationMs`). */
  renewEveryMs: number;
}

/** A lease outlives a stalled renewal or two. */
export const JOB_LEASE_MS = 60_000;
export const JOB_LEASE_RENEW_MS = 15_000;
/** A job that was running each time its process died this many times is failed, not re-run. */
export const MAX_JOB_ATTEMPTS = 2;

/** A fresh owner id for this process. */
export function newProcessOwnerId(): string {
  return `${hostname()}/${process.pid}/${randomBytes(4).toString('hex')}`;
}

/** The lease settings of a process that runs jobs: a new owner id, the default durations. */
export function defaultJobLease(): JobLeaseSettings {
  return { owner: newProcessOwnerId(), durationMs: JOB_LEASE_MS, renewEveryMs: JOB_LEASE_RENEW_MS };
}

/**
 * True when `owner` names a process of this host that is gone (so its leases can be taken at
 * once): no process has its pid, or this process has it now (a restarted container often gets
 * the same pid) while `self` is this process's own, different id.
 */
export function ownerIsDeadHere(owner: string, self: string): boolean {
  const parts = owner.split('/');
  const pid = Number(parts.at(-2));
  if (owner === self || parts.length < 3 || parts.slice(0, -2).join('/') !== hostname() || !Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    // EPERM: the pid exists (another user's process): alive as far as we can tell.
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/**
 * Renews one running job's lease on an interval until stopped. `lost` aborts when a renewal
 * finds the lease gone (another process took the job over): the job must stop and record nothing.
 */
export class LeaseKeeper {
  readonly #lost = new AbortController();
  readonly #timer: NodeJS.Timeout;

  constructor(
    private readonly jobId: string,
    private readonly leases: JobLeaseRepository,
    private readonly settings: JobLeaseSettings,
    private readonly log: Logger,
  ) {
    this.#timer = setInterval(() => void this.#renew(), settings.renewEveryMs);
    this.#timer.unref();
  }

  /** Aborts when the lease was lost. */
  get lost(): AbortSignal {
    return this.#lost.signal;
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async #renew(): Promise<void> {
    try {
      if (await this.leases.renew(this.jobId, this.settings.owner, this.settings.durationMs)) return;
      this.log.warn({ owner: this.settings.owner }, 'job.lease_lost');
      this.stop();
      this.#lost.abort(new Error('the job lease was taken over by another process'));
    } catch (error) {
      // A database hiccup: the lease is still good until it expires; the next tick tries again.
      this.log.warn({ err: error }, 'job.lease_renew_failed');
    }
  }
}
