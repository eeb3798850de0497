/**
 * ImageStore on an S3-compatible bucket (AWS S3, MinIO, Cloudflare R2, …), for several processes
 * on several machines. The only importer of `@aws-sdk/client-s3`.
 *
 * - **Atomic writes.** One PutObject per image: S3 makes an object visible only once it is
 *   complete, so a reader sees the old or the new object, never a part, and a crash mid-upload
 *   leaves nothing under the key. `Content-MD5` makes the server refuse bytes damaged on the way.
 * - **Write, then record.** The job runner puts every image before the transaction that records
 *   them, so a row never names a missing object. A crash between the two leaves objects no row
 *   names: harmless, because image keys are fixed per job and image (`imageKey`), so the job's
 *   rerun overwrites the same objects, and a job that is never rerun leaves at most its `count`
 *   unreferenced objects (a bucket lifecycle rule may expire them; nothing reads them).
 * - **Bounded.** Every request has a connect and a response timeout and a few SDK retries; `get`
 *   refuses objects above `maxObjectBytes` before reading them and stops reading past it.
 * - **Failures.** Anything the server or the network refuses is a {@link StorageUnavailableError}
 *   whose message says in plain words what to check (`describeS3Failure`); callers answer
 *   `storage_unavailable`. A missing key on `get` is {@link ImageNotFoundError}. Deleting a missing
 *   key succeeds (S3 does so too), so a failed delete can simply be tried again.
 */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Readable } from 'node:stream';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { ImageNotFoundError, StorageUnavailableError, assertValidImageKey } from './image.store.ts';
import type { ImageStore, StoredImage } from './image.store.ts';
import { describeS3Failure, isMissingObject } from './s3-failure.ts';

export interface S3StoreSettings {
  /** `http(s)://host:port` of an S3-compatible server; undefined = AWS S3. */
  readonly endpoint: string | undefined;
  readonly bucket: string;
  readonly region: string;
  /** `http://host/bucket/key` instead of `http://bucket.host/key` (MinIO, R2, most self-hosted servers). */
  readonly forcePathStyle: boolean;
  /** Folder in the bucket that holds the keys (`''` = the bucket's root). */
  readonly prefix: string;
  /** undefined = the SDK's default chain (AWS profile, instance or task role). Secret: never log it. */
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
  /** Largest object `get` reads. */
  readonly maxObjectBytes: number;
  readonly connectTimeoutMs: number;
  /** Time for a request to answer (and between chunks of a body). */
  readonly requestTimeoutMs: number;
  /** Tries per request, the first included (the SDK's standard retry with back-off). */
  readonly maxAttempts: number;
}

/** What `checkAccess` found: reachable, bucket present, a tiny object written and removed. */
export type S3AccessCheck = { readonly ok: true } | { readonly ok: false; readonly problem: string };

export class S3ImageStore implements ImageStore {
  readonly settings: S3StoreSettings;
  readonly #client: S3Client;

  constructor(settings: S3StoreSettings) {
    this.settings = settings;
    this.#client = new S3Client({
      region: settings.region,
      ...(settings.endpoint !== undefined && { endpoint: settings.endpoint }),
      forcePathStyle: settings.forcePathStyle,
      ...(settings.credentials !== undefined && {
        credentials: { accessKeyId: settings.credentials.accessKeyId, secretAccessKey: settings.credentials.secretAccessKey },
      }),
      maxAttempts: settings.maxAttempts,
      // throwOnRequestTimeout: without it the SDK only logs a warning when requestTimeout passes,
      // and a server that accepts the connection but never answers holds the request forever.
      requestHandler: {
        connectionTimeout: settings.connectTimeoutMs,
        requestTimeout: settings.requestTimeoutMs,
        socketTimeout: settings.requestTimeoutMs,
        throwOnRequestTimeout: true,
      },
      // The SDK's default CRC32 checksums (aws-chunked trailers) are not understood by every
      // S3-compatible server; Content-MD5, which all of them check, guards the upload instead.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /** The object key in the bucket: the prefix folder, then the image key. */
  objectKey(key: string): string {
    assertValidImageKey(key);
    return this.settings.prefix === '' ? key : `${this.settings.prefix}/${key}`;
  }

  async put(key: string, bytes: Buffer): Promise<StoredImage> {
    const objectKey = this.objectKey(key);
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.settings.bucket,
          Key: objectKey,
          Body: bytes,
          ContentLength: bytes.length,
          ContentType: 'image/png',
          ContentMD5: createHash('md5').update(bytes).digest('base64'),
        }),
      );
    } catch (error) {
      throw this.#unavailable('put', key, error);
    }
    return { key, bytes: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') };
  }

  async get(key: string): Promise<Buffer> {
    const objectKey = this.objectKey(key);
    let body: Readable;
    let length: number | undefined;
    try {
      const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.settings.bucket, Key: objectKey }));
      body = answer.Body as Readable;
      length = answer.ContentLength;
    } catch (error) {
      if (isMissingObject(error)) throw new ImageNotFoundError(key);
      throw this.#unavailable('get', key, error);
    }
    const limit = this.settings.maxObjectBytes;
    if (length !== undefined && length > limit) {
      body.destroy();
      throw new StorageUnavailableError('get', key, { cause: new Error(`the object is ${length} bytes, more than the ${limit} an image may have`) });
    }
    try {
      return await readBounded(body, limit);
    } catch (error) {
      throw error instanceof TooLargeError ? new StorageUnavailableError('get', key, { cause: error }) : this.#unavailable('get', key, error);
    }
  }

  async delete(key: string): Promise<void> {
    const objectKey = this.objectKey(key);
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: objectKey }));
    } catch (error) {
      // S3 answers 204 for a missing key; a server that says NoSuchKey means the same.
      if ((error as { name?: unknown }).name === 'NoSuchKey') return;
      throw this.#unavailable('delete', key, error);
    }
  }

  async exists(key: string): Promise<boolean> {
    const objectKey = this.objectKey(key);
    try {
      await this.#client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: objectKey }));
      return true;
    } catch (error) {
      if (isMissingObject(error)) return false;
      throw this.#unavailable('get', key, error);
    }
  }

  /**
   * For `darkroom doctor` and start-up: the bucket is reachable, writable, readable and allows
   * deletes. Writes one tiny object under `<prefix>/darkroom-check/`, reads it, removes it.
   */
  async checkAccess(): Promise<S3AccessCheck> {
    const { bucket } = this.settings;
    const probeKey = `${this.settings.prefix === '' ? '' : `${this.settings.prefix}/`}darkroom-check/${hostname()}-${process.pid}-${randomUUID()}.txt`;
    try {
      // No HeadBucket: its answers have no body, so a 403 could not say which key or right is wrong.
      const body = Buffer.from('written and removed by darkroom doctor\n');
      await this.#client.send(
        new PutObjectCommand({ Bucket: bucket, Key: probeKey, Body: body, ContentLength: body.length, ContentMD5: createHash('md5').update(body).digest('base64') }),
      );
      const read = await this.#client.send(new GetObjectCommand({ Bucket: bucket, Key: probeKey }));
      await readBounded(read.Body as Readable, body.length);
      await this.#client.send(new DeleteObjectCommand({ Bucket: bucket, Key: probeKey }));
      return { ok: true };
    } catch (error) {
      return { ok: false, problem: describeS3Failure(error, this.settings) };
    }
  }

  /** Closes the client's connections. */
  close(): void {
    this.#client.destroy();
  }

  #unavailable(operation: 'put' | 'get' | 'delete', key: string, error: unknown): StorageUnavailableError {
    return new StorageUnavailableError(operation, key, { cause: new Error(describeS3Failure(error, this.settings), { cause: error }) });
  }
}

class TooLargeError extends Error {
  override readonly name = 'TooLargeError';
}

/** Reads a body into one Buffer, giving up (and closing the stream) past `limit` bytes. */
async function readBounded(body: Readable, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    const piece = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as Uint8Array);
    total += piece.length;
    if (total > limit) {
      body.destroy();
      throw new TooLargeError(`the object is more than the ${limit} bytes an image may have`);
    }
    chunks.push(piece);
  }
  return Buffer.concat(chunks, total);
}
