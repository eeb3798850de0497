/**
 * The cluster on real PostgreSQL and Redis: a bot process (this test process: service, Redis
 * queue without a worker, event relay) and two `darkroom worker`-like child processes running
 * the fake engine. A person flooding the queue does not hold back anyone's first job; Redis
 * losing every key mid-run loses nothing; a worker killed with -9 mid-job leaves its job to the
 * other worker, which finishes it once; a job for a model no worker has waits, marked so.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../../src/db/database.ts';
import { openDatabase } from '../../../src/db/database.ts';
import { quoteIdentifier } from '../../../src/db/driver-adapters.ts';
import type { ImageEngine } from '../../../src/generation/engine.types.ts';
import { createClusterParts } from '../../../src/generation/cluster/cluster.factory.ts';
import type { ClusterEventRelay } from '../../../src/generation/cluster/cluster-event-relay.ts';
import { createGenerationServices, generationPolicyFrom } from '../../../src/generation/generation-services.factory.ts';
import type { GenerationEvents } from '../../../src/generation/jobs/index.ts';
import { newProcessOwnerId } from '../../../src/generation/jobs/job-lease.ts';
import { StaticModelDirectory } from '../../../src/generation/requests/index.ts';
import { createRepositories } from '../../../src/db/index.ts';
import { PrismaUsageRepository } from '../../../src/db/usage.repository.ts';
import { LocalImageStore } from '../../../src/storage/index.ts';
import { postgresTier } from '../../support/postgres-tier.ts';
import { redisTier } from '../../support/redis-tier.ts';
import { projectRoot } from '../../support/shared-dir.ts';
import { from, options } from '../../support/service/service-harness.ts';
import { clusterTestConfig, TEST_TIMING } from './support/cluster-test-config.ts';
import { TcpProxy } from './support/tcp-proxy.ts';

const CHILD = path.join(projectRoot, 'test', 'integration', 'cluster', 'support', 'cluster-worker.child.ts');
/** Four steps of 150 ms: a job runs long enough for a kill to land mid-job on a loaded machine. */
const STEP_MS = '150';
const LEASE_MS = 3_000;
const redis = await redisTier();
const postgresUrl = postgresTier().url;
const skipReason = postgresUrl === '' ? postgresTier().skipReason : redis.skipReason;

interface WorkerChild {
  process: ChildProcess;
  lines: Array<Record<string, unknown>>;
  stderr: string;
}

/** Refuses to run anything: the bot process has no engine. */
const noEngine: ImageEngine = {
  generate: () => Promise.reject(new Error('a bot process runs no jobs')),
  upscale: () => Promise.reject(new Error('a bot process runs no jobs')),
};

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 120_000): Promise<T> {
  const giveUpAt = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > giveUpAt) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(skipReason !== '')(`a bot process and two worker processes on PostgreSQL and Redis${skipReason}`, () => {
  const prefix = `dtest-${randomBytes(5).toString('hex')}`;
  const schema = `darkroom_test_${randomBytes(6).toString('hex')}`;
  let databaseUrl: string;
  let database: Database;
  let imagesDir: string;
  let store: LocalImageStore;
  let admin: Redis;
  let relay: ClusterEventRelay;
  let services: ReturnType<typeof createGenerationServices>;
  let cluster: ReturnType<typeof createClusterParts>;
  const workers: WorkerChild[] = [];
  const delivered = { started: [] as string[], finished: [] as string[], failed: [] as string[], waitingFor: new Map<string, string | undefined>() };

  function spawnWorker(models: string, redisUrl = redis.url): WorkerChild {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, databaseUrl, redisUrl, prefix, imagesDir, STEP_MS, models, String(LEASE_MS)], {
      cwd: projectRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const worker: WorkerChild = { process: child, lines: [], stderr: '' };
    let buffered = '';
    child.stderr?.on('data', (chunk: Buffer) => (worker.stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.trim() !== '') worker.lines.push(JSON.parse(line) as Record<string, unknown>);
    });
    workers.push(worker);
    return worker;
  }

  async function imagine(person: string, prompt: string): Promise<string> {
    const outcome = await services.generation.imagine({ ...from(person), options: options(prompt) });
    if (!outcome.ok) throw new Error(`${person}: ${outcome.message}`);
    return outcome.generation.id;
  }

  async function allSucceeded(ids: readonly string[]): Promise<true | undefined> {
    const rows = await database.prisma.generation.findMany({ where: { id: { in: [...ids] } }, select: { status: true } });
    const failed = rows.find((row) => row.status === 'failed' || row.status === 'cancelled');
    if (failed !== undefined) throw new Error(`a job ended ${failed.status}`);
    return rows.length === ids.length && rows.every((row) => row.status === 'succeeded') ? true : undefined;
  }

  beforeAll(async () => {
    const url = new URL(postgresUrl);
    url.searchParams.set('schema', schema);
    databaseUrl = url.toString();
    database = await openDatabase({ url: databaseUrl, dataDir: '/nonexistent', logger: undefined });
    await database.migrate();
    imagesDir = await mkdtemp(path.join(tmpdir(), 'darkroom-cluster-'));
    admin = new Redis(redis.url);
    const logger = pino({ level: 'warn' });
    const config = clusterTestConfig(redis.url, prefix);
    const models = new StaticModelDirectory('fake', [
      { name: 'fake', nativeWidth: 512, nativeHeight: 512, steps: 4, guidance: 7, scheduler: 'euler' },
      { name: 'elsewhere', nativeWidth: 512, nativeHeight: 512, steps: 4, guidance: 7, scheduler: 'euler' },
    ]);
    cluster = createClusterParts({ queue: config.queue, database, models, role: 'bot', logger, now: Date.now, timing: TEST_TIMING });
    store = new LocalImageStore(imagesDir);
    services = createGenerationServices({
      repositories: createRepositories(database, () => new Date()),
      usage: new PrismaUsageRepository(database.prisma),
      policy: generationPolicyFrom(config),
      engine: noEngine,
      store,
      models,
      logger,
      now: Date.now,
      queue: () => cluster.queue,
      serviceEvents: cluster.serviceEvents,
      lease: { owner: newProcessOwnerId(), durationMs: LEASE_MS, renewEveryMs: 750 },
    });
    const recorder: GenerationEvents = {
      queued: () => undefined,
      moved: (event) => void delivered.waitingFor.set(event.generation.id, event.position.noWorkerFor),
      started: (event) => void delivered.started.push(event.generation.id),
      progress: () => undefined,
      finished: (event) => void delivered.finished.push(event.generation.id),
      failed: (event) => void delivered.failed.push(event.generation.id),
      cancelled: () => undefined,
    };
    services.events.add(recorder);
    relay = cluster.relay({ adapters: services.events, repositories: services.repositories, store, platforms: ['discord'], nsfw: 'blur' });
    await services.service.start();
    await relay.start();
    relay.startCatchUp();
  }, 120_000);

  afterAll(async () => {
    for (const worker of workers) if (worker.process.exitCode === null) worker.process.kill('SIGKILL');
    await relay?.stop();
    await services?.service.stop(AbortSignal.timeout(5_000));
    await cluster?.close();
    const keys = await admin?.keys(`${prefix}:*`);
    if (keys !== undefined && keys.length > 0) await admin.del(...keys);
    admin?.disconnect();
    await database?.prisma.$executeRawUnsafe(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
    await database?.close();
    if (imagesDir) await rm(imagesDir, { recursive: true, force: true });
  }, 60_000);

  it('starts everybody’s first job before the flooder’s third, and loses nothing when Redis forgets everything mid-run', async () => {
    const flood: string[] = [];
    for (let n = 0; n < 8; n++) flood.push(await imagine('flooder', `flood ${n}`));
    const firsts = [await imagine('ann', 'ann 1'), await imagine('ben', 'ben 1'), await imagine('cat', 'cat 1')];
    // The workers come once everything waits, so the order does not depend on how fast this machine admits.
    spawnWorker('fake');
    spawnWorker('fake');
    await until('both workers ready', () => (workers.every((worker) => worker.lines.some((line) => line['event'] === 'ready')) ? true : undefined), 90_000);
    // Once something runs, every key of this cluster goes (a Redis restarted empty).
    await until('a job to start', () => (delivered.started.length > 0 ? true : undefined));
    const keys = await admin.keys(`${prefix}:*`);
    if (keys.length > 0) await admin.del(...keys);
    const ids = [...flood, ...firsts];
    await until('every job to succeed', () => allSucceeded(ids), 180_000);
    await until('every result posted', () => (ids.every((id) => delivered.finished.includes(id)) ? true : undefined), 60_000);

    const rows = await database.prisma.generation.findMany({ where: { id: { in: ids } }, select: { id: true, startedAt: true } });
    const startedAt = new Map(rows.map((row) => [row.id, row.startedAt?.getTime() ?? Infinity]));
    const floodStarts = flood.map((id) => startedAt.get(id) ?? Infinity).sort((a, b) => a - b);
    for (const id of firsts) expect(startedAt.get(id), 'another person’s first job started after the flooder’s third').toBeLessThan(floodStarts[2] ?? Infinity);
    for (const id of ids) expect(delivered.finished.filter((done) => done === id), `result of ${id}`).toHaveLength(1);
  }, 300_000);

  it('finishes the job of a worker killed with -9 mid-job exactly once, on the other worker', async () => {
    const ids = [await imagine('dan', 'dan 1'), await imagine('eve', 'eve 1'), await imagine('dan', 'dan 2'), await imagine('eve', 'eve 2')];
    const victim = workers[0] as WorkerChild;
    const seen = victim.lines.length;
    await until('the first worker to start a job', () => (victim.lines.slice(seen).some((line) => line['event'] === 'engine') ? true : undefined));
    victim.process.kill('SIGKILL');
    await until('every job to succeed', () => allSucceeded(ids), 180_000);
    await until('every result posted', () => (ids.every((id) => delivered.finished.includes(id)) ? true : undefined), 60_000);
    for (const id of ids) expect(delivered.finished.filter((done) => done === id), `result of ${id}`).toHaveLength(1);
    const attempts = await database.prisma.generation.findMany({ where: { id: { in: ids } }, select: { attempts: true } });
    expect(attempts.filter((row) => row.attempts === 2), 'the killed job, started twice').toHaveLength(1);
    const images = await database.prisma.image.findMany({ where: { generationId: { in: ids } } });
    expect(images).toHaveLength(ids.length);
    // Stable keys: a rerun after the kill wrote the same file, no orphan beside it.
    const months = await readdir(imagesDir, { recursive: true });
    const files = months.filter((entry) => entry.endsWith('.png'));
    const rows = await database.prisma.image.count();
    expect(files).toHaveLength(rows);
  }, 300_000);

  it('posts a result that finished while no bot process listened once a bot is back, once', async () => {
    // The bot's relay goes down (its process would be restarting); the worker finishes the job meanwhile.
    await relay.stop();
    const id = await imagine('gus', 'gus 1');
    await until('the job to succeed', () => allSucceeded([id]), 120_000);
    expect(delivered.finished).not.toContain(id);
    relay = cluster.relay({ adapters: services.events, repositories: services.repositories, store, platforms: ['discord'], nsfw: 'blur' });
    await relay.start();
    relay.startCatchUp();
    await until('the late result to be posted', () => (delivered.finished.includes(id) ? true : undefined), 60_000);
    expect(delivered.finished.filter((done) => done === id)).toHaveLength(1);
  }, 200_000);

  it('stops giving work to a worker that lost Redis, and gives it work again when Redis is back', async () => {
    for (const worker of workers) {
      if (worker.process.exitCode !== null || worker.process.signalCode !== null) continue;
      const exited = new Promise((resolve) => worker.process.once('exit', resolve));
      worker.process.kill('SIGTERM');
      await exited;
    }
    const upstream = new URL(redis.url);
    const proxy = new TcpProxy(upstream.hostname, Number(upstream.port || 6379));
    const port = await proxy.listen();
    const proxied = new URL(redis.url);
    proxied.hostname = '127.0.0.1';
    proxied.port = String(port);
    const worker = spawnWorker('fake', proxied.toString());
    await until('the worker behind the proxy to be ready', () => (worker.lines.some((line) => line['event'] === 'ready') ? true : undefined), 90_000);
    const first = await imagine('hal', 'hal 1');
    await until('the first job to succeed', () => allSucceeded([first]));

    await proxy.cut();
    const second = await imagine('hal', 'hal 2');
    // Its heartbeat lapses: no live worker has the model any more, so the job waits, marked so.
    expect(await until('the job to be marked unroutable', async () => cluster.queue.unroutableModel(second), 60_000)).toBe('fake');
    expect((await database.prisma.generation.findUnique({ where: { id: second }, select: { status: true } }))?.status).toBe('queued');

    await proxy.listen();
    await until('the second job to succeed once Redis is back', () => allSucceeded([second]), 120_000);
    await until('its result posted', () => (delivered.finished.includes(second) ? true : undefined), 60_000);
    expect(delivered.finished.filter((done) => done === second)).toHaveLength(1);
    await proxy.cut();
  }, 300_000);

  it('holds a quota across two bot processes hammered at once', async () => {
    const logger = pino({ level: 'warn' });
    const config = clusterTestConfig(redis.url, prefix);
    const policy = { ...generationPolicyFrom(config), quotas: { default: { perHour: 3, perDay: null }, roles: {} } };
    const models = new StaticModelDirectory('fake', [{ name: 'fake', nativeWidth: 512, nativeHeight: 512, steps: 4, guidance: 7, scheduler: 'euler' }]);
    const bots = [0, 1].map(() => {
      const parts = createClusterParts({ queue: config.queue, database, models, role: 'bot', logger, now: Date.now, timing: TEST_TIMING });
      const built = createGenerationServices({
        repositories: createRepositories(database, () => new Date()),
        usage: new PrismaUsageRepository(database.prisma),
        policy,
        engine: noEngine,
        store,
        models,
        logger,
        now: Date.now,
        queue: () => parts.queue,
        serviceEvents: parts.serviceEvents,
      });
      return { parts, built };
    });
    try {
      await Promise.all(bots.map((bot) => bot.built.service.start()));
      const outcomes = await Promise.all(
        Array.from({ length: 10 }, (_, n) => (bots[n % 2] as (typeof bots)[number]).built.generation.imagine({ ...from('ivy'), options: options(`ivy ${n}`) })),
      );
      expect(outcomes.filter((outcome) => outcome.ok)).toHaveLength(3);
      expect(outcomes.filter((outcome) => !outcome.ok).map((outcome) => (outcome.ok ? '' : outcome.code))).toEqual(Array(7).fill('quota_exceeded'));
    } finally {
      for (const bot of bots) {
        await bot.built.service.stop(AbortSignal.timeout(5_000));
        await bot.parts.close();
      }
    }
  }, 120_000);

  it('keeps a job for a model no live worker has waiting, marked "no worker has model X"', async () => {
    const id = await imagine('fay', 'somewhere else --model elsewhere');
    const model = await until('the dispatcher to mark it', async () => cluster.queue.unroutableModel(id), 30_000);
    expect(model).toBe('elsewhere');
    // The person's message says so (a `moved` update of the waiting job).
    await until('the job message to say no worker has the model', () => (delivered.waitingFor.get(id) === 'elsewhere' ? true : undefined), 30_000);
    const row = await database.prisma.generation.findUnique({ where: { id }, select: { status: true } });
    expect(row?.status).toBe('queued');
  }, 60_000);
});
