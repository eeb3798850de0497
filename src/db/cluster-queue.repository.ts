/**
 * What the Redis (BullMQ) queue reads from PostgreSQL, the truth about jobs: the waiting rows
 * a dispatcher hands out fairly, the counts behind the cluster-wide caps, and the finished jobs
 * whose result no bot process has posted yet.
 */
import type { PrismaClient } from './generated/client.ts';
import type { GenerationKind, Platform } from './domain.types.ts';

/** A waiting job as the dispatcher sees it (enough to route it, order it and estimate it). */
export interface QueuedJobRow {
  id: string;
  userId: string;
  model: string;
  kind: GenerationKind;
  steps: number;
  width: number;
  height: number;
  count: number;
  strength: number | undefined;
  queuedAt: Date;
}

/** A finished job and the key of its "result posted" claim. */
export interface FinishedJobRow {
  id: string;
  status: 'succeeded' | 'failed';
}

export interface ClusterQueueRepository {
  /** Waiting rows in acceptance order, at most `limit`. */
  queued(limit: number): Promise<QueuedJobRow[]>;
  /** When each of `userIds` last had a job started (people never served are absent). */
  lastStarts(userIds: readonly string[]): Promise<Map<string, Date>>;
  /** Waiting rows of one person and of everyone. */
  countQueued(userId: string): Promise<{ user: number; total: number }>;
  countRunning(): Promise<number>;
  /**
   * Jobs of `platform` that finished since `since` and whose result claim (`<prefix><id>` in
   * `chat_event_claims`) nobody took: their bot process was down when they finished.
   */
  unpostedResults(platform: Platform, since: Date, claimPrefix: string, limit: number): Promise<FinishedJobRow[]>;
}

export class PrismaClusterQueueRepository implements ClusterQueueRepository {
  constructor(private readonly prisma: PrismaClient) {}

  async queued(limit: number): Promise<QueuedJobRow[]> {
    const rows = await this.prisma.generation.findMany({
      where: { status: 'queued' },
      orderBy: { queueOrder: 'asc' },
      take: limit,
      select: { id: true, userId: true, model: true, kind: true, steps: true, width: true, height: true, count: true, strength: true, queuedAt: true },
    });
    return rows.map((row) => ({ ...row, strength: row.strength ?? undefined }));
  }

  async lastStarts(userIds: readonly string[]): Promise<Map<string, Date>> {
    if (userIds.length === 0) return new Map();
    const rows = await this.prisma.generation.groupBy({
      by: ['userId'],
      where: { userId: { in: [...userIds] }, startedAt: { not: null } },
      _max: { startedAt: true },
    });
    const starts = new Map<string, Date>();
    for (const row of rows) if (row._max.startedAt !== null) starts.set(row.userId, row._max.startedAt);
    return starts;
  }

  async countQueued(userId: string): Promise<{ user: number; total: number }> {
    const [user, total] = await Promise.all([
      this.prisma.generation.count({ where: { status: 'queued', userId } }),
      this.prisma.generation.count({ where: { status: 'queued' } }),
    ]);
    return { user, total };
  }

  countRunning(): Promise<number> {
    return this.prisma.generation.count({ where: { status: 'running' } });
  }

  async unpostedResults(platform: Platform, since: Date, claimPrefix: string, limit: number): Promise<FinishedJobRow[]> {
    const rows = await this.prisma.$queryRaw<Array<{ id: string; status: 'succeeded' | 'failed' }>>`
      SELECT g.id, g.status::text AS status
      FROM generations g JOIN users u ON u.id = g.user_id
      WHERE g.status IN ('succeeded', 'failed') AND g.finished_at >= ${since} AND u.platform::text = ${platform}
        AND NOT EXISTS (SELECT 1 FROM chat_event_claims c WHERE c.key = ${claimPrefix} || g.id)
      ORDER BY g.finished_at ASC
      LIMIT ${limit}`;
    return rows;
  }
}
