import type { Database } from './database.ts';
import type { Clock } from './domain.types.ts';
import { PrismaBlockedTermRepository, type BlockedTermRepository } from './blocked-term.repository.ts';
import { PrismaChatEventClaimRepository, type ChatEventClaimRepository } from './chat-event-claim.repository.ts';
import { PrismaJobLeaseRepository, type JobLeaseRepository } from './job-lease.repository.ts';
import type { GenerationRepository } from './generation.repository.ts';
import { PrismaImageRepository, type ImageRepository } from './image.repository.ts';
import { PrismaModerationRepository, type ModerationRepository } from './moderation.repository.ts';
import { PrismaGenerationRepository } from './prisma-generation.repository.ts';
import { PrismaUserSettingsRepository, type UserSettingsRepository } from './user-settings.repository.ts';
import { PrismaUserRepository, type UserRepository } from './user.repository.ts';
import { PrismaWorkspaceRepository, type WorkspaceRepository } from './workspace.repository.ts';
import { PrismaWorkspaceBanRepository, type WorkspaceBanRepository } from './workspace-ban.repository.ts';

/** Every repository, as the composition root hands them to services and commands. */
export interface Repositories {
  users: UserRepository;
  workspaces: WorkspaceRepository;
  workspaceBans: WorkspaceBanRepository;
  generations: GenerationRepository;
  images: ImageRepository;
  moderation: ModerationRepository;
  blockedTerms: BlockedTermRepository;
  userSettings: UserSettingsRepository;
  /** Who runs which job (leases, attempts) across processes. */
  jobLeases: JobLeaseRepository;
  /** Chat events taken by one process. */
  chatEvents: ChatEventClaimRepository;
}

/** Prisma-backed repositories over an open database; `now` (usually `systemClock`) stamps the rows they write. */
export function createRepositories(database: Database, now: Clock): Repositories {
  const { prisma } = database;
  return {
    users: new PrismaUserRepository(prisma, now),
    workspaces: new PrismaWorkspaceRepository(prisma, now),
    workspaceBans: new PrismaWorkspaceBanRepository(prisma, now),
    generations: new PrismaGenerationRepository(prisma, now),
    images: new PrismaImageRepository(prisma, now),
    moderation: new PrismaModerationRepository(prisma, now),
    blockedTerms: new PrismaBlockedTermRepository(prisma, now),
    userSettings: new PrismaUserSettingsRepository(prisma, now),
    jobLeases: new PrismaJobLeaseRepository(prisma, now),
    chatEvents: new PrismaChatEventClaimRepository(prisma, now),
  };
}
