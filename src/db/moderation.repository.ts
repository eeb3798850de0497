import type { PrismaClient } from './generated/client.ts';
import type { Clock, ModerationAction } from './domain.types.ts';
import { nullable, toModerationAction } from './prisma-mappers.ts';

/** An audit-log entry before it is stored: the database gives it its id and time. */
export type NewModerationAction = Omit<ModerationAction, 'id' | 'createdAt'>;

/** Filters for the audit log; undefined fields do not filter. */
export interface AuditQuery {
  workspaceId: string | undefined;
  actorId: string | undefined;
  targetUserId: string | undefined;
  /** 1 … 100. */
  limit: number;
  /** Only entries older than this id (the last id of the previous page). */
  beforeId: number | undefined;
}

/** The append-only audit log of moderator actions. */
export interface ModerationRepository {
  record(entry: NewModerationAction): Promise<ModerationAction>;
  /** Newest first. */
  list(query: AuditQuery): Promise<ModerationAction[]>;
}

export class PrismaModerationRepository implements ModerationRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: Clock,
  ) {}

  async record(entry: NewModerationAction): Promise<ModerationAction> {
    const row = await this.prisma.moderationAction.create({
      data: {
        actorId: entry.actorId,
        action: entry.action,
        workspaceId: nullable(entry.workspaceId),
        targetUserId: nullable(entry.targetUserId),
        targetGenerationId: nullable(entry.targetGenerationId),
        reason: nullable(entry.reason),
        details: entry.details,
        createdAt: this.now(),
      },
    });
    return toModerationAction(row);
  }

  async list(query: AuditQuery): Promise<ModerationAction[]> {
    if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > 100) {
      throw new RangeError(`audit page limit must be 1…100, got ${query.limit}`);
    }
    const rows = await this.prisma.moderationAction.findMany({
      where: {
        ...(query.workspaceId !== undefined && { workspaceId: query.workspaceId }),
        ...(query.actorId !== undefined && { actorId: query.actorId }),
        ...(query.targetUserId !== undefined && { targetUserId: query.targetUserId }),
        ...(query.beforeId !== undefined && { id: { lt: query.beforeId } }),
      },
      // The id is a sequence: insertion order, immune to clock changes.
      orderBy: { id: 'desc' },
      take: query.limit,
    });
    return rows.map(toModerationAction);
  }
}
