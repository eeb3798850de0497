/**
 * ImageStore on a local directory (default root: `$DARKROOM_DATA_DIR/images`).
 *
 * Atomic writes: bytes go to a hidden temp file in the destination folder, are fsynced, then
 * renamed over the final name (rename is atomic within one file system), and the folder is
 * fsynced so the rename itself survives a power cut. A crash leaves at most a temp file, which
 * {@link LocalImageStore.cleanupTemporaryFiles} removes at start-up.
 */
import { randomUUID, createHash } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import { ImageNotFoundError, StorageUnavailableError, assertValidImageKey } from './image.store.ts';
import type { ImageStore, StoredImage } from './image.store.ts';

/** `.<final name>.<uuid>.tmp`: the leading dot means no valid key can ever name one. */
const TEMP_FILE = /^\..+\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

function isErrorCode(error: unknown, code: string): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === code;
}

/**
 * File-system errors that mean "the disk cannot take this now" (full, read-only, no permission,
 * I/O error, a path component that is a file): reported as {@link StorageUnavailableError}.
 */
const UNAVAILABLE_CODES: ReadonlySet<string> = new Set(['EROFS', 'ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EIO', 'ENOTDIR', 'EEXIST', 'EMFILE', 'ENFILE', 'EBUSY']);

function asStorageError(error: unknown, operation: 'put' | 'get' | 'delete', key: string): unknown {
  const code = error instanceof Error ? (error as NodeJS.ErrnoException).code : undefined;
  return code !== undefined && UNAVAILABLE_CODES.has(code) ? new StorageUnavailableError(operation, key, { cause: error }) : error;
}

/** fsync a directory so entries created or renamed in it are durable. Not possible on Windows. */
async function syncDirectory(directory: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export class LocalImageStore implements ImageStore {
  readonly rootDir: string;

  /** @param rootDir folder that holds the keys; created on first write. */
  constructor(rootDir: string) {
    this.rootDir = path.resolve(rootDir);
  }

  pathFor(key: string): string {
    assertValidImageKey(key);
    return path.join(this.rootDir, ...key.split('/'));
  }

  async put(key: string, bytes: Buffer): Promise<StoredImage> {
    try {
      return await this.#put(key, bytes);
    } catch (error) {
      throw asStorageError(error, 'put', key);
    }
  }

  async #put(key: string, bytes: Buffer): Promise<StoredImage> {
    const finalPath = this.pathFor(key);
    const directory = path.dirname(finalPath);
    const firstCreated = await mkdir(directory, { recursive: true });
    const tempPath = path.join(directory, `.${path.basename(finalPath)}.${randomUUID()}.tmp`);
    try {
      const handle = await open(tempPath, 'wx', 0o644);
      try {
        await handle.writeFile(bytes);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(tempPath, finalPath);
    } catch (error) {
      await unlink(tempPath).catch(() => undefined);
      throw error;
    }
    // Folders mkdir just created must be made durable in their parents too, up to the parent
    // of the top-most one it created.
    const toSync = [directory];
    if (firstCreated !== undefined) {
      const stopAt = path.dirname(firstCreated);
      for (let folder = path.dirname(directory); ; folder = path.dirname(folder)) {
        toSync.push(folder);
        if (folder === stopAt || folder === path.dirname(folder)) break;
      }
    }
    for (const folder of toSync) await syncDirectory(folder);
    return { key, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  async get(key: string): Promise<Buffer> {
    try {
      return await readFile(this.pathFor(key));
    } catch (error) {
      if (isErrorCode(error, 'ENOENT') || isErrorCode(error, 'ENOTDIR')) throw new ImageNotFoundError(key);
      throw asStorageError(error, 'get', key);
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await unlink(this.pathFor(key));
    } catch (error) {
      if (!isErrorCode(error, 'ENOENT') && !isErrorCode(error, 'ENOTDIR')) throw asStorageError(error, 'delete', key);
    }
  }

  async exists(key: string): Promise<boolean> {
    try {
      return (await stat(this.pathFor(key))).isFile();
    } catch (error) {
      if (isErrorCode(error, 'ENOENT') || isErrorCode(error, 'ENOTDIR')) return false;
      throw error;
    }
  }

  /**
   * Deletes temp files left by writes that never finished (a crash or kill -9), at start-up.
   * Only files last modified at least `minimumAgeMs` ago are removed: when several processes
   * share the folder, pass a margin (e.g. 10 minutes) so another process's write in progress
   * is left alone; a single process at start-up can pass 0.
   * @returns the removed files, relative to the root.
   */
  async cleanupTemporaryFiles(minimumAgeMs: number): Promise<string[]> {
    const removed: string[] = [];
    const cutoff = Date.now() - minimumAgeMs;
    const visit = async (directory: string): Promise<void> => {
      let entries;
      try {
        entries = await readdir(directory, { withFileTypes: true });
      } catch (error) {
        if (isErrorCode(error, 'ENOENT')) return;
        throw error;
      }
      for (const entry of entries) {
        const entryPath = path.join(directory, entry.name);
        if (entry.isDirectory()) await visit(entryPath);
        else if (entry.isFile() && TEMP_FILE.test(entry.name)) {
          const info = await stat(entryPath).catch(() => undefined);
          if (info === undefined || info.mtimeMs > cutoff) continue;
          await unlink(entryPath).catch((error: unknown) => {
            if (!isErrorCode(error, 'ENOENT')) throw error;
          });
          removed.push(path.relative(this.rootDir, entryPath).split(path.sep).join('/'));
        }
      }
    };
    await visit(this.rootDir);
    return removed;
  }
}
