/**
 * Builds the configured image store. The S3 store (and the AWS SDK behind it) is loaded only
 * when `storage.backend` is `s3`, so the default local store costs no start-up time for it.
 */
import type { StorageConfig, S3StorageConfig } from '../config/config.types.ts';
import type { ImageStore } from './image.store.ts';
import { LocalImageStore } from './local-image.store.ts';
import type { S3AccessCheck, S3ImageStore, S3StoreSettings } from './s3-image.store.ts';

/** A store with what start-up and shutdown do for it. */
export interface OpenedImageStore {
  readonly store: ImageStore;
  /** `local` or `S3 bucket "x" at http://…`: for logs and doctor; never holds a secret. */
  readonly description: string;
  /** Start-up: the local store removes temp files of interrupted writes; S3 has none. */
  readonly start: () => Promise<void>;
  /** Reachable and writable (S3: a tiny put and delete); the local store answers ok. */
  readonly check: () => Promise<S3AccessCheck>;
  readonly close: () => Promise<void>;
}

/** Timeouts and size bound of the S3 store; tests pass shorter ones. */
export interface S3StoreLimits {
  readonly connectTimeoutMs: number;
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  readonly maxObjectBytes: number;
}

/** A 2048² PNG is at most ~16 MB: anything much larger under an image key is not ours. */
export const DEFAULT_S3_LIMITS: S3StoreLimits = {
  connectTimeoutMs: 5_000,
  requestTimeoutMs: 30_000,
  maxAttempts: 3,
  maxObjectBytes: 64 * 1024 * 1024,
};

const SHARED_TEMP_FILE_AGE_MS = 10 * 60_000;

/** The S3 store's settings from the configuration. */
export function s3StoreSettings(s3: S3StorageConfig, limits: S3StoreLimits): S3StoreSettings {
  if (s3.bucket === undefined) throw new Error('storage.s3.bucket is not set (the configuration check requires it for storage.backend s3)');
  return {
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    region: s3.region,
    forcePathStyle: s3.forcePathStyle,
    prefix: s3.prefix,
    credentials:
      s3.accessKeyId !== undefined && s3.secretAccessKey !== undefined ? { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey } : undefined,
    ...limits,
  };
}

/** `S3 bucket "images" at http://minio:9000 (folder darkroom)`. */
export function describeStorage(storage: StorageConfig): string {
  if (storage.backend === 'local') return `local folder ${storage.dir}`;
  const { bucket, endpoint, region, prefix } = storage.s3;
  return `S3 bucket "${bucket ?? '(none)'}" at ${endpoint ?? `AWS S3 (${region})`}${prefix === '' ? '' : ` (folder ${prefix})`}`;
}

export interface OpenImageStoreOptions {
  /**
   * Whether other processes may write to the same local folder (a PostgreSQL setup on one
   * machine): then start-up leaves temp files younger than 10 minutes alone, as they may be
   * another process's write in progress. Alone (embedded database), every temp file is a leftover.
   */
  readonly sharedLocalFolder: boolean;
  readonly s3Limits: S3StoreLimits;
}

/** Opens the store `storage` names. */
export async function openImageStore(storage: StorageConfig, options: OpenImageStoreOptions): Promise<OpenedImageStore> {
  const description = describeStorage(storage);
  if (storage.backend === 'local') {
    const store = new LocalImageStore(storage.dir);
    return {
      store,
      description,
      start: async () => {
        await store.cleanupTemporaryFiles(options.sharedLocalFolder ? SHARED_TEMP_FILE_AGE_MS : 0);
      },
      check: async () => ({ ok: true }),
      close: async () => undefined,
    };
  }
  const { S3ImageStore: Store } = await import('./s3-image.store.ts');
  const store: S3ImageStore = new Store(s3StoreSettings(storage.s3, options.s3Limits));
  return {
    store,
    description,
    start: async () => undefined,
    check: () => store.checkAccess(),
    close: async () => store.close(),
  };
}
