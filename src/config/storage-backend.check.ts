/**
 * The image store's cross-checks and its resolved settings: `storage.backend: s3` needs a
 * bucket, and the S3 key pair comes as a pair.
 */
import type { FileConfig } from './config.schema.ts';
import type { Secrets } from './config-secrets.ts';
import type { ConfigProblem, StorageConfig } from './config.types.ts';

/** Problems of the storage options with the secrets (none for `local`, apart from a half key pair). */
export function crossCheckStorage(
  file: Pick<FileConfig, 'storage'>,
  secrets: Pick<Secrets, 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY'>,
  source: (path: readonly string[]) => string,
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const keyId = secrets.S3_ACCESS_KEY_ID;
  const secret = secrets.S3_SECRET_ACCESS_KEY;
  if (keyId !== undefined && secret === undefined) {
    problems.push({ path: 'S3_SECRET_ACCESS_KEY', message: 'is needed too: S3_ACCESS_KEY_ID is set, and S3 keys work only as a pair', source: 'environment' });
  }
  if (secret !== undefined && keyId === undefined) {
    problems.push({ path: 'S3_ACCESS_KEY_ID', message: 'is needed too: S3_SECRET_ACCESS_KEY is set, and S3 keys work only as a pair', source: 'environment' });
  }
  if (file.storage.backend === 's3' && file.storage.s3.bucket === null) {
    const fromFile = source(['storage', 's3', 'bucket']);
    problems.push({
      path: fromFile === 'environment' ? 'S3_BUCKET' : 'storage.s3.bucket',
      message: 'is required because storage.backend is s3 (set S3_BUCKET to the bucket for the images)',
      source: fromFile === 'environment' ? 'environment' : source(['storage', 'backend']),
    });
  }
  return problems;
}

/** The storage settings every process uses (with the S3 key pair from the environment). */
export function resolveStorage(file: Pick<FileConfig, 'storage'>, secrets: Pick<Secrets, 'S3_ACCESS_KEY_ID' | 'S3_SECRET_ACCESS_KEY'>, imagesDir: string): StorageConfig {
  const { backend, s3 } = file.storage;
  const endpoint = s3.endpoint ?? undefined;
  return {
    backend,
    dir: imagesDir,
    s3: {
      endpoint,
      bucket: s3.bucket ?? undefined,
      region: s3.region,
      forcePathStyle: s3.forcePathStyle === 'auto' ? endpoint !== undefined : s3.forcePathStyle,
      prefix: s3.prefix,
      accessKeyId: secrets.S3_ACCESS_KEY_ID,
      secretAccessKey: secrets.S3_SECRET_ACCESS_KEY,
    },
  };
}
