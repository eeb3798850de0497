/**
 * `darkroom start` with `storage.backend: s3`: the bucket is checked before the chat platforms
 * connect. A bucket that cannot be used stops start-up with the reason in plain words; a working
 * one is named in the log (never the secret) and the bot serves. The real command as a child
 * process, against s3rver and the fake Discord on loopback.
 */
import { rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/index.ts';
import { LOCAL_S3_CREDENTIALS, startLocalS3, type LocalS3Server } from '../../support/s3/local-s3-server.ts';
import { type DarkroomSandbox, placeholderSandbox, runDarkroom, startDarkroomProcess } from './darkroom-process.ts';

const SLOW = 240_000;
const roots: string[] = [];
let discord: FakeDiscord;
let s3: LocalS3Server;

beforeAll(async () => {
  discord = await startFakeDiscord();
  s3 = await startLocalS3(['images']);
});
afterAll(async () => {
  await discord?.close();
  await s3?.remove();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/** A migrated data folder and a placeholder model, so only the image store decides. */
function sandbox(env: Record<string, string>): DarkroomSandbox {
  const box = placeholderSandbox('start-storage', { migrated: true, engine: ['  executionProvider: cpu'] }, {
    DISCORD_TOKEN: discord.token,
    DISCORD_API_URL: discord.apiUrl,
    DARKROOM_STORAGE__BACKEND: 's3',
    S3_BUCKET: 'images',
    S3_ACCESS_KEY_ID: LOCAL_S3_CREDENTIALS.accessKeyId,
    S3_SECRET_ACCESS_KEY: LOCAL_S3_CREDENTIALS.secretAccessKey,
    ...env,
  });
  roots.push(box.root);
  return box;
}

describe('darkroom start with images on S3', () => {
  it(
    'stops before connecting to Discord when the S3 server cannot be reached, saying which and what to check',
    async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const port = (closed.address() as AddressInfo).port;
      await new Promise<void>((resolve) => closed.close(() => resolve()));
      const logins = discord.world.requests.filter((request) => request.path.endsWith('/gateway/bot')).length;

      const run = sandbox({ S3_ENDPOINT: `http://127.0.0.1:${port}` });
      const finished = await runDarkroom(['start'], run.cwd, run.env);
      expect(finished.code, finished.stderr).toBe(1);
      expect(finished.stderr).toContain(
        `cannot use the image store (S3 bucket "images" at http://127.0.0.1:${port}): cannot reach the S3 server http://127.0.0.1:${port} (ECONNREFUSED): is it running, and is S3_ENDPOINT right?`,
      );
      expect(finished.stdout).not.toContain('darkroom.ready');
      expect(discord.world.requests.filter((request) => request.path.endsWith('/gateway/bot')).length).toBe(logins);
    },
    SLOW,
  );

  it(
    'serves with a bucket it can use, names the bucket in the log and never the secret key',
    async () => {
      const run = sandbox({ S3_ENDPOINT: s3.endpoint, DARKROOM_STORAGE__S3__PREFIX: 'started' });
      const darkroom = startDarkroomProcess(['start'], run.cwd, run.env);
      await darkroom.waitForStdout('darkroom.ready');
      darkroom.child.kill('SIGTERM');
      const finished = await darkroom.finished;
      expect(finished.code, finished.stderr).toBe(0);
      expect(finished.stdout).toContain(`"storage":"S3 bucket \\"images\\" at ${s3.endpoint} (folder started)"`);
      expect(finished.stdout + finished.stderr).not.toContain(`"${LOCAL_S3_CREDENTIALS.secretAccessKey}"`);
    },
    SLOW,
  );
});
