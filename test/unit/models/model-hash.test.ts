/**
 * A1111's `Model hash` of an ONNX folder: the first 10 hex characters of the SHA-256 of the
 * UNet's bytes (model.onnx, then its external data), checked against `sha256sum`, and reused
 * from the cache file only while the files keep their size and modification time.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelHashCache, modelHashFiles, sha256OfFiles, type HashedModelFolder } from '../../../src/generation/models/model-hash.ts';

const root = mkdtempSync(path.join(tmpdir(), 'darkroom-model-hash-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The `sha256sum` command's digest of the files' bytes concatenated (an implementation of its own). */
function sha256sum(files: string[]): string {
  const bytes = Buffer.concat(files.map((file) => readFileSync(file)));
  return execFileSync('sha256sum', { input: bytes, encoding: 'utf8' }).split(' ')[0]!;
}

/** A folder with a UNet split into model.onnx and weights.pb (and a text encoder that must not count). */
function modelFolder(name: string): HashedModelFolder {
  const dir = path.join(root, name);
  mkdirSync(path.join(dir, 'unet'), { recursive: true });
  mkdirSync(path.join(dir, 'text_encoder'), { recursive: true });
  writeFileSync(path.join(dir, 'unet', 'model.onnx'), Buffer.from(`graph of ${name}`));
  // Larger than one 1 MiB read, so the streaming path joins several chunks.
  writeFileSync(path.join(dir, 'unet', 'weights.pb'), Buffer.alloc(3 * 1024 * 1024 + 17, name.length));
  writeFileSync(path.join(dir, 'text_encoder', 'model.onnx_data'), 'text encoder weights');
  return { dir, parts: { unet: path.join(dir, 'unet', 'model.onnx') }, externalDataFiles: ['text_encoder/model.onnx_data', 'unet/weights.pb'] };
}

describe('model hash', () => {
  it('is the sha256sum of unet/model.onnx then its external data, cut to 10 characters', async () => {
    const folder = modelFolder('photo');
    const files = [path.join(folder.dir, 'unet', 'model.onnx'), path.join(folder.dir, 'unet', 'weights.pb')];
    expect(modelHashFiles(folder)).toEqual(files);
    expect(await sha256OfFiles(files)).toBe(sha256sum(files));
    const single = [files[0]!];
    expect(await sha256OfFiles(single)).toBe(sha256sum(single));

    const cache = new ModelHashCache(undefined);
    expect(cache.known(folder)).toBeUndefined();
    expect(await cache.start(folder)).toBe(sha256sum(files).slice(0, 10));
    expect(cache.known(folder)).toBe(sha256sum(files).slice(0, 10));
  });

  it('is read from the cache file while size and mtime are unchanged, and recomputed after a change', async () => {
    const folder = modelFolder('cached');
    const cacheFile = path.join(root, 'cache', 'model-hashes.json');
    const real = (await new ModelHashCache(cacheFile).start(folder))!;
    // Prove the next start does not read the weights: a stored value it could not have computed.
    const stored = JSON.parse(readFileSync(cacheFile, 'utf8')) as Record<string, { fingerprint: string; hash: string }>;
    stored[folder.dir]!.hash = 'f'.repeat(64);
    writeFileSync(cacheFile, JSON.stringify(stored));
    expect(await new ModelHashCache(cacheFile).start(folder)).toBe('ffffffffff');

    const later = new Date(Date.now() + 60_000);
    utimesSync(path.join(folder.dir, 'unet', 'weights.pb'), later, later);
    expect(await new ModelHashCache(cacheFile).start(folder)).toBe(real);
  });

  it('gives no hash (and does not throw) when the UNet cannot be read', async () => {
    const cache = new ModelHashCache(undefined);
    const missing: HashedModelFolder = { dir: path.join(root, 'gone'), parts: { unet: path.join(root, 'gone', 'unet', 'model.onnx') }, externalDataFiles: [] };
    expect(await cache.start(missing)).toBeUndefined();
    expect(cache.known(missing)).toBeUndefined();
  });
});
