import type { PrismaClient } from './generated/client.ts';
import type { Clock, WorkspaceBan } from './domain.types.ts';
import { nullable, optional } from './prisma-mappers.ts';

/** Bans of one workspace (Discord guild / Slack team), set by that workspace's moderators. */
export interface WorkspaceBanRepository {
  /** Bans the user in the workspace; banning again replaces the reason and who banned. */
  ban(entry: { workspaceId: string; userId: string; reason: string | undefined; bannedById: string | undefined }): Promise<WorkspaceBan>;
  /** Lifts the ban; false when there was none. */
  unban(workspaceId: string, userId: string): Promise<boolean>;
  /** The user's ban in that workspace, if any. */
  find(workspaceId: string, userId: string): Promise<WorkspaceBan | undefined>;
}

export class PrismaWorkspaceBanRepository implements WorkspaceBanRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: Clock,
  ) {}

  async ban(entry: { workspaceId: string; userId: string; reason: string | undefined; bannedById: string | undefined }): Promise<WorkspaceBan> {
    const data = { reason: nullable(entry.reason), bannedById: nullable(entry.bannedById), createdAt: this.now() };
    const row = await this.prisma.workspaceBan.upsert({
      where: { workspaceId_userId: { workspaceId: entry.workspaceId, userId: entry.userId } },
      create: { workspaceId: entry.workspaceId, userId: entry.userId, ...data },
      update: data,
    });
    return toWorkspaceBan(row);
  }

  async unban(workspaceId: string, userId: string): Promise<boolean> {
    const { count } = await this.prisma.workspaceBan.deleteMany({ where: { workspaceId, userId } });
    return count > 0;
  }

  async find(workspaceId: string, userId: string): Promise<WorkspaceBan | undefined> {
    const row = await this.prisma.workspaceBan.findUnique({ where: { workspaceId_userId: { workspaceId, userId } } });
    return row ? toWorkspaceBan(row) : undefined;
  }
}

function toWorkspaceBan(row: { workspaceId: string; userId: string; reason: string | null; bannedById: string | null; createdAt: Date }): WorkspaceBan {
  return { workspaceId: row.workspaceId, userId: row.userId, reason: optional(row.reason), bannedById: optional(row.bannedById), createdAt: row.createdAt };
}
