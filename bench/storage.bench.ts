/**
 * Image store benchmark (`npm run bench -- storage`): time to store and to read back one 512²
 * PNG, on the local folder store (temp file, fsync, rename) and on the S3 store against s3rver on
 * loopback (the test server: a Node process writing files, so the S3 figures are the store's own
 * cost plus a slow server, not what MinIO or AWS would answer). The PNG is a 512² picture of
 * smooth colour with noise, about the size of a real result. Prints one JSON object on stdout.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import S3rver from 's3rver';
import { encodePng } from '../src/images/index.ts';
import type { ImageStore } from '../src/storage/image.store.ts';
import { LocalImageStore } from '../src/storage/local-image.store.ts';
import { S3ImageStore } from '../src/storage/s3-image.store.ts';

const RUNS = 30;
const SIDE = 512;

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round((sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? 0) * 10) / 10;
}

async function picture(): Promise<Buffer> {
  const pixels = new Uint8Array(SIDE * SIDE * 3);
  let seed = 12345;
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const noise = (seed >>> 24) % 24;
      const offset = (y * SIDE + x) * 3;
      pixels[offset] = (x >> 1) + noise;
      pixels[offset + 1] = (y >> 1) + noise;
      pixels[offset + 2] = ((x + y) >> 2) + noise;
    }
  }
  return encodePng({ width: SIDE, height: SIDE, pixels }, undefined);
}

async function measure(store: ImageStore, png: Buffer): Promise<{ putMs: { p50: number; p95: number }; getMs: { p50: number; p95: number } }> {
  const puts: number[] = [];
  const gets: number[] = [];
  // One warm-up round (connections, folders), not counted.
  await store.put('2026/12/warmup/0.png', png);
  await store.get('2026/12/warmup/0.png');
  for (let run = 0; run < RUNS; run++) {
    const key = `2026/12/bench${run}/0.png`;
    let started = performance.now();
    await store.put(key, png);
    puts.push(performance.now() - started);
    started = performance.now();
    const read = await store.get(key);
    gets.push(performance.now() - started);
    if (read.length !== png.length) throw new Error('read back a different size');
  }
  return { putMs: { p50: percentile(puts, 0.5), p95: percentile(puts, 0.95) }, getMs: { p50: percentile(gets, 0.5), p95: percentile(gets, 0.95) } };
}

const root = mkdtempSync(path.join(os.tmpdir(), 'darkroom-storage-bench-'));
const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: path.join(root, 's3'), configureBuckets: [{ name: 'images' }] });
try {
  const png = await picture();
  const local = await measure(new LocalImageStore(path.join(root, 'local')), png);
  process.stderr.write(`local: put p50 ${local.putMs.p50} ms, get p50 ${local.getMs.p50} ms\n`);
  const { port } = await server.run();
  const s3Store = new S3ImageStore({
    endpoint: `http://127.0.0.1:${port}`,
    bucket: 'images',
    region: 'us-east-1',
    forcePathStyle: true,
    prefix: '',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxObjectBytes: 64 * 1024 * 1024,
    connectTimeoutMs: 5_000,
    requestTimeoutMs: 30_000,
    maxAttempts: 3,
  });
  const s3 = await measure(s3Store, png);
  s3Store.close();
  process.stderr.write(`s3 (s3rver on loopback): put p50 ${s3.putMs.p50} ms, get p50 ${s3.getMs.p50} ms\n`);
  process.stdout.write(`${JSON.stringify({ pngBytes: png.length, side: SIDE, runs: RUNS, local, s3rverLoopback: s3, cpus: os.cpus().length })}\n`);
} finally {
  await server.close().catch(() => undefined);
  rmSync(root, { recursive: true, force: true });
}
