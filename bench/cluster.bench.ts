/**
 * Cluster benchmark (`npm run bench -- cluster`): one bot (this process: service, Redis queue,
 * event relay) and 1, 2 and 4 `darkroom worker`-like child processes with the fake engine of
 * fixed step time, on PostgreSQL (DATABASE_URL_BENCH, else postgresql://postgres@127.0.0.1:5432/test,
 * in a fresh schema) and a private redis-server started here (so its command counter counts only
 * this cluster; REDIS_URL_BENCH to use another).
 * - throughput: jobs/s with N workers for 8·N jobs from 8 people (targets: ≥ 1.8× at 2, ≥ 3.2× at 4);
 * - accept → start: from the row's insert to a worker's claim, one job at a time with idle
 *   workers (p50/p99; target p99 < 50 ms);
 * - Redis commands per job during the throughput runs (heartbeats and idle polling included).
 * Prints one JSON object on stdout; progress goes to stderr.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { openDatabase } from '../src/db/database.ts';
import { createRepositories } from '../src/db/index.ts';
import { quoteIdentifier } from '../src/db/driver-adapters.ts';
import { PrismaUsageRepository } from '../src/db/usage.repository.ts';
import { createClusterParts } from '../src/generation/cluster/cluster.factory.ts';
import { createGenerationServices, generationPolicyFrom } from '../src/generation/generation-services.factory.ts';
import { StaticModelDirectory } from '../src/generation/requests/index.ts';
import { LocalImageStore } from '../src/storage/index.ts';
import { clusterTestConfig, TEST_TIMING } from '../test/integration/cluster/support/cluster-test-config.ts';

const STEP_MS = 50;
const WORKER_COUNTS = [1, 2, 4];
const JOBS_PER_WORKER = 8;
const PEOPLE = 8;
const LATENCY_SAMPLES = 30;
const TARGETS = { speedupAt2: 1.8, speedupAt4: 3.2, acceptToStartP99Ms: 50 };
const CHILD = path.join(import.meta.dirname, '..', 'test', 'integration', 'cluster', 'support', 'cluster-worker.child.ts');

const log = (text: string): void => void process.stderr.write(`${text}\n`);
const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function startRedis(): Promise<{ url: string; stop: () => void }> {
  const configured = process.env['REDIS_URL_BENCH'];
  if (configured) return { url: configured, stop: () => undefined };
  const port = await freePort();
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  for (let attempt = 0; ; attempt++) {
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.ping();
      probe.disconnect();
      break;
    } catch {
      probe.disconnect();
      if (attempt > 50) throw new Error('redis-server did not start (is it installed? else set REDIS_URL_BENCH)');
      await sleep(100);
    }
  }
  return { url, stop: () => child.kill('SIGTERM') };
}

async function commandsProcessed(redis: Redis): Promise<number> {
  const info = await redis.info('stats');
  return Number(/total_commands_processed:(\d+)/.exec(info)?.[1] ?? 0);
}

const postgresUrl = process.env['DATABASE_URL_BENCH'] ?? 'postgresql://postgres@127.0.0.1:5432/test';
const schema = `darkroom_bench_${randomBytes(5).toString('hex')}`;
const databaseUrl = (() => {
  const url = new URL(postgresUrl);
  url.searchParams.set('schema', schema);
  return url.toString();
})();
const redisServer = await startRedis();
const admin = new Redis(redisServer.url);
const prefix = `bench-${randomBytes(4).toString('hex')}`;
const imagesDir = await mkdtemp(path.join(tmpdir(), 'darkroom-cluster-bench-'));
const database = await openDatabase({ url: databaseUrl, dataDir: '/nonexistent', logger: undefined });
await database.migrate();
const logger = pino({ level: 'error' });
const config = clusterTestConfig(redisServer.url, prefix);
const models = new StaticModelDirectory('fake', [{ name: 'fake', nativeWidth: 512, nativeHeight: 512, steps: 4, guidance: 7, scheduler: 'euler' }]);
const cluster = createClusterParts({ queue: { ...config.queue, perUserQueued: 100, globalQueued: 1000 }, database, models, role: 'bot', logger, now: Date.now, timing: TEST_TIMING });
const store = new LocalImageStore(imagesDir);
const services = createGenerationServices({
  repositories: createRepositories(database, () => new Date()),
  usage: new PrismaUsageRepository(database.prisma),
  policy: generationPolicyFrom(config),
  engine: { generate: () => Promise.reject(new Error('no engine here')), upscale: () => Promise.reject(new Error('no engine here')) },
  store,
  models,
  logger,
  now: Date.now,
  queue: () => cluster.queue,
  serviceEvents: cluster.serviceEvents,
});
await services.service.start();

function spawnWorkers(count: number): Promise<ChildProcess[]> {
  return Promise.all(
    Array.from({ length: count }, () => {
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, databaseUrl, redisServer.url, prefix, imagesDir, String(STEP_MS), 'fake', '10000'], {
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      return new Promise<ChildProcess>((resolve, reject) => {
        child.stdout?.on('data', (chunk: Buffer) => {
          if (chunk.toString().includes('"ready"')) resolve(child);
        });
        child.once('exit', (code) => reject(new Error(`a worker exited early (${code})`)));
      });
    }),
  );
}

async function stopWorkers(children: readonly ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          child.removeAllListeners('exit');
          child.once('exit', resolve);
          child.kill('SIGTERM');
        }),
    ),
  );
}

async function submit(person: number, n: number): Promise<string> {
  const id = `bench-${person}`;
  const outcome = await services.generation.imagine({
    requester: { identity: { platform: 'discord', externalId: id, displayName: id }, platformModerator: false },
    place: { workspace: undefined, channelId: 'c', chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined }, nsfwAllowed: false },
    options: { prompt: `job ${n} of ${id}`, values: {} },
  });
  if (!outcome.ok) throw new Error(outcome.message);
  return outcome.generation.id;
}

async function untilDone(ids: readonly string[]): Promise<void> {
  for (;;) {
    const done = await database.prisma.generation.count({ where: { id: { in: [...ids] }, status: { in: ['succeeded', 'failed'] } } });
    if (done === ids.length) return;
    await sleep(20);
  }
}

const throughput: Array<{ workers: number; jobs: number; seconds: number; jobsPerSecond: number; redisCommandsPerJob: number }> = [];
let latencies: number[] = [];
try {
  for (const count of WORKER_COUNTS) {
    log(`throughput with ${count} worker(s)…`);
    const children = await spawnWorkers(count);
    await sleep(1_000);
    if (count === WORKER_COUNTS[0]) {
      // Warm-up (JIT, Prisma query plans, first PNG encodes) before anything is measured.
      const warmUp: string[] = [];
      for (let n = 0; n < 4; n++) warmUp.push(await submit(n % PEOPLE, 10_000 + n));
      await untilDone(warmUp);
    }
    const jobs = JOBS_PER_WORKER * count;
    const commandsBefore = await commandsProcessed(admin);
    const started = performance.now();
    const ids: string[] = [];
    for (let n = 0; n < jobs; n++) ids.push(await submit(n % PEOPLE, n));
    await untilDone(ids);
    const seconds = (performance.now() - started) / 1000;
    const commands = (await commandsProcessed(admin)) - commandsBefore;
    throughput.push({ workers: count, jobs, seconds: round(seconds), jobsPerSecond: round(jobs / seconds), redisCommandsPerJob: round(commands / jobs, 1) });
    if (count === WORKER_COUNTS.at(-1)) {
      log('accept → start with idle workers…');
      for (let n = 0; n < LATENCY_SAMPLES; n++) {
        const id = await submit(n % PEOPLE, 1_000 + n);
        await untilDone([id]);
        const row = await database.prisma.generation.findUnique({ where: { id }, select: { queuedAt: true, startedAt: true } });
        if (row?.startedAt) latencies.push(row.startedAt.getTime() - row.queuedAt.getTime());
      }
    }
    await stopWorkers(children);
  }
} finally {
  await services.service.stop(AbortSignal.timeout(5_000));
  await cluster.close();
  await database.prisma.$executeRawUnsafe(`DROP SCHEMA IF EXISTS ${quoteIdentifier(schema)} CASCADE`);
  await database.close();
  admin.disconnect();
  redisServer.stop();
  await rm(imagesDir, { recursive: true, force: true });
}
latencies = latencies.filter((value) => Number.isFinite(value));
const base = throughput[0]?.jobsPerSecond ?? 1;
const speedup = Object.fromEntries(throughput.map((run) => [`x${run.workers}`, round(run.jobsPerSecond / base)]));
process.stdout.write(
  `${JSON.stringify(
    {
      bench: 'cluster',
      stepMs: STEP_MS,
      stepsPerJob: 4,
      throughput,
      speedup,
      acceptToStart: { p50Ms: round(percentile(latencies, 50)), p99Ms: round(percentile(latencies, 99)), maxMs: round(Math.max(...latencies)), n: latencies.length },
      targets: TARGETS,
      cpus: (await import('node:os')).cpus().length,
    },
    null,
    2,
  )}\n`,
);
process.exit(0);
