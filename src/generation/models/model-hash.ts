/**
 * A1111's `Model hash` for a diffusers ONNX folder, so Civitai-style tools can tell models apart.
 *
 * A1111 writes the first 10 hex characters of the SHA-256 of the checkpoint file. An ONNX folder
 * has no single checkpoint; the UNet holds nearly all of the weights that differ between
 * fine-tunes, so the hashed bytes are `unet/model.onnx` followed by the UNet's external data
 * files (`weights.pb`, `model.onnx_data`…) in name order. For a single-file UNet the hash is
 * exactly `sha256sum unet/model.onnx | cut -c1-10`.
 *
 * Hashing streams the files (never the whole file in memory) in the background; each result is
 * cached by path, size and modification time, in memory and in a small JSON file, so a
 * multi-GB UNet is read once per change, not once per start.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { ModelFolderInfo } from './model-folder.ts';

/** What hashing needs of a model folder (a {@link ModelFolderInfo} has it). */
export interface HashedModelFolder {
  readonly dir: string;
  readonly parts: Pick<ModelFolderInfo['parts'], 'unet'>;
  readonly externalDataFiles: readonly string[];
}

/** Characters of the SHA-256 A1111 shows as `Model hash` (`shorthash`). */
export const MODEL_HASH_LENGTH = 10;

/** The files whose bytes make a folder's model hash, in hashing order. */
export function modelHashFiles(info: HashedModelFolder): string[] {
  const unetDir = path.dirname(info.parts.unet);
  const external = info.externalDataFiles
    .map((relative) => path.join(info.dir, relative))
    .filter((file) => path.dirname(file) === unetDir)
    .sort();
  return [info.parts.unet, ...external];
}

/** Full lower-case hex SHA-256 of the files' bytes, one after the other, read as streams. */
export async function sha256OfFiles(files: readonly string[], signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for (const file of files) {
    // 1 MiB chunks: each update is a couple of milliseconds, so the event loop keeps turning.
    for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20, signal })) hash.update(chunk as Buffer);
  }
  return hash.digest('hex');
}

/** Path, size and mtime of each file: a hash is reused only while this is unchanged. */
async function fingerprint(files: readonly string[]): Promise<string> {
  const parts = await Promise.all(
    files.map(async (file) => {
      const info = await stat(file);
      return `${file}:${info.size}:${info.mtimeMs}`;
    }),
  );
  return parts.join('|');
}

/**
 * Computes model hashes once and remembers them. `start` begins hashing in the background and
 * never throws; `known` answers at once with the hash or undefined while it is being computed.
 */
export class ModelHashCache {
  readonly #memory = new Map<string, { fingerprint: string; hash: string }>();
  readonly #running = new Map<string, Promise<string | undefined>>();
  #stored: Promise<Record<string, { fingerprint: string; hash: string }>> | undefined;

  /** @param cacheFile JSON file keeping hashes across starts; undefined = memory only. */
  constructor(private readonly cacheFile: string | undefined) {}

  /** The short hash of `info`'s folder if already computed (for its current files), else undefined. */
  known(info: Pick<HashedModelFolder, 'dir'>): string | undefined {
    return this.#memory.get(info.dir)?.hash.slice(0, MODEL_HASH_LENGTH);
  }

  /**
   * Starts (or joins) hashing `info`'s folder; resolves to the short hash, or undefined when the
   * files cannot be read (a model without a hash still generates).
   */
  start(info: HashedModelFolder): Promise<string | undefined> {
    const running = this.#running.get(info.dir);
    if (running) return running;
    const work = this.#compute(info).finally(() => this.#running.delete(info.dir));
    this.#running.set(info.dir, work);
    return work;
  }

  async #compute(info: HashedModelFolder): Promise<string | undefined> {
    try {
      const files = modelHashFiles(info);
      const current = await fingerprint(files);
      const cached = this.#memory.get(info.dir) ?? (await this.#readStored())[info.dir];
      if (cached?.fingerprint === current) {
        this.#memory.set(info.dir, cached);
        return cached.hash.slice(0, MODEL_HASH_LENGTH);
      }
      this.#memory.delete(info.dir);
      const hash = await sha256OfFiles(files);
      // Files replaced while they were read: the hash describes neither version.
      if ((await fingerprint(files)) !== current) return undefined;
      const entry = { fingerprint: current, hash };
      this.#memory.set(info.dir, entry);
      await this.#writeStored(info.dir, entry);
      return hash.slice(0, MODEL_HASH_LENGTH);
    } catch {
      return undefined;
    }
  }

  #readStored(): Promise<Record<string, { fingerprint: string; hash: string }>> {
    this.#stored ??= (async () => {
      if (this.cacheFile === undefined) return {};
      try {
        const parsed: unknown = JSON.parse(await readFile(this.cacheFile, 'utf8'));
        return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, { fingerprint: string; hash: string }>) : {};
      } catch {
        return {};
      }
    })();
    return this.#stored;
  }

  async #writeStored(dir: string, entry: { fingerprint: string; hash: string }): Promise<void> {
    if (this.cacheFile === undefined) return;
    const stored = await this.#readStored();
    stored[dir] = entry;
    try {
      await mkdir(path.dirname(this.cacheFile), { recursive: true });
      const staging = `${this.cacheFile}.${process.pid}.tmp`;
      await writeFile(staging, `${JSON.stringify(stored, null, 2)}\n`);
      await rename(staging, this.cacheFile);
    } catch {
      // A read-only cache folder costs a re-hash next start, nothing more.
    }
  }
}
