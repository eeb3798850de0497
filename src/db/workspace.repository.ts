import type { PrismaClient } from './generated/client.ts';
import type { Clock, JsonObject, Platform, Workspace } from './domain.types.ts';
import { toWorkspace } from './prisma-mappers.ts';

/** Discord guilds and Slack teams. */
export interface WorkspaceRepository {
  /** Finds or creates the workspace; refreshes its name. New workspaces start with `{}` settings. */
  upsert(identity: { platform: Platform; externalId: string; name: string }): Promise<Workspace>;
  get(id: string): Promise<Workspace | undefined>;
  findByExternalId(platform: Platform, externalId: string): Promise<Workspace | undefined>;
  /** Replaces the settings object. */
  saveSettings(id: string, settings: JsonObject): Promise<Workspace>;
}

export class PrismaWorkspaceRepository implements WorkspaceRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: Clock,
  ) {}

  async upsert(identity: { platform: Platform; externalId: string; name: string }): Promise<Workspace> {
    const row = await this.prisma.workspace.upsert({
      where: { platform_externalId: { platform: identity.platform, externalId: identity.externalId } },
      create: { ...identity, createdAt: this.now() },
      update: { name: identity.name },
    });
    return toWorkspace(row);
  }

  async get(id: string): Promise<Workspace | undefined> {
    const row = await this.prisma.workspace.findUnique({ where: { id } });
    return row ? toWorkspace(row) : undefined;
  }

  async findByExternalId(platform: Platform, externalId: string): Promise<Workspace | undefined> {
    const row = await this.prisma.workspace.findUnique({ where: { platform_externalId: { platform, externalId } } });
    return row ? toWorkspace(row) : undefined;
  }

  async saveSettings(id: string, settings: JsonObject): Promise<Workspace> {
    return toWorkspace(await this.prisma.workspace.update({ where: { id }, data: { settings } }));
  }
}
