import { createHash } from 'node:crypto';
import { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ImageNotFoundError,
  InvalidImageKeyError,
  LocalImageStore,
  imageKey,
} from '../../../src/storage/index.ts';

let root: string;
let store: LocalImageStore;

beforeEach(async () => {
  root = await mkdtemp(path.join(tmpdir(), 'darkroom-store-'));
  store = new LocalImageStore(path.join(root, 'images'));
});
afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function listFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { recursive: true, withFileTypes: true });
  return entries.filter((entry) => entry.isFile()).map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)));
}

describe('imageKey', () => {
  it('builds <yyyy>/<mm>/<generation>/<index>.png from the UTC date', () => {
    // 23:30 on 31 Jan in UTC-5 is already February in UTC.
    expect(imageKey('clx123abc', 3, new Date('2025-01-31T23:30:00-05:00'))).toBe('2025/02/clx123abc/3.png');
  });

  it('refuses generation ids that would escape their folder', () => {
    expect(() => imageKey('../etc', 0, new Date())).toThrow(InvalidImageKeyError);
    expect(() => imageKey('a/b', 0, new Date(0))).not.toThrow(); // two plain segments are still a safe key
    expect(() => imageKey('x', -1, new Date())).toThrow(RangeError);
  });
});

describe('LocalImageStore', () => {
  it('stores, reads, reports and deletes an image; put returns size and SHA-256', async () => {
    const bytes = Buffer.from('pretend this is a PNG');
    const stored = await store.put('2025/06/gen1/0.png', bytes);
    expect(stored).toEqual({
      key: '2025/06/gen1/0.png',
      bytes: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect((await store.get('2025/06/gen1/0.png')).equals(bytes)).toBe(true);
    expect(await store.exists('2025/06/gen1/0.png')).toBe(true);
    expect(store.pathFor('2025/06/gen1/0.png')).toBe(path.join(root, 'images', '2025', '06', 'gen1', '0.png'));
    expect(await listFiles(path.join(root, 'images'))).toEqual([path.join('2025', '06', 'gen1', '0.png')]);

    await store.delete('2025/06/gen1/0.png');
    expect(await store.exists('2025/06/gen1/0.png')).toBe(false);
    await expect(store.get('2025/06/gen1/0.png')).rejects.toBeInstanceOf(ImageNotFoundError);
    await expect(store.delete('2025/06/gen1/0.png')).resolves.toBeUndefined(); // idempotent
  });

  it('a missing key is a not-found refusal with a stable code', async () => {
    const failure = await store.get('2025/06/none/0.png').catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ImageNotFoundError);
    expect((failure as ImageNotFoundError).code).toBe('image-not-found');
    expect(await store.exists('2025/06/none/0.png')).toBe(false);
  });

  it.each([
    ['..', '../outside.png'],
    ['embedded ..', '2025/../../outside.png'],
    ['absolute', '/etc/passwd'],
    ['backslash', '2025\\06\\x.png'],
    ['hidden / temp-like', '2025/.x.png'],
    ['empty segment', '2025//x.png'],
    ['trailing slash', '2025/06/'],
    ['space', '2025/my image.png'],
    ['leading dash', '-rf.png'],
    ['NUL', 'a\0.png'],
    ['empty', ''],
  ])('refuses a %s key with a clear error and touches no file', async (_name, key) => {
    await expect(store.put(key, Buffer.from('x'))).rejects.toThrow(InvalidImageKeyError);
    await expect(store.get(key)).rejects.toThrow(/invalid image key/);
    await expect(store.delete(key)).rejects.toThrow(InvalidImageKeyError);
    await expect(stat(path.join(root, 'outside.png'))).rejects.toThrow(/ENOENT/);
  });

  it('overwrites in place and leaves no temp files behind after successful puts', async () => {
    await store.put('a/b.png', Buffer.from('first'));
    await store.put('a/b.png', Buffer.from('second version'));
    expect((await store.get('a/b.png')).toString()).toBe('second version');
    expect(await listFiles(path.join(root, 'images'))).toEqual([path.join('a', 'b.png')]);
  });

  it('concurrent puts to one key end with exactly one complete version', async () => {
    const versions = Array.from({ length: 12 }, (_, index) => Buffer.alloc(256 * 1024 + index, index + 1));
    const results = await Promise.all(versions.map((bytes) => store.put('race/0.png', bytes)));
    const final = await store.get('race/0.png');
    const winner = versions.findIndex((bytes) => bytes.equals(final));
    expect(winner).toBeGreaterThanOrEqual(0);
    expect(results[winner]?.sha256).toBe(createHash('sha256').update(final).digest('hex'));
    expect(await listFiles(path.join(root, 'images'))).toEqual([path.join('race', '0.png')]);
  });

  it('cleanupTemporaryFiles removes old temp files only, and never real images', async () => {
    await store.put('2025/06/g/0.png', Buffer.from('real'));
    const folder = path.join(root, 'images', '2025', '06', 'g');
    const oldTemp = path.join(folder, '.1.png.0b7d2c1e-3f4a-4b5c-8d9e-0a1b2c3d4e5f.tmp');
    const freshTemp = path.join(folder, '.2.png.1b7d2c1e-3f4a-4b5c-8d9e-0a1b2c3d4e5f.tmp');
    const lookalike = path.join(folder, 'notes.tmp'); // not our pattern: left alone
    await writeFile(oldTemp, 'partial');
    await writeFile(freshTemp, 'partial');
    await writeFile(lookalike, 'user file');
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(oldTemp, anHourAgo, anHourAgo);

    expect(await store.cleanupTemporaryFiles(600_000)).toEqual(['2025/06/g/.1.png.0b7d2c1e-3f4a-4b5c-8d9e-0a1b2c3d4e5f.tmp']);
    expect(await store.cleanupTemporaryFiles(0)).toEqual(['2025/06/g/.2.png.1b7d2c1e-3f4a-4b5c-8d9e-0a1b2c3d4e5f.tmp']);
    expect((await listFiles(folder)).sort()).toEqual(['0.png', 'notes.tmp']);
  });

  it('cleanupTemporaryFiles on a root that does not exist yet removes nothing', async () => {
    expect(await new LocalImageStore(path.join(root, 'never-created')).cleanupTemporaryFiles(0)).toEqual([]);
  });
});
