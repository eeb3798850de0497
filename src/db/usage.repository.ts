/**
 * Usage of the generation service, read from the jobs table: how many jobs a person had accepted
 * recently (quotas), and summaries for moderators (jobs, images, GPU seconds, failures, by
 * person and by UTC day).
 */
import { Prisma, type PrismaClient } from './generated/client.ts';

/** Which jobs a summary covers; undefined fields do not filter. */
export interface UsageQuery {
  workspaceId: string | undefined;
  userId: string | undefined;
  /** Inclusive lower bound on queuedAt. */
  from: Date | undefined;
  /** Exclusive upper bound on queuedAt. */
  before: Date | undefined;
}

export interface UsageTotals {
  jobs: number;
  /** Images produced (deleted ones included: they were generated). */
  images: number;
  /** Engine time of finished jobs, in seconds. */
  gpuSeconds: number;
  failures: number;
  cancelled: number;
}

export interface UsageSummary {
  totals: UsageTotals;
  /** Most jobs first. */
  byUser: Array<UsageTotals & { userId: string; displayName: string }>;
  /** Oldest day first; `day` is `YYYY-MM-DD` (UTC). */
  byDay: Array<UsageTotals & { day: string }>;
}

export interface UsageRepository {
  /**
   * For each window start: jobs of `userId` accepted at or after it, and when the oldest of them
   * was accepted. One query, whatever the number of windows (quotas check hour and day together).
   */
  acceptedSince(userId: string, windowStarts: readonly Date[]): Promise<Array<{ count: number; oldest: Date | undefined }>>;
  summarize(query: UsageQuery): Promise<UsageSummary>;
}

interface TotalsRow {
  jobs: number | bigint;
  images: number | bigint;
  gpu_ms: number | bigint | null;
  failures: number | bigint;
  cancelled: number | bigint;
}

function totals(row: TotalsRow | undefined): UsageTotals {
  return {
    jobs: Number(row?.jobs ?? 0),
    images: Number(row?.images ?? 0),
    gpuSeconds: Math.round(Number(row?.gpu_ms ?? 0)) / 1000,
    failures: Number(row?.failures ?? 0),
    cancelled: Number(row?.cancelled ?? 0),
  };
}

const TOTALS = Prisma.sql`
  count(*)::int AS jobs,
  coalesce(sum(ic.images), 0)::int AS images,
  coalesce(sum(g.gpu_ms), 0)::bigint AS gpu_ms,
  (count(*) FILTER (WHERE g.status = 'failed'))::int AS failures,
  (count(*) FILTER (WHERE g.status = 'cancelled'))::int AS cancelled`;

const FROM = Prisma.sql`
  FROM generations g
  LEFT JOIN (SELECT generation_id, count(*) AS images FROM images GROUP BY generation_id) ic ON ic.generation_id = g.id`;

export class PrismaUsageRepository implements UsageRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async acceptedSince(userId: string, windowStarts: readonly Date[]): Promise<Array<{ count: number; oldest: Date | undefined }>> {
    if (windowStarts.length === 0) return [];
    const earliest = new Date(Math.min(...windowStarts.map((start) => start.getTime())));
    const columns = windowStarts.map(
      (start, index) =>
        Prisma.sql`(count(*) FILTER (WHERE queued_at >= ${start}))::int AS ${Prisma.raw(`count_${index}`)},
          min(queued_at) FILTER (WHERE queued_at >= ${start}) AS ${Prisma.raw(`oldest_${index}`)}`,
    );
    // The (user_id, queued_at, id) index serves the range; each window is a FILTER over it.
    const [row] = await this.prisma.$queryRaw<Array<Record<string, number | Date | null>>>`
      SELECT ${Prisma.join(columns, ', ')} FROM generations WHERE user_id = ${userId} AND queued_at >= ${earliest}`;
    return windowStarts.map((_, index) => {
      const oldest = row?.[`oldest_${index}`];
      return { count: Number(row?.[`count_${index}`] ?? 0), oldest: oldest instanceof Date ? oldest : oldest ? new Date(oldest) : undefined };
    });
  }

  async summarize(query: UsageQuery): Promise<UsageSummary> {
    const where = whereClause(query);
    const [all, users, days] = await Promise.all([
      this.prisma.$queryRaw<TotalsRow[]>`SELECT ${TOTALS} ${FROM} ${where}`,
      this.prisma.$queryRaw<Array<TotalsRow & { user_id: string; display_name: string }>>`
        SELECT g.user_id, u.display_name, ${TOTALS} ${FROM} JOIN users u ON u.id = g.user_id ${where}
        GROUP BY g.user_id, u.display_name ORDER BY jobs DESC, g.user_id`,
      this.prisma.$queryRaw<Array<TotalsRow & { day: string }>>`
        SELECT to_char(date_trunc('day', g.queued_at AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, ${TOTALS} ${FROM} ${where}
        GROUP BY 1 ORDER BY 1`,
    ]);
    return {
      totals: totals(all[0]),
      byUser: users.map((row) => ({ userId: row.user_id, displayName: row.display_name, ...totals(row) })),
      byDay: days.map((row) => ({ day: row.day, ...totals(row) })),
    };
  }
}

function whereClause(query: UsageQuery): Prisma.Sql {
  const conditions: Prisma.Sql[] = [];
  if (query.workspaceId !== undefined) conditions.push(Prisma.sql`g.workspace_id = ${query.workspaceId}`);
  if (query.userId !== undefined) conditions.push(Prisma.sql`g.user_id = ${query.userId}`);
  if (query.from !== undefined) conditions.push(Prisma.sql`g.queued_at >= ${query.from}`);
  if (query.before !== undefined) conditions.push(Prisma.sql`g.queued_at < ${query.before}`);
  return conditions.length === 0 ? Prisma.empty : Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}`;
}
