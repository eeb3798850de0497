/**
 * The roles as an operator runs them: `darkroom start --role bot` (no model installed on its
 * machine, none loaded) and `darkroom worker` (the real engine on a generated tiny model) as
 * separate processes on one PostgreSQL and one Redis, the real discord.js client against the
 * fake Discord. A person's /imagine is answered with the image the worker made.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../src/db/database.ts';
import { quoteIdentifier } from '../../../src/db/driver-adapters.ts';
import { decodeImage } from '../../../src/images/index.ts';
import { SCENE, startFakeDiscord, type FakeDiscord } from '../../fakes/discord/index.ts';
import { buildFixtureModel } from '../../fixtures/onnx/index.ts';
import { postgresTier } from '../../support/postgres-tier.ts';
import { redisTier } from '../../support/redis-tier.ts';
import { cleanEnvironment, runDarkroom, startDarkroomProcess, type Running } from '../cli/darkroom-process.ts';
import { result } from '../discord/support/discord-expect.ts';

const SLOW = 300_000;

/** A port nobody listens on now (the OS picks it; released before Darkroom takes it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}
const redis = await redisTier();
const postgresUrl = postgresTier().url;
const skipReason = postgresUrl === '' ? postgresTier().skipReason : redis.skipReason;

describe.skipIf(skipReason !== '')(`darkroom start --role bot and darkroom worker as processes${skipReason}`, () => {
  const prefix = `droles-${randomBytes(5).toString('hex')}`;
  const schema = `darkroom_test_${randomBytes(6).toString('hex')}`;
  let root: string;
  let fake: FakeDiscord;
  let databaseUrl: string;
  const processes: Running[] = [];

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'darkroom-roles-'));
    for (const dir of ['cwd', 'config', 'bot-models', 'data']) mkdirSync(path.join(root, dir));
    writeFileSync(
      path.join(root, 'config', 'local.yaml'),
      ['engine:', '  autoPull: false', '  defaultModel: tiny-photo', '  executionProvider: cpu', '  previews: false', ''].join('\n'),
    );
    await buildFixtureModel(path.join(root, 'worker-models', 'tiny-photo'), 'sd15-optimum');
    fake = await startFakeDiscord({ spec: undefined });
    const url = new URL(postgresUrl);
    url.searchParams.set('schema', schema);
    databaseUrl = url.toString();
  }, SLOW);

  afterAll(async () => {
    for (const running of processes) if (running.child.exitCode === null) running.child.kill('SIGKILL');
    await fake?.close();
    const admin = new Redis(redis.url);
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length > 0) await admin.del(...keys);
    admin.disconnect();
    const database = await openDatabase({ url: databaseUrl, dataDir: '/nonexistent', logger: undefined });
    await database.prisma.$executeRawUnsafe(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    await database.close();
    rmSync(root, { recursive: true, force: true });
  }, 60_000);

  function env(models: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
    return cleanEnvironment({
      ...extra,
      DARKROOM_DATA_DIR: path.join(root, 'data'),
      DARKROOM_MODELS_DIR: path.join(root, models),
      DARKROOM_CONFIG_DIR: path.join(root, 'config'),
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      DARKROOM_QUEUE__BACKEND: 'redis',
      DARKROOM_QUEUE__REDIS__PREFIX: prefix,
      DISCORD_TOKEN: fake.token,
      DISCORD_API_URL: fake.apiUrl,
    });
  }

  it(
    'answers /imagine through a bot process with no model and a worker process that has it, and both stop cleanly',
    async () => {
      const [botPort, workerPort] = [await freePort(), await freePort()];
      const bot = startDarkroomProcess(['start', '--role', 'bot'], path.join(root, 'cwd'), env('bot-models', { DARKROOM_METRICS_PORT: String(botPort) }));
      processes.push(bot);
      await bot.waitForStdout('darkroom.ready');
      const worker = startDarkroomProcess(['worker'], path.join(root, 'cwd'), env('worker-models', { DARKROOM_METRICS_PORT: String(workerPort) }));
      processes.push(worker);
      await worker.waitForStdout('worker.ready');

      const interaction = fake.slash('imagine', { prompt: 'a lighthouse at dawn --seed 77 --steps 2', count: 1 }, { user: SCENE.alice });
      const message = await result(fake, interaction);
      expect(message.attachments).toHaveLength(1);
      const image = await decodeImage(message.attachments[0]!.bytes);
      expect([image.width, image.height]).toEqual([64, 64]);
      // The bot never loaded a model: only the worker did.
      expect(bot.output.stdout).not.toContain('engine.warmed_up');
      expect(worker.output.stdout).toContain('job.finished');
      // Probes: the bot is ready without any engine; the worker once its model has loaded.
      expect(await (await fetch(`http://127.0.0.1:${botPort}/readyz`)).json()).toEqual({ ready: true, checks: { database: 'ok', discord: 'ok' } });
      expect(await (await fetch(`http://127.0.0.1:${workerPort}/readyz`)).json()).toEqual({ ready: true, checks: { database: 'ok', engine: 'ok' } });

      for (const running of [worker, bot]) running.child.kill('SIGTERM');
      const [workerExit, botExit] = await Promise.all([worker.finished, bot.finished]);
      expect(workerExit.code, workerExit.stderr).toBe(0);
      expect(botExit.code, botExit.stderr).toBe(0);
    },
    SLOW,
  );

  it('refuses start --role bot with the in-process queue, and says what to set', async () => {
    const memory = { ...env('bot-models'), DARKROOM_QUEUE__BACKEND: 'memory' };
    const finished = await runDarkroom(['start', '--role', 'bot'], path.join(root, 'cwd'), memory);
    expect(finished.code).toBe(1);
    expect(finished.stderr).toContain('queue.backend: redis');
    const worker = await runDarkroom(['worker'], path.join(root, 'cwd'), memory);
    expect(worker.code).toBe(1);
    expect(worker.stderr).toContain('darkroom worker takes its jobs from Redis');
  }, SLOW);
});
