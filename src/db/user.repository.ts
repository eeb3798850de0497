import type { PrismaClient } from './generated/client.ts';
import type { Clock, Platform, User, UserRole } from './domain.types.ts';
import { toUser } from './prisma-mappers.ts';

/** Who someone is on a platform, as the chat adapters see them. */
export interface ChatIdentity {
  platform: Platform;
  externalId: string;
  displayName: string;
}

/** People, their roles and bans. */
export interface UserRepository {
  /** Finds or creates the user; refreshes the display name, which people change. */
  upsert(identity: ChatIdentity): Promise<User>;
  get(id: string): Promise<User | undefined>;
  findByExternalId(platform: Platform, externalId: string): Promise<User | undefined>;
  /** Bans the user (again, with the new reason, if already banned). Returns the updated user. */
  ban(userId: string, reason: string | undefined): Promise<User>;
  /** Lifts a ban. Returns the updated user. */
  unban(userId: string): Promise<User>;
  /** True when this platform account is banned; unknown accounts are not. */
  isBanned(platform: Platform, externalId: string): Promise<boolean>;
  setRole(userId: string, role: UserRole): Promise<User>;
}

export class PrismaUserRepository implements UserRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: Clock,
  ) {}

  async upsert(identity: ChatIdentity): Promise<User> {
    const row = await this.prisma.user.upsert({
      where: { platform_externalId: { platform: identity.platform, externalId: identity.externalId } },
      create: {
        platform: identity.platform,
        externalId: identity.externalId,
        displayName: identity.displayName,
        createdAt: this.now(),
      },
      update: { displayName: identity.displayName },
    });
    return toUser(row);
  }

  async get(id: string): Promise<User | undefined> {
    const row = await this.prisma.user.findUnique({ where: { id } });
    return row ? toUser(row) : undefined;
  }

  async findByExternalId(platform: Platform, externalId: string): Promise<User | undefined> {
    const row = await this.prisma.user.findUnique({ where: { platform_externalId: { platform, externalId } } });
    return row ? toUser(row) : undefined;
  }

  async ban(userId: string, reason: string | undefined): Promise<User> {
    const row = await this.prisma.user.update({
      where: { id: userId },
      data: { banned: true, bannedReason: reason ?? null, bannedAt: this.now() },
    });
    return toUser(row);
  }

  async unban(userId: string): Promise<User> {
    const row = await this.prisma.user.update({
      where: { id: userId },
      data: { banned: false, bannedReason: null, bannedAt: null },
    });
    return toUser(row);
  }

  async isBanned(platform: Platform, externalId: string): Promise<boolean> {
    const row = await this.prisma.user.findUnique({
      where: { platform_externalId: { platform, externalId } },
      select: { banned: true },
    });
    return row?.banned ?? false;
  }

  async setRole(userId: string, role: UserRole): Promise<User> {
    return toUser(await this.prisma.user.update({ where: { id: userId }, data: { role } }));
  }
}
