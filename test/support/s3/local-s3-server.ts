/**
 * A real S3-compatible server on loopback for tests: s3rver (keeps objects in a temp folder,
 * speaks the S3 REST API the AWS SDK v3 talks, checks the access key id). It does not check the
 * secret key's signature, so "wrong credentials" tests use an unknown access key id.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import type { S3StorageConfig } from '../../../src/config/config.types.ts';
import type { S3StoreSettings } from '../../../src/storage/s3-image.store.ts';

/** s3rver's built-in key pair. */
export const LOCAL_S3_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;

export interface LocalS3Server {
  readonly endpoint: string;
  readonly port: number;
  /** Folder where s3rver keeps the buckets. */
  readonly directory: string;
  /** Stops the server (requests then fail with ECONNREFUSED); the folder stays until `remove`. */
  stop(): Promise<void>;
  /** Stops the server if running and deletes its folder. */
  remove(): Promise<void>;
}

/**
 * Starts s3rver on 127.0.0.1 with the given buckets: on a free port in a new folder, or (to
 * restart a stopped server with its objects) on `again`'s port and folder.
 */
export async function startLocalS3(buckets: readonly string[], again?: Pick<LocalS3Server, 'port' | 'directory'>): Promise<LocalS3Server> {
  const directory = again?.directory ?? (await mkdtemp(path.join(tmpdir(), 'darkroom-s3-')));
  const port = again?.port ?? 0;
  const server = new S3rver({ address: '127.0.0.1', port, silent: true, directory, configureBuckets: buckets.map((name) => ({ name })) });
  const address = await server.run();
  let running = true;
  const stop = async (): Promise<void> => {
    if (!running) return;
    running = false;
    await server.close();
  };
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    port: address.port,
    directory,
    stop,
    remove: async () => {
      await stop();
      await rm(directory, { recursive: true, force: true });
    },
  };
}

/** Store settings for a local server: short timeouts and few retries, so failures show fast. */
export function localS3Settings(server: Pick<LocalS3Server, 'endpoint'>, overrides: Partial<S3StoreSettings> = {}): S3StoreSettings {
  return {
    endpoint: server.endpoint,
    bucket: 'images',
    region: 'us-east-1',
    forcePathStyle: true,
    prefix: '',
    credentials: LOCAL_S3_CREDENTIALS,
    maxObjectBytes: 64 * 1024 * 1024,
    connectTimeoutMs: 2_000,
    requestTimeoutMs: 20_000,
    maxAttempts: 2,
    ...overrides,
  };
}

/** The configuration form (`config.storage.s3`) for a local server. */
export function localS3Config(server: Pick<LocalS3Server, 'endpoint'>, overrides: Partial<S3StorageConfig> = {}): S3StorageConfig {
  return {
    endpoint: server.endpoint,
    bucket: 'images',
    region: 'us-east-1',
    forcePathStyle: true,
    prefix: '',
    accessKeyId: LOCAL_S3_CREDENTIALS.accessKeyId,
    secretAccessKey: LOCAL_S3_CREDENTIALS.secretAccessKey,
    ...overrides,
  };
}
