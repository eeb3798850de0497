/**
 * Chat events (a reaction, a button press) taken by one process. Several bot processes on one
 * PostgreSQL may each receive the same event (Discord sends gateway events to every session;
 * Slack retries may reach another process); the first insert of the event's key wins.
 */
import type { PrismaClient } from './generated/client.ts';
import type { Clock } from './domain.types.ts';

export interface ChatEventClaimRepository {
  /** True for the first claim of `key` (this caller handles the event); false when it was claimed before. */
  claim(key: string, claimedBy: string): Promise<boolean>;
  /** Removes claims made before `before`; returns how many. */
  pruneOlderThan(before: Date): Promise<number>;
}

export class PrismaChatEventClaimRepository implements ChatEventClaimRepository {
  constructor(
    private readonly prisma: PrismaClient,
    private readonly now: Clock,
  ) {}

  async claim(key: string, claimedBy: string): Promise<boolean> {
    // INSERT … ON CONFLICT DO NOTHING: atomic, and a repeat is a count of 0, not an error.
    const { count } = await this.prisma.chatEventClaim.createMany({ data: [{ key, claimedBy, createdAt: this.now() }], skipDuplicates: true });
    return count === 1;
  }

  async pruneOlderThan(before: Date): Promise<number> {
    const { count } = await this.prisma.chatEventClaim.deleteMany({ where: { createdAt: { lt: before } } });
    return count;
  }
}
