import type {
  ChatLocation,
  Generation,
  GenerationStatus,
  GenerationWithImages,
  ImageRecord,
} from './domain.types.ts';

/** Everything a new job needs; the repository adds id, status `queued` and `queuedAt`. */
export type NewGeneration = Pick<
  Generation,
  | 'userId'
  | 'workspaceId'
  | 'channelId'
  | 'kind'
  | 'parentId'
  | 'parentImageIndex'
  | 'prompt'
  | 'negativePrompt'
  | 'seed'
  | 'steps'
  | 'guidance'
  | 'scheduler'
  | 'width'
  | 'height'
  | 'model'
  | 'count'
  | 'strength'
  | 'chat'
> &
  Partial<Pick<Generation, 'edit'>>;

/** One image file written for a generation. */
export type NewImage = Pick<ImageRecord, 'index' | 'fileKey' | 'width' | 'height' | 'sha256' | 'bytes' | 'nsfw'>;

/** Filters for history; undefined fields do not filter. */
export interface HistoryQuery {
  userId: string | undefined;
  workspaceId: string | undefined;
  channelId: string | undefined;
  /** Inclusive lower bound on queuedAt. */
  queuedFrom: Date | undefined;
  /** Exclusive upper bound on queuedAt. */
  queuedBefore: Date | undefined;
  /** Only these statuses; undefined = all. */
  statuses: readonly GenerationStatus[] | undefined;
}

/**
 * Position in a history listing: the last item of the previous page. Opaque to callers; use
 * formatHistoryCursor / parseHistoryCursor to carry it in a button id.
 */
export interface HistoryCursor {
  queuedAt: Date;
  id: string;
}

/** Largest history page. */
export const MAX_HISTORY_PAGE = 100;

export interface HistoryPageRequest {
  /** 1 … {@link MAX_HISTORY_PAGE} items. */
  limit: number;
  /** Continue after this item; undefined = first page. */
  after: HistoryCursor | undefined;
}

export interface HistoryPage {
  items: GenerationWithImages[];
  /** Cursor for the next page; undefined on the last page. */
  next: HistoryCursor | undefined;
}

/**
 * Where a lookup by id may find a job: a job of another workspace is treated as not there, so a
 * request from one workspace can never read or act on another's.
 */
export interface GenerationScope {
  /** The request's workspace; undefined = direct messages (jobs made outside any workspace). */
  workspaceId: string | undefined;
  /** Only this person's jobs (used in direct messages); undefined = anyone's in the workspace. */
  userId: string | undefined;
}

/** Result of a job's completion. */
export interface GenerationSuccess {
  images: NewImage[];
  /** Time spent on the accelerator (or CPU) for this job. */
  gpuMs: number | undefined;
  /** An edit's mask, already in the image store. Optional: only edits have one. */
  maskKey?: string | undefined;
}

/** Why a job failed: `code` is stable (maps to the words a person reads), `message` is for logs. */
export interface GenerationFailure {
  code: string;
  message: string;
}

/**
 * Persisted jobs. Status changes are guarded: each `mark*` moves the job only from the states
 * listed and returns false (changing nothing) otherwise, e.g. when a job was cancelled while it
 * ran, so callers never overwrite a newer state.
 *
 *   queued ──markRunning──► running ──markSucceeded──► succeeded
 *     │                        │
 *     └──markFailed / markCancelled (from queued or running) ──► failed / cancelled
 */
export interface GenerationRepository {
  /** Stores a new job as `queued`, stamped with the repository clock. */
  create(input: NewGeneration): Promise<Generation>;
  /** The job and its images (deleted ones included), or undefined. */
  get(id: string): Promise<GenerationWithImages | undefined>;
  /** Like {@link get}, but undefined when the job lies outside `scope` (another workspace or person). */
  getInScope(id: string, scope: GenerationScope): Promise<GenerationWithImages | undefined>;
  /** queued → running; sets startedAt. */
  markRunning(id: string): Promise<boolean>;
  /** running → succeeded; stores the images in the same transaction; sets finishedAt and gpuMs. */
  markSucceeded(id: string, success: GenerationSuccess): Promise<boolean>;
  /** queued | running → failed; sets finishedAt and the error. */
  markFailed(id: string, failure: GenerationFailure): Promise<boolean>;
  /** queued | running → cancelled; sets finishedAt. */
  markCancelled(id: string): Promise<boolean>;
  /** Replaces where the job's message lives in chat (e.g. once the reply was posted). */
  updateChatLocation(id: string, chat: ChatLocation): Promise<boolean>;
  /**
   * Restart recovery, step 1 (single-process deployments only): jobs left `running` by a
   * process that died go back to `queued` (startedAt cleared). Returns their ids.
   */
  requeueInterrupted(): Promise<string[]>;
  /** Restart recovery, step 2: every queued or running job, in the order they were created. */
  listUnfinished(): Promise<Generation[]>;
  /** Newest first (queuedAt descending, ties by id ascending), keyset-paginated. */
  history(query: HistoryQuery, page: HistoryPageRequest): Promise<HistoryPage>;
}
