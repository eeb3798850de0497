/**
 * Darkroom's database layer: the only code that touches Prisma or PGlite. Everything here is
 * plain TypeScript records and interfaces; the generated Prisma types stay inside src/db.
 */
export { openDatabase, openMemoryDatabase } from './database.ts';
export type { Database, DatabaseOptions, DatabaseStatus } from './database.ts';
export { MigrationError } from './migrate.ts';
export { createRepositories } from './repositories.ts';
export type { Repositories } from './repositories.ts';
export * from './domain.types.ts';
export type { ChatIdentity, UserRepository } from './user.repository.ts';
export type { WorkspaceRepository } from './workspace.repository.ts';
export type { WorkspaceBanRepository } from './workspace-ban.repository.ts';
export type {
  GenerationFailure,
  GenerationRepository,
  GenerationScope,
  GenerationSuccess,
  HistoryCursor,
  HistoryPage,
  HistoryPageRequest,
  HistoryQuery,
  NewGeneration,
  NewImage,
} from './generation.repository.ts';
export { MAX_HISTORY_PAGE } from './generation.repository.ts';
export { formatHistoryCursor, parseHistoryCursor } from './history-cursor.ts';
export type { ImageRepository } from './image.repository.ts';
export type { AuditQuery, ModerationRepository, NewModerationAction } from './moderation.repository.ts';
export { normalizeBlockedTerm } from './blocked-term.repository.ts';
export type { AddBlockedTermResult, BlockedTermRepository } from './blocked-term.repository.ts';
export type { UserSettingsRepository } from './user-settings.repository.ts';
export type { JobLeaseRepository, JobLeaseState, RecoveredJobs, RecoveryRules } from './job-lease.repository.ts';
export type { ChatEventClaimRepository } from './chat-event-claim.repository.ts';
