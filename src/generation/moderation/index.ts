/** Moderation: bans, block lists, roles, audit log, activity and image removal (❌). */
export { ModerationService } from './moderation.service.ts';
export type { ActivityFilter, ModerationServiceOptions } from './moderation.service.ts';
