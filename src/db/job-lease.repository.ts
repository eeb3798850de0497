/**
 * Who runs a job, for several processes on one PostgreSQL: a running row carries its owner (a
 * per-process id) and a lease the owner renews while it runs. Claiming is one conditional
 * UPDATE (only a `queued` row), so two processes never both start a job; start-up recovery
 * takes back only running jobs whose owner is gone (lease expired, or the owner is a dead
 * process on this very host), and counts how often a job was started, so a job that kills its
 * process is not started for ever.
 */
import type { PrismaClient } from './generated/client.ts';
import type { Clock } from './domain.types.ts';
import type { GenerationFailure } from './generation.repository.ts';

/** The lease state of one job row. */
export interface JobLeaseState {
  status: string;
  /** How many times a process started running the job. */
  attempts: number;
  owner: string | undefined;
  expiresAt: Date | undefined;
}

/** What start-up recovery did with the running jobs it took over. */
export interface RecoveredJobs {
  /** Back to `queued` (their process is gone), to run again. */
  requeued: string[];
  /** Failed instead: they were running every time their process died, `attempts` times. */
  failed: Array<{ id: string; attempts: number }>;
}

export interface RecoveryRules {
  /** A job started this many times whose process died again is failed, not re-queued. */
  maxAttempts: number;
  /** The failure recorded for such a job. */
  failure: (attempts: number) => GenerationFailure;
  /** True when `owner` is known to be dead although its lease has not expired (same host, no such pid). */
  ownerIsDead: (owner: string) => boolean;
  /** The recovering process's own owner id: its jobs are never taken, expired or not. */
  self: string;
}

export interface JobLeaseRepository {
  /**
   * queued → running for `owner`, lease until now + `durationMs`, attempts + 1, in one
   * conditional UPDATE. Returns the attempt number, or undefined when the job was not queued
   * (another process took it, or it was cancelled).
   */
  claim(id: string, owner: string, durationMs: number): Promise<number | undefined>;
  /** Extends the lease to now + `durationMs` while `owner` still runs the job; false = lost. */
  renew(id: string, owner: string, durationMs: number): Promise<boolean>;
  /**
   * running → queued, attempts − 1, lease cleared: the owner stopped the job on purpose
   * (shutdown), which must not count as a crash. False when `owner` no longer held it.
   */
  release(id: string, owner: string): Promise<boolean>;
  /** Start-up recovery of running jobs whose owner is gone; see {@link RecoveryRules}. */
  recoverAbandoned(rules: RecoveryRules): Promise<RecoveredJobs>;
  /** The lease state of a job (tests, diagnostics). */
  get(id: string): Promise<JobLeaseState | undefined>;
}

export class PrismaJobLeaseRepository implements JobLeaseRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: Clock,
  ) {}

  async claim(id: string, owner: string, durationMs: number): Promise<number | undefined> {
    const now = this.now();
    const rows = await this.prisma.generation.updateManyAndReturn({
      where: { id, status: 'queued' },
      data: { status: 'running', startedAt: now, attempts: { increment: 1 }, leaseOwner: owner, leaseExpiresAt: new Date(now.getTime() + durationMs) },
      select: { attempts: true },
    });
    return rows[0]?.attempts;
  }

  async renew(id: string, owner: string, durationMs: number): Promise<boolean> {
    const { count } = await this.prisma.generation.updateMany({
      where: { id, status: 'running', leaseOwner: owner },
      data: { leaseExpiresAt: new Date(this.now().getTime() + durationMs) },
    });
    return count === 1;
  }

  async release(id: string, owner: string): Promise<boolean> {
    const { count } = await this.prisma.generation.updateMany({
      where: { id, status: 'running', leaseOwner: owner, attempts: { gt: 0 } },
      data: { status: 'queued', startedAt: null, attempts: { decrement: 1 }, leaseOwner: null, leaseExpiresAt: null },
    });
    return count === 1;
  }

  async recoverAbandoned(rules: RecoveryRules): Promise<RecoveredJobs> {
    const now = this.now();
    const running = await this.prisma.generation.findMany({
      where: { status: 'running' },
      select: { id: true, attempts: true, leaseOwner: true, leaseExpiresAt: true },
      orderBy: { queueOrder: 'asc' },
    });
    const recovered: RecoveredJobs = { requeued: [], failed: [] };
    for (const row of running) {
      const expired = row.leaseExpiresAt === null || row.leaseExpiresAt.getTime() <= now.getTime();
      if (row.leaseOwner === rules.self) continue;
      if (!expired && (row.leaseOwner === null || !rules.ownerIsDead(row.leaseOwner))) continue;
      // Compare-and-set on what was read: an owner that renewed meanwhile keeps its job.
      const seen = { id: row.id, status: 'running' as const, leaseOwner: row.leaseOwner, leaseExpiresAt: row.leaseExpiresAt };
      const crashLooped = row.attempts >= rules.maxAttempts;
      const data = crashLooped
        ? { status: 'failed' as const, finishedAt: now, errorCode: rules.failure(row.attempts).code, errorMessage: rules.failure(row.attempts).message, leaseExpiresAt: null }
        : { status: 'queued' as const, startedAt: null, leaseOwner: null, leaseExpiresAt: null };
      const { count } = await this.prisma.generation.updateMany({ where: seen, data });
      if (count !== 1) continue;
      if (crashLooped) recovered.failed.push({ id: row.id, attempts: row.attempts });
      else recovered.requeued.push(row.id);
    }
    return recovered;
  }

  async get(id: string): Promise<JobLeaseState | undefined> {
    const row = await this.prisma.generation.findUnique({ where: { id }, select: { status: true, attempts: true, leaseOwner: true, leaseExpiresAt: true } });
    if (row === null) return undefined;
    return { status: row.status, attempts: row.attempts, owner: row.leaseOwner ?? undefined, expiresAt: row.leaseExpiresAt ?? undefined };
  }
}
