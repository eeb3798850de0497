/**
 * Plain records the repositories return. They mirror prisma/schema.prisma but carry no Prisma
 * types: SQL NULL becomes `undefined`, the int8 seed becomes a `number`.
 */

export const PLATFORMS = ['discord', 'slack'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const USER_ROLES = ['user', 'moderator', 'admin'] as const;
export type UserRole = (typeof USER_ROLES)[number];

export const GENERATION_KINDS = ['imagine', 'reroll', 'variation', 'upscale', 'edit'] as const;
export type GenerationKind = (typeof GENERATION_KINDS)[number];

/**
 * What an `edit` generation did to its parent image (issue 15): Zoom Out by `factor`, Pan towards
 * `direction`, Vary (Region) on 3×3 grid `cells` (1–9, left to right, top to bottom), or Remix.
 * The strength of region and remix is the row's `strength`.
 */
export type EditSpec =
  | { kind: 'zoom'; factor: number }
  | { kind: 'pan'; direction: 'left' | 'right' | 'up' | 'down' }
  | { kind: 'region'; cells: number[] }
  | { kind: 'remix' };

export const GENERATION_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const;
export type GenerationStatus = (typeof GENERATION_STATUSES)[number];

/** Statuses a job can still leave: what restart recovery picks up. */
export const UNFINISHED_STATUSES = ['queued', 'running'] as const satisfies readonly GenerationStatus[];

export const MODERATION_ACTION_KINDS = [
  'ban',
  'unban',
  'delete',
  'block_term',
  'unblock_term',
  'cancel',
  'set_role',
  'update_workspace_settings',
] as const;
export type ModerationActionKind = (typeof MODERATION_ACTION_KINDS)[number];

/** Largest seed: seeds are unsigned 32-bit, like A1111 and diffusers. */
export const MAX_SEED = 2 ** 32 - 1;

/** A JSON value as stored in `jsonb` columns. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A person on one chat platform. */
export interface User {
  id: string;
  platform: Platform;
  /** Discord user snowflake or Slack user id. */
  externalId: string;
  displayName: string;
  role: UserRole;
  banned: boolean;
  bannedReason: string | undefined;
  bannedAt: Date | undefined;
  createdAt: Date;
}

/**
 * A ban in one workspace, set by its moderators. `User.banned` is the operator-level ban that
 * applies in every workspace and in direct messages.
 */
export interface WorkspaceBan {
  workspaceId: string;
  userId: string;
  reason: string | undefined;
  bannedById: string | undefined;
  createdAt: Date;
}

/** A Discord guild or a Slack team. */
export interface Workspace {
  id: string;
  platform: Platform;
  externalId: string;
  name: string;
  settings: JsonObject;
  createdAt: Date;
}

/** Where a generation's message lives in chat, so later edits and buttons can find it. */
export interface ChatLocation {
  /** Discord message id or Slack message ts of the bot's reply. */
  messageId: string | undefined;
  /** Discord interaction token (valid 15 minutes) for editing a deferred reply. */
  interactionToken: string | undefined;
  /** Slack thread ts the request came from. */
  threadTs: string | undefined;
}

/** One stored request for 1–4 images. */
export interface Generation {
  /** 12 characters of [A-Za-z0-9_-]: fits in chat button ids (`upscale:<id>:2`). */
  id: string;
  userId: string;
  /** undefined for direct messages. */
  workspaceId: string | undefined;
  channelId: string;
  kind: GenerationKind;
  parentId: string | undefined;
  parentImageIndex: number | undefined;
  prompt: string;
  negativePrompt: string;
  /** 0 … {@link MAX_SEED}; image i used seed + i. */
  seed: number;
  steps: number;
  guidance: number;
  scheduler: string;
  width: number;
  height: number;
  model: string;
  count: number;
  /** img2img strength; undefined for txt2img. */
  strength: number | undefined;
  /** Kind `edit` only: the operation (lineage: parentId / parentImageIndex). Optional so older callers stay valid. */
  edit?: EditSpec | undefined;
  /** Kind `edit` only, once it succeeded: the image-store key of its mask PNG (white = repainted). */
  maskKey?: string | undefined;
  status: GenerationStatus;
  errorCode: string | undefined;
  errorMessage: string | undefined;
  queuedAt: Date;
  startedAt: Date | undefined;
  finishedAt: Date | undefined;
  gpuMs: number | undefined;
  chat: ChatLocation;
}

/** One image file of a generation. */
export interface ImageRecord {
  id: string;
  generationId: string;
  /** 0-based; U1 is index 0. */
  index: number;
  /** Key in the ImageStore. */
  fileKey: string;
  width: number;
  height: number;
  /** Lower-case hex SHA-256 of the file. */
  sha256: string;
  bytes: number;
  /** undefined = not checked (the model has no safety checker). */
  nsfw: boolean | undefined;
  createdAt: Date;
  deletedAt: Date | undefined;
  deletedById: string | undefined;
}

export interface GenerationWithImages extends Generation {
  /** Ordered by index; deleted images included (check `deletedAt`). */
  images: ImageRecord[];
}

/** One audit-log entry. */
export interface ModerationAction {
  id: number;
  actorId: string;
  action: ModerationActionKind;
  workspaceId: string | undefined;
  targetUserId: string | undefined;
  targetGenerationId: string | undefined;
  reason: string | undefined;
  /** Action-specific facts: image index, term, old and new role… */
  details: JsonObject;
  createdAt: Date;
}

/** A term refused in prompts. */
export interface BlockedTerm {
  id: string;
  /** undefined = blocked everywhere (global). */
  workspaceId: string | undefined;
  term: string;
  normalizedTerm: string;
  createdById: string | undefined;
  createdAt: Date;
}

/** A person's /imagine defaults; undefined = use the server default. */
export interface UserSettings {
  negativePrompt: string | undefined;
  /** e.g. "1:1", "3:2", "16:9". */
  aspect: string | undefined;
  steps: number | undefined;
  guidance: number | undefined;
  model: string | undefined;
  scheduler: string | undefined;
  count: number | undefined;
}

/** The clock repositories stamp rows with; injected so tests control time. */
export type Clock = () => Date;

/** The real clock. */
export const systemClock: Clock = () => new Date();
