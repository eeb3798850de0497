/**
 * Conversions between Prisma's generated row types and the plain records of domain.types.ts.
 * Internal to src/db.
 */
import type * as Prisma from './generated/client.ts';
import type {
  BlockedTerm,
  Generation,
  GenerationWithImages,
  ImageRecord,
  JsonObject,
  ModerationAction,
  User,
  UserSettings,
  Workspace,
} from './domain.types.ts';
import type * as Domain from './domain.types.ts';

/** Fails to compile when our unions and the schema's enums drift apart. */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const enumsMatch: [
  Same<Domain.Platform, Prisma.Platform>,
  Same<Domain.UserRole, Prisma.UserRole>,
  Same<Domain.GenerationKind, Prisma.GenerationKind>,
  Same<Domain.GenerationStatus, Prisma.GenerationStatus>,
  Same<Domain.ModerationActionKind, Prisma.ModerationActionKind>,
  Same<Domain.EditSpec['kind'], Prisma.EditKind>,
] = [true, true, true, true, true, true];
void enumsMatch;

/** SQL NULL → undefined. */
export function optional<T>(value: T | null): T | undefined {
  return value ?? undefined;
}

/** undefined → SQL NULL. */
export function nullable<T>(value: T | undefined): T | null {
  return value ?? null;
}

/** jsonb columns of ours always hold objects; anything else is a bug elsewhere. */
export function toJsonObject(value: Prisma.Prisma.JsonValue): JsonObject {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as JsonObject;
  throw new TypeError(`Expected a JSON object in the database, got ${JSON.stringify(value)}`);
}

export function toUser(row: Prisma.User): User {
  return {
    id: row.id,
    platform: row.platform,
    externalId: row.externalId,
    displayName: row.displayName,
    role: row.role,
    banned: row.banned,
    bannedReason: optional(row.bannedReason),
    bannedAt: optional(row.bannedAt),
    createdAt: row.createdAt,
  };
}

export function toWorkspace(row: Prisma.Workspace): Workspace {
  return {
    id: row.id,
    platform: row.platform,
    externalId: row.externalId,
    name: row.name,
    settings: toJsonObject(row.settings),
    createdAt: row.createdAt,
  };
}

const PAN_DIRECTIONS = ['left', 'right', 'up', 'down'] as const;

/** An edit's operation from its columns; undefined for other kinds (or a row the schema never wrote). */
export function toEditSpec(row: Pick<Prisma.Generation, 'editKind' | 'editFactor' | 'editDirection' | 'editCells'>): Domain.EditSpec | undefined {
  switch (row.editKind) {
    case 'zoom':
      return row.editFactor === null ? undefined : { kind: 'zoom', factor: row.editFactor };
    case 'pan': {
      const direction = PAN_DIRECTIONS.find((candidate) => candidate === row.editDirection);
      return direction === undefined ? undefined : { kind: 'pan', direction };
    }
    case 'region':
      return { kind: 'region', cells: [...row.editCells] };
    case 'remix':
      return { kind: 'remix' };
    case null:
      return undefined;
  }
}

/** The edit columns of a new row (all empty for other kinds). */
export function editColumns(edit: Domain.EditSpec | undefined) {
  return {
    editKind: edit?.kind ?? null,
    editFactor: edit?.kind === 'zoom' ? edit.factor : null,
    editDirection: edit?.kind === 'pan' ? edit.direction : null,
    editCells: edit?.kind === 'region' ? edit.cells : [],
  };
}

export function toGeneration(row: Prisma.Generation): Generation {
  return {
    id: row.id,
    userId: row.userId,
    workspaceId: optional(row.workspaceId),
    channelId: row.channelId,
    kind: row.kind,
    parentId: optional(row.parentId),
    parentImageIndex: optional(row.parentImageIndex),
    prompt: row.prompt,
    negativePrompt: row.negativePrompt,
    // int8 in SQL; always within 0 … 2^32-1, far below 2^53, so the conversion is exact.
    seed: Number(row.seed),
    steps: row.steps,
    guidance: row.guidance,
    scheduler: row.scheduler,
    width: row.width,
    height: row.height,
    model: row.model,
    count: row.count,
    strength: optional(row.strength),
    edit: toEditSpec(row),
    maskKey: optional(row.maskKey),
    status: row.status,
    errorCode: optional(row.errorCode),
    errorMessage: optional(row.errorMessage),
    queuedAt: row.queuedAt,
    startedAt: optional(row.startedAt),
    finishedAt: optional(row.finishedAt),
    gpuMs: optional(row.gpuMs),
    chat: {
      messageId: optional(row.messageId),
      interactionToken: optional(row.interactionToken),
      threadTs: optional(row.threadTs),
    },
  };
}

export function toImage(row: Prisma.Image): ImageRecord {
  return {
    id: row.id,
    generationId: row.generationId,
    index: row.index,
    fileKey: row.fileKey,
    width: row.width,
    height: row.height,
    sha256: row.sha256,
    bytes: row.bytes,
    nsfw: optional(row.nsfw),
    createdAt: row.createdAt,
    deletedAt: optional(row.deletedAt),
    deletedById: optional(row.deletedById),
  };
}

export function toGenerationWithImages(row: Prisma.Generation & { images: Prisma.Image[] }): GenerationWithImages {
  return { ...toGeneration(row), images: row.images.map(toImage) };
}

export function toModerationAction(row: Prisma.ModerationAction): ModerationAction {
  return {
    id: row.id,
    actorId: row.actorId,
    action: row.action,
    workspaceId: optional(row.workspaceId),
    targetUserId: optional(row.targetUserId),
    targetGenerationId: optional(row.targetGenerationId),
    reason: optional(row.reason),
    details: toJsonObject(row.details),
    createdAt: row.createdAt,
  };
}

export function toBlockedTerm(row: Prisma.BlockedTerm): BlockedTerm {
  return {
    id: row.id,
    workspaceId: optional(row.workspaceId),
    term: row.term,
    normalizedTerm: row.normalizedTerm,
    createdById: optional(row.createdById),
    createdAt: row.createdAt,
  };
}

export function toUserSettings(row: Prisma.UserSettings): UserSettings {
  return {
    negativePrompt: optional(row.negativePrompt),
    aspect: optional(row.aspect),
    steps: optional(row.steps),
    guidance: optional(row.guidance),
    model: optional(row.model),
    scheduler: optional(row.scheduler),
    count: optional(row.count),
  };
}
