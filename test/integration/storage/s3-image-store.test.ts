/**
 * The S3 image store against a real S3-compatible server on loopback (s3rver): the same
 * behaviour as the local store (atomic put, get, idempotent delete, missing key), plus what a
 * network store adds: a server that is down, an unknown key, a missing bucket, an object too
 * large to read.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageNotFoundError, StorageUnavailableError } from '../../../src/storage/index.ts';
import { S3ImageStore } from '../../../src/storage/s3-image.store.ts';
import { localS3Settings, startLocalS3, type LocalS3Server } from '../../support/s3/local-s3-server.ts';

let server: LocalS3Server;
const stores: S3ImageStore[] = [];

function store(overrides: Parameters<typeof localS3Settings>[1] = {}): S3ImageStore {
  const created = new S3ImageStore(localS3Settings(server, overrides));
  stores.push(created);
  return created;
}

async function filesUnder(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)));
}

beforeAll(async () => {
  server = await startLocalS3(['images']);
});
afterAll(async () => {
  for (const created of stores) created.close();
  await server.remove();
});

describe('S3ImageStore on a local S3 server', () => {
  it('stores, reads, reports and deletes an image; put returns size and SHA-256; delete is idempotent', async () => {
    const images = store();
    const png = randomBytes(400_000);
    const stored = await images.put('2026/12/gen1/0.png', png);
    expect(stored).toEqual({ key: '2026/12/gen1/0.png', bytes: png.length, sha256: createHash('sha256').update(png).digest('hex') });
    expect((await images.get('2026/12/gen1/0.png')).equals(png)).toBe(true);
    expect(await images.exists('2026/12/gen1/0.png')).toBe(true);

    const replacement = randomBytes(1_000);
    await images.put('2026/12/gen1/0.png', replacement);
    expect((await images.get('2026/12/gen1/0.png')).equals(replacement)).toBe(true);

    await images.delete('2026/12/gen1/0.png');
    expect(await images.exists('2026/12/gen1/0.png')).toBe(false);
    await expect(images.get('2026/12/gen1/0.png')).rejects.toBeInstanceOf(ImageNotFoundError);
    await expect(images.delete('2026/12/gen1/0.png')).resolves.toBeUndefined();
  });

  it('keeps the images under the configured folder of the bucket', async () => {
    const prefixed = store({ prefix: 'bots/prod' });
    await prefixed.put('2026/12/gen2/1.png', Buffer.from('png bytes'));
    const root = store();
    expect(await root.exists('bots/prod/2026/12/gen2/1.png')).toBe(true);
    expect(await root.exists('2026/12/gen2/1.png')).toBe(false);
    expect((await prefixed.get('2026/12/gen2/1.png')).toString()).toBe('png bytes');
  });

  it('refuses to read an object larger than an image may be, without reading it into memory', async () => {
    await store().put('2026/12/big/0.png', randomBytes(50_000));
    const small = store({ maxObjectBytes: 10_000 });
    const failure = await small.get('2026/12/big/0.png').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(StorageUnavailableError);
    expect((failure as Error).message).toContain('more than the 10000');
  });

  it('checks access with a tiny write that it removes again', async () => {
    const images = store({ prefix: 'checked' });
    await expect(images.checkAccess()).resolves.toEqual({ ok: true });
    const left = (await filesUnder(path.join(server.directory, 'images'))).filter((file) => file.includes('darkroom-check'));
    expect(left).toEqual([]);
  });

  it('says in plain words when the access key is unknown, or the bucket does not exist', async () => {
    const stranger = store({ credentials: { accessKeyId: 'NOBODY', secretAccessKey: 'whatever' } });
    const check = await stranger.checkAccess();
    expect(check).toEqual({ ok: false, problem: expect.stringContaining('does not know the access key id: check S3_ACCESS_KEY_ID') });
    const putFailure = await stranger.put('2026/12/gen3/0.png', Buffer.from('x')).catch((error: unknown) => error);
    expect(putFailure).toBeInstanceOf(StorageUnavailableError);
    expect((putFailure as Error).message).toContain('check S3_ACCESS_KEY_ID');

    const nowhere = store({ bucket: 'no-such-bucket' });
    expect(await nowhere.checkAccess()).toEqual({ ok: false, problem: expect.stringContaining('bucket "no-such-bucket" does not exist') });
    const getFailure = await nowhere.get('2026/12/gen3/0.png').catch((error: unknown) => error);
    expect(getFailure).toBeInstanceOf(StorageUnavailableError);
    expect((getFailure as Error).message).toContain('bucket "no-such-bucket" does not exist');
  });
});

describe('S3ImageStore when the server accepts connections and never answers', () => {
  it('gives up after the request timeout with storage_unavailable instead of waiting forever', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const endpoint = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    try {
      const images = store({ endpoint, requestTimeoutMs: 1_500, maxAttempts: 2 });
      for (const attempt of [() => images.get('2026/12/gen5/0.png'), () => images.put('2026/12/gen5/0.png', Buffer.from('x'))]) {
        const failure = await attempt().catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(StorageUnavailableError);
        expect((failure as Error).message).toContain(`the S3 server ${endpoint} did not answer in time`);
      }
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('S3ImageStore when the server is down', () => {
  it('fails put, get and delete with storage_unavailable naming the server, and works again once it is back', async () => {
    const own = await startLocalS3(['images']);
    try {
      const images = store({ endpoint: own.endpoint });
      await images.put('2026/12/gen4/0.png', Buffer.from('kept'));
      await own.stop();

      for (const attempt of [
        () => images.put('2026/12/gen4/1.png', Buffer.from('lost')),
        () => images.get('2026/12/gen4/0.png'),
        () => images.delete('2026/12/gen4/0.png'),
      ]) {
        const failure = await attempt().catch((error: unknown) => error);
        expect(failure).toBeInstanceOf(StorageUnavailableError);
        expect((failure as Error).message).toContain(`cannot reach the S3 server ${own.endpoint} (ECONNREFUSED)`);
      }
      expect(await images.checkAccess()).toEqual({ ok: false, problem: expect.stringContaining('is it running, and is S3_ENDPOINT right?') });

      // The same server back on its port with its folder: nothing was lost, the delete can be retried.
      const back = await startLocalS3(['images'], own);
      try {
        expect((await images.get('2026/12/gen4/0.png')).toString()).toBe('kept');
        expect(await images.exists('2026/12/gen4/1.png')).toBe(false);
        await images.delete('2026/12/gen4/0.png');
        expect(await images.exists('2026/12/gen4/0.png')).toBe(false);
      } finally {
        await back.stop();
      }
    } finally {
      await own.remove();
    }
  });
});
