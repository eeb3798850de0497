/**
 * `darkroom doctor` on the services a cluster shares: the S3 bucket (against a real S3-compatible
 * server on loopback) and Redis (the real one when the Redis tier runs, plus small servers that
 * answer as a password-protected Redis would). Each problem is said in plain words.
 */
import { rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkRedis, redisLocation } from '../../../src/lifecycle/redis-check.ts';
import { postgresTier } from '../../support/postgres-tier.ts';
import { redisTier } from '../../support/redis-tier.ts';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3Server } from '../../support/s3/local-s3-server.ts';
import { type DarkroomSandbox, placeholderSandbox, runDarkroom } from './darkroom-process.ts';

const SLOW = 240_000;
const roots: string[] = [];
const servers: Server[] = [];
let s3: LocalS3Server;

beforeAll(async () => {
  s3 = await startLocalS3(['images']);
});
afterAll(async () => {
  await s3?.remove();
  for (const server of servers) await new Promise<void>((resolve) => server.close(() => resolve()));
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/**
 * A folder where doctor finds a (placeholder) default model and a chat platform, so "ready"
 * depends on the services only (--offline: no token check).
 */
function sandbox(env: Record<string, string>): DarkroomSandbox {
  const box = placeholderSandbox('doctor-services', { migrated: false }, { DISCORD_TOKEN: 'doctor-test-token', ...env });
  roots.push(box.root);
  return box;
}

/** A TCP server that answers every line with `reply` (a Redis that wants a password, say). */
async function answering(reply: string): Promise<string> {
  const server = createServer((socket: Socket) => socket.on('data', () => socket.write(reply)));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `redis://:secret-password@127.0.0.1:${(server.address() as AddressInfo).port}`;
}

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('darkroom doctor with storage.backend s3', () => {
  it(
    'says the bucket works, or names the unknown key or the missing bucket as the step to fix',
    async () => {
      const s3Env = { DARKROOM_STORAGE__BACKEND: 's3', S3_ENDPOINT: s3.endpoint, S3_BUCKET: 'images', S3_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId, S3_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey };
      const good = sandbox(s3Env);
      const wrongKey = sandbox({ ...s3Env, S3_ACCESS_KEY_ID: 'NOT-A-KEY', S3_SECRET_ACCESS_KEY: 'not-the-secret' });
      const noBucket = sandbox({ ...s3Env, S3_BUCKET: 'no-such-bucket' });
      const doctor = ['doctor', '--offline'];
      const [ready, refused, missing] = await Promise.all([
        runDarkroom(doctor, good.cwd, good.env),
        runDarkroom(doctor, wrongKey.cwd, wrongKey.env),
        runDarkroom(doctor, noBucket.cwd, noBucket.env),
      ]);

      expect(ready.stdout, ready.stderr).toContain(`Images         S3 bucket "images" at ${s3.endpoint}: reachable, an object was written, read and removed`);
      expect(ready.stdout).toContain('Queue          memory: jobs queue in this process');
      expect(ready.stdout, ready.stdout + ready.stderr).toContain('Ready: npm start will serve.');
      expect(ready.code).toBe(0);

      expect(refused.stdout, refused.stderr).toMatch(/\d\. Fix the image store: S3 bucket "images" at http:\/\/127\.0\.0\.1:\d+: the S3 server .* does not know the access key id: check S3_ACCESS_KEY_ID/);
      expect(refused.code).toBe(1);
      expect(missing.stdout, missing.stderr).toContain('bucket "no-such-bucket" does not exist');
      expect(missing.code).toBe(1);
      // The secret never reaches the report.
      for (const run of [ready, refused, missing]) expect(run.stdout + run.stderr).not.toMatch(/S3RVER(?!")|not-the-secret/);
    },
    SLOW,
  );
});

describe('darkroom doctor with queue.backend redis', () => {
  it(
    'says Redis answers, or names the unreachable one as the step to fix',
    async (context) => {
      const { url: databaseUrl, skipReason } = postgresTier();
      if (databaseUrl === '') context.skip(`needs PostgreSQL for queue.backend redis${skipReason}`);
      const redis = await redisTier();
      if (redis.url === '') context.skip(`needs Redis${redis.skipReason}`);
      const port = await closedPort();
      const up = sandbox({ DATABASE_URL: databaseUrl, DARKROOM_QUEUE__BACKEND: 'redis', REDIS_URL: redis.url });
      const down = sandbox({ DATABASE_URL: databaseUrl, DARKROOM_QUEUE__BACKEND: 'redis', REDIS_URL: `redis://127.0.0.1:${port}` });
      const [answering, missing] = await Promise.all([runDarkroom(['doctor', '--offline'], up.cwd, up.env), runDarkroom(['doctor', '--offline'], down.cwd, down.env)]);
      expect(answering.stdout, answering.stderr).toContain(`Queue          Redis at ${redisLocation(redis.url)} answers`);
      expect(answering.stdout).toMatch(/Images {9}local folder .*; with queue\.backend redis every bot and worker process must see this same folder: on several machines use storage\.backend s3/);
      expect(missing.stdout, missing.stderr).toContain(`. Fix Redis: cannot reach Redis at redis://127.0.0.1:${port} (ECONNREFUSED): is it running, and is REDIS_URL right?`);
      expect(missing.code).toBe(1);
    },
    SLOW,
  );
});

describe('the Redis check doctor runs', () => {
  it('hides the password when it names the server', () => {
    expect(redisLocation('redis://user:hunter2@cache.internal:6380/2')).toBe('redis://cache.internal:6380/2');
  });

  it('says plainly when Redis is not there, wants a password, or refuses the one given', async () => {
    const port = await closedPort();
    expect(await checkRedis(`redis://127.0.0.1:${port}`, 10_000)).toEqual({
      ok: false,
      text: `cannot reach Redis at redis://127.0.0.1:${port} (ECONNREFUSED): is it running, and is REDIS_URL right?`,
    });
    const wantsPassword = await answering('-NOAUTH Authentication required.\r\n');
    expect((await checkRedis(wantsPassword, 10_000)).text).toContain('asks for a password: put it in REDIS_URL');
    const refuses = await answering('-WRONGPASS invalid username-password pair or user is disabled.\r\n');
    const refused = await checkRedis(refuses, 10_000);
    expect(refused).toEqual({ ok: false, text: expect.stringContaining('refused the user name or password in REDIS_URL') });
    expect(refused.text).not.toContain('secret-password');
  });

  it('reports a Redis that answers (the one at 127.0.0.1:6379, when it runs)', async (context) => {
    const local = await checkRedis('redis://127.0.0.1:6379', 10_000);
    if (local.text.startsWith('cannot reach')) context.skip(`no Redis at 127.0.0.1:6379 (${local.text})`);
    expect(local).toEqual({ ok: true, text: 'Redis at redis://127.0.0.1:6379 answers' });
  });
});
