/**
 * In-memory fakes of the job-lease and chat-event-claim repositories, over the rows of
 * {@link MemoryGenerations}, with the same conditional transitions as the Prisma ones.
 */
import type { ChatEventClaimRepository } from '../../../src/db/chat-event-claim.repository.ts';
import type { JobLeaseRepository, JobLeaseState, RecoveredJobs, RecoveryRules } from '../../../src/db/job-lease.repository.ts';
import type { MemoryGenerations } from './memory-repositories.ts';

interface Lease {
  attempts: number;
  owner: string | undefined;
  expiresAt: number | undefined;
}

export class MemoryJobLeases implements JobLeaseRepository {
  readonly #leases = new Map<string, Lease>();

  constructor(
    private readonly generations: MemoryGenerations,
    private readonly now: () => Date,
  ) {}

  async claim(id: string, owner: string, durationMs: number) {
    const row = this.generations.rows.find((candidate) => candidate.id === id);
    if (row?.status !== 'queued') return undefined;
    const lease = this.#lease(id);
    Object.assign(row, { status: 'running', startedAt: this.now() });
    Object.assign(lease, { attempts: lease.attempts + 1, owner, expiresAt: this.now().getTime() + durationMs });
    return lease.attempts;
  }

  async renew(id: string, owner: string, durationMs: number) {
    const row = this.generations.rows.find((candidate) => candidate.id === id);
    const lease = this.#lease(id);
    if (row?.status !== 'running' || lease.owner !== owner) return false;
    lease.expiresAt = this.now().getTime() + durationMs;
    return true;
  }

  async release(id: string, owner: string) {
    const row = this.generations.rows.find((candidate) => candidate.id === id);
    const lease = this.#lease(id);
    if (row?.status !== 'running' || lease.owner !== owner || lease.attempts < 1) return false;
    Object.assign(row, { status: 'queued', startedAt: undefined });
    Object.assign(lease, { attempts: lease.attempts - 1, owner: undefined, expiresAt: undefined });
    return true;
  }

  async recoverAbandoned(rules: RecoveryRules): Promise<RecoveredJobs> {
    const recovered: RecoveredJobs = { requeued: [], failed: [] };
    for (const row of this.generations.rows.filter((candidate) => candidate.status === 'running')) {
      const lease = this.#lease(row.id);
      if (lease.owner === rules.self) continue;
      const expired = lease.expiresAt === undefined || lease.expiresAt <= this.now().getTime();
      if (!expired && (lease.owner === undefined || !rules.ownerIsDead(lease.owner))) continue;
      if (lease.attempts >= rules.maxAttempts) {
        const failure = rules.failure(lease.attempts);
        Object.assign(row, { status: 'failed', finishedAt: this.now(), errorCode: failure.code, errorMessage: failure.message });
        recovered.failed.push({ id: row.id, attempts: lease.attempts });
      } else {
        Object.assign(row, { status: 'queued', startedAt: undefined });
        Object.assign(lease, { owner: undefined, expiresAt: undefined });
        recovered.requeued.push(row.id);
      }
    }
    return recovered;
  }

  async get(id: string): Promise<JobLeaseState | undefined> {
    const row = this.generations.rows.find((candidate) => candidate.id === id);
    if (row === undefined) return undefined;
    const lease = this.#lease(id);
    return { status: row.status, attempts: lease.attempts, owner: lease.owner, expiresAt: lease.expiresAt === undefined ? undefined : new Date(lease.expiresAt) };
  }

  #lease(id: string): Lease {
    let lease = this.#leases.get(id);
    if (lease === undefined) this.#leases.set(id, (lease = { attempts: 0, owner: undefined, expiresAt: undefined }));
    return lease;
  }
}

export class MemoryChatEventClaims implements ChatEventClaimRepository {
  readonly claims = new Map<string, { claimedBy: string; at: number }>();

  constructor(private readonly now: () => Date) {}

  async claim(key: string, claimedBy: string) {
    if (this.claims.has(key)) return false;
    this.claims.set(key, { claimedBy, at: this.now().getTime() });
    return true;
  }

  async pruneOlderThan(before: Date) {
    let removed = 0;
    for (const [key, claim] of this.claims) {
      if (claim.at < before.getTime()) {
        this.claims.delete(key);
        removed++;
      }
    }
    return removed;
  }
}
