/** An ImageStore in a Map, for unit tests and the benchmark. */
import { createHash } from 'node:crypto';
import type { ImageStore, StoredImage } from '../../../src/storage/image.store.ts';
import { ImageNotFoundError, assertValidImageKey } from '../../../src/storage/image.store.ts';

export class MemoryImageStore implements ImageStore {
  readonly files = new Map<string, Buffer>();

  async put(key: string, bytes: Buffer): Promise<StoredImage> {
    assertValidImageKey(key);
    this.files.set(key, Buffer.from(bytes));
    return { key, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  async get(key: string): Promise<Buffer> {
    const bytes = this.files.get(key);
    if (bytes === undefined) throw new ImageNotFoundError(key);
    return bytes;
  }

  async delete(key: string): Promise<void> {
    this.files.delete(key);
  }

  async exists(key: string): Promise<boolean> {
    return this.files.has(key);
  }
}
