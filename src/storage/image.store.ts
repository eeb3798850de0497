/**
 * Where image files live. The core stores and fetches bytes by key; the local directory is the
 * default, an S3-compatible store can implement the same interface for scale-out.
 */

/** What a successful `put` wrote. */
export interface StoredImage {
  key: string;
  /** Size in bytes. */
  bytes: number;
  /** Lower-case hex SHA-256 of the stored bytes. */
  sha256: string;
}

export interface ImageStore {
  /**
   * Stores the bytes under `key`, replacing what was there. Atomic: a reader sees the old
   * complete file or the new complete file, never a part; a crash leaves no partial file under
   * the key. Concurrent puts to one key: the last to finish wins, each result is complete.
   */
  put(key: string, bytes: Buffer): Promise<StoredImage>;
  /** The bytes under `key`; rejects with {@link ImageNotFoundError} when there are none. */
  get(key: string): Promise<Buffer>;
  /** Removes the key; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  exists(key: string): Promise<boolean>;
  /** Absolute file path, for stores that keep files on the local disk. */
  pathFor?(key: string): string;
}

/** Thrown by `get` for a key with no file (e.g. deleted by a moderator): an expected refusal. */
export class ImageNotFoundError extends Error {
  readonly code = 'image-not-found' as const;
  readonly key: string;

  constructor(key: string) {
    super(`no stored image under key "${key}"`);
    this.name = 'ImageNotFoundError';
    this.key = key;
  }
}

/**
 * The store cannot do its job right now: a full or read-only disk, missing permissions, an I/O
 * error, a folder that is not a folder. An operator's problem, not a bug and not the person's:
 * callers answer with the `storage_unavailable` refusal and log the cause.
 */
export class StorageUnavailableError extends Error {
  readonly code = 'storage-unavailable' as const;

  constructor(
    readonly operation: 'put' | 'get' | 'delete',
    readonly key: string,
    options: { cause: unknown },
  ) {
    super(`the image store could not ${operation} "${key}": ${options.cause instanceof Error ? options.cause.message : String(options.cause)}`, options);
    this.name = 'StorageUnavailableError';
  }
}

/** Thrown for a malformed key: keys are built by code, so this is a bug, not a user error. */
export class InvalidImageKeyError extends Error {
  constructor(key: string, reason: string) {
    super(`invalid image key ${JSON.stringify(key)}: ${reason}`);
    this.name = 'InvalidImageKeyError';
  }
}

const MAX_KEY_LENGTH = 512;
/**
 * One path segment: letters, digits, `_`, `-`, `.`, not starting with `.` or `-`. This rules out
 * `..`, `.`, hidden files (the store's own temp files start with `.`), spaces, backslashes,
 * drive letters and anything a shell or another OS would read differently.
 */
const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** Throws {@link InvalidImageKeyError} unless `key` is a safe relative path like `2025/06/abc/0.png`. */
export function assertValidImageKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new InvalidImageKeyError(String(key), 'empty');
  if (key.length > MAX_KEY_LENGTH) throw new InvalidImageKeyError(key, `longer than ${MAX_KEY_LENGTH} characters`);
  if (key.startsWith('/')) throw new InvalidImageKeyError(key, 'absolute paths are not keys');
  for (const segment of key.split('/')) {
    if (segment === '') throw new InvalidImageKeyError(key, 'empty path segment');
    if (segment === '.' || segment === '..') throw new InvalidImageKeyError(key, '"." and ".." are not allowed');
    if (!SEGMENT.test(segment)) {
      throw new InvalidImageKeyError(key, `segment "${segment}" may only use A-Z a-z 0-9 _ - . and not start with . or -`);
    }
  }
}

/**
 * The conventional key of image `index` of a generation: `<yyyy>/<mm>/<generationId>/<index>.png`
 * (UTC year and month of `createdAt`), which spreads files over folders by month.
 */
export function imageKey(generationId: string, index: number, createdAt: Date): string {
  if (!Number.isInteger(index) || index < 0) throw new RangeError(`image index must be a non-negative integer, got ${index}`);
  if (Number.isNaN(createdAt.getTime())) throw new RangeError('createdAt is an invalid Date');
  const year = String(createdAt.getUTCFullYear()).padStart(4, '0');
  const month = String(createdAt.getUTCMonth() + 1).padStart(2, '0');
  // Generation ids (nanoid) may start with "-", which a key segment may not: such a folder gets a
  // "_" in front. Still one fixed key per image (13 characters cannot clash with a 12-character id).
  const folder = generationId.startsWith('-') ? `_${generationId}` : generationId;
  const key = `${year}/${month}/${folder}/${index}.png`;
  assertValidImageKey(key);
  return key;
}
