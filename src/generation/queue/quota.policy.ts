/**
 * Per-person quotas: jobs accepted in the last hour and the last 24 hours (rolling windows),
 * by role. Counted from the job history, so quotas survive restarts and hold across several
 * bot processes sharing one database.
 */
import type { QuotaLimits } from '../../config/config.types.ts';

/** The roles limits and quotas are configured by; each includes the ones before it. */
export type PolicyRole = 'user' | 'moderator' | 'admin';

/** Role names whose overrides apply to `role`, weakest first (admins get moderator overrides too). */
export function roleChain(role: PolicyRole): PolicyRole[] {
  if (role === 'admin') return ['user', 'moderator', 'admin'];
  if (role === 'moderator') return ['user', 'moderator'];
  return ['user'];
}

/** Applies the overrides of every role in the chain, in order, over the defaults. */
export function resolveForRole<T extends object>(base: T, overrides: Readonly<Record<string, Partial<T>>>, role: PolicyRole): T {
  let result = { ...base };
  for (const name of roleChain(role)) result = { ...result, ...definedFields(overrides[name]) };
  return result;
}

function definedFields<T extends object>(partial: Partial<T> | undefined): Partial<T> {
  if (partial === undefined) return {};
  return Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined)) as Partial<T>;
}

/** Jobs of one person accepted since each of several times, and when the oldest of each set was accepted. */
export interface AcceptedJobCounter {
  /** One answer per window start, in the same order (one query for all windows). */
  acceptedSince(userId: string, windowStarts: readonly Date[]): Promise<Array<{ count: number; oldest: Date | undefined }>>;
}

export interface QuotaSettings {
  default: QuotaLimits;
  roles: Readonly<Record<string, Partial<QuotaLimits>>>;
}

export type QuotaCheck =
  | { ok: true }
  | { ok: false; refusal: { code: 'quota_exceeded'; period: 'hour' | 'day'; limit: number; retryAfterMs: number } };

const PERIODS = [
  { period: 'hour', ms: 3_600_000, field: 'perHour' },
  { period: 'day', ms: 86_400_000, field: 'perDay' },
] as const;

export class QuotaPolicy {
  constructor(
    private readonly settings: QuotaSettings,
    private readonly counter: AcceptedJobCounter,
    /** Epoch milliseconds. */
    private readonly now: () => number,
  ) {}

  /** The quotas that apply to a role. */
  limitsFor(role: PolicyRole): QuotaLimits {
    return resolveForRole(this.settings.default, this.settings.roles, role);
  }

  /** Whether one more job may be accepted for this person now. */
  async check(userId: string, role: PolicyRole): Promise<QuotaCheck> {
    const limits = this.limitsFor(role);
    const now = this.now();
    const limited = PERIODS.flatMap((entry) => {
      const limit = limits[entry.field];
      return limit === null ? [] : [{ ...entry, limit }];
    });
    if (limited.length === 0) return { ok: true };
    const counts = await this.counter.acceptedSince(userId, limited.map((entry) => new Date(now - entry.ms)));
    for (const [index, { period, ms, limit }] of limited.entries()) {
      const { count, oldest } = counts[index] ?? { count: 0, oldest: undefined };
      if (count < limit) continue;
      const retryAfterMs = oldest === undefined ? ms : Math.max(1_000, oldest.getTime() + ms - now);
      return { ok: false, refusal: { code: 'quota_exceeded', period, limit, retryAfterMs } };
    }
    return { ok: true };
  }
}
