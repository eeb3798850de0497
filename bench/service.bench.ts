/**
 * Generation service benchmark (`npm run bench -- service`), with a fake engine of fixed step
 * time so only the service's own work is measured:
 * - accepting a request (validate + policies + insert + enqueue) on in-memory PGlite:
 *   200 requests from 20 people one after another with the queue not yet running, 200 more
 *   while jobs run (p50/p99, target p99 < 20 ms), and 200 as bursts of 20 simultaneous
 *   requests (latency then includes waiting for the single PGlite connection);
 * - scheduling overhead per job: the queue alone (no-op jobs) and the whole service per job
 *   (claim, store, success transaction, events) minus the engine's own time (target < 5 ms);
 * - history of a person with 10,000 generations (2 images each) on PGlite: first page and a
 *   page 5,000 rows deep (target < 50 ms).
 * Prints one JSON object on stdout; progress goes to stderr.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { createRepositories, openMemoryDatabase } from '../src/db/index.ts';
import { systemClock } from '../src/db/domain.types.ts';
import { PrismaUsageRepository } from '../src/db/usage.repository.ts';
import { PQueueGenerationQueue } from '../src/generation/queue/index.ts';
import { createGenerationServices, inProcessQueue } from '../src/generation/generation-services.factory.ts';
import type { GenerationEvents } from '../src/generation/jobs/index.ts';
import { StaticModelDirectory, type RequestFrom } from '../src/generation/requests/index.ts';
import { LocalImageStore } from '../src/storage/index.ts';
import { FakeImageEngine } from '../test/support/generation/fake-image-engine.ts';

const PEOPLE = 20;
const REQUESTS = 200;
/** Requests before measuring: JIT, Prisma query plans, PGlite caches. */
const WARM_UP = 100;
const STEP_MS = 2;
const STEPS = 4;
const HISTORY_ROWS = 10_000;
const TARGETS = { acceptP99Ms: 20, schedulingMsPerJob: 5, historyMs: 50 };

const round = (value: number, digits = 2): number => Number(value.toFixed(digits));
const log = (text: string): void => void process.stderr.write(`${text}\n`);

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function stats(values: readonly number[]) {
  return { p50Ms: round(percentile(values, 50)), p99Ms: round(percentile(values, 99)), maxMs: round(Math.max(...values)), n: values.length };
}

function request(person: number, prompt: string): RequestFrom & { options: { prompt: string; values: Record<string, never> } } {
  const id = `person-${person}`;
  return {
    requester: { identity: { platform: 'discord', externalId: id, displayName: id }, platformModerator: false },
    place: {
      workspace: { platform: 'discord', externalId: 'bench-guild', name: 'Bench' },
      channelId: 'bench-channel',
      chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined },
      nsfwAllowed: false,
    },
    options: { prompt, values: {} },
  };
}

/** A full service on in-memory PGlite with a temp image folder. */
async function openService(imagesDir: string, onFinished: () => void) {
  const database = await openMemoryDatabase();
  const repositories = createRepositories(database, systemClock);
  const engine = new FakeImageEngine({ stepMs: STEP_MS, nsfwWord: undefined, failWord: undefined, onStep: undefined });
  const events: GenerationEvents = { queued() {}, started() {}, progress() {}, finished: onFinished, failed: onFinished, cancelled() {} };
  const built = createGenerationServices({
    repositories,
    usage: new PrismaUsageRepository(database.prisma),
    policy: {
      limits: { default: { maxSteps: 50, maxPixels: 1024 * 1024, maxCount: 4, allowedModels: [] }, roles: {}, workspaces: {} },
      // Realistic: every acceptance counts the person's recent jobs.
      quotas: { default: { perHour: 1000, perDay: 10_000 }, roles: {} },
      blockedTerms: ['gore', 'blood bath'],
      nsfw: 'blur',
      previews: false,
      defaultCount: 1,
      progressIntervalMs: 1500,
    },
    queue: inProcessQueue({
      concurrency: 1,
      perUserQueued: REQUESTS,
      globalQueued: REQUESTS * 6,
      rateLimit: { intervalMs: 60_000, intervalCap: 100_000 },
      initialMsPerStep: STEP_MS,
    }),
    engine,
    store: new LocalImageStore(imagesDir),
    models: new StaticModelDirectory('bench', [{ name: 'bench', nativeWidth: 512, nativeHeight: 512, steps: STEPS, guidance: 7, scheduler: 'euler' }]),
    logger: pino({ level: 'silent' }),
    now: Date.now,
  });
  built.events.add(events);
  const service = built.generation;
  return { database, repositories, service, engine };
}

async function measureAcceptance(imagesDir: string) {
  let finished = 0;
  const { database, service, engine } = await openService(imagesDir, () => void finished++);
  // Warm-up: JIT, Prisma's query plans, PGlite's caches.
  for (let n = 0; n < WARM_UP; n++) await service.imagine(request(n % PEOPLE, `warm up ${n}`));
  // Accepting alone: the queue does not run yet, so nothing else uses the database.
  const idle: number[] = [];
  // CPU time of this process per request: on a busy machine, wall time also counts waiting for a core.
  const idleCpu: number[] = [];
  for (let n = 0; n < REQUESTS; n++) {
    const started = performance.now();
    const cpu = process.cpuUsage();
    const outcome = await service.imagine(request(n % PEOPLE, `an idle lighthouse number ${n}`));
    const used = process.cpuUsage(cpu);
    idle.push(performance.now() - started);
    idleCpu.push((used.user + used.system) / 1000);
    if (!outcome.ok) throw new Error(outcome.message);
  }
  await service.start();
  // Accepting while jobs run and write to the same (single-connection) PGlite.
  const sequential: number[] = [];
  for (let n = 0; n < REQUESTS; n++) {
    const started = performance.now();
    const outcome = await service.imagine(request(n % PEOPLE, `a lighthouse at dusk number ${n}`));
    sequential.push(performance.now() - started);
    if (!outcome.ok) throw new Error(outcome.message);
  }
  const burst: number[] = [];
  for (let round = 0; round < REQUESTS / PEOPLE; round++) {
    await Promise.all(
      Array.from({ length: PEOPLE }, async (_, person) => {
        const started = performance.now();
        const outcome = await service.imagine(request(person, `burst ${round} of ${person}`));
        burst.push(performance.now() - started);
        if (!outcome.ok) throw new Error(outcome.message);
      }),
    );
  }
  // Service overhead per job: wall time of draining the queue minus the engine's own time.
  const total = WARM_UP + 3 * REQUESTS;
  const drainStart = performance.now();
  const doneBefore = finished;
  while (finished < total) await new Promise((resolve) => setTimeout(resolve, 5));
  const drainedJobs = finished - doneBefore;
  const drainEnd = performance.now();
  const drainMs = drainEnd - drainStart;
  // The engine's busy time inside the drain window (it may run on past the last finished event).
  const engineMs = engine.spans.reduce((sum, span) => sum + Math.max(0, Math.min(span.end, drainEnd) - Math.max(span.start, drainStart)), 0);
  await service.stop(AbortSignal.timeout(10_000));
  await database.close();
  return { idle: stats(idle), idleCpu: stats(idleCpu), sequential: stats(sequential), burst: stats(burst), serviceMsPerJob: round(Math.max(0, drainMs - engineMs) / Math.max(1, drainedJobs)), drainedJobs };
}

/**
 * The queue alone: 5,000 no-op jobs from 20 people through reserve → commit → fair pick →
 * run, with the default cap of 50 waiting jobs (a refused submit waits for a free place).
 */
async function measureQueueOverhead() {
  const jobs = 5_000;
  const queue = new PQueueGenerationQueue({
    concurrency: 1,
    perUserQueued: 50,
    globalQueued: 50,
    rateLimit: { intervalMs: 60_000, intervalCap: 1_000_000 },
    initialMsPerStep: 1,
    now: Date.now,
    logger: undefined,
  });
  let done = 0;
  let resolveAll: () => void = () => {};
  const all = new Promise<void>((resolve) => (resolveAll = resolve));
  await queue.start(async (_job, context) => {
    context.reportStep(1, 1);
    if (++done === jobs) resolveAll();
  });
  const started = performance.now();
  for (let n = 0; n < jobs; n++) {
    let reserved = await queue.reserve(`u${n % PEOPLE}`);
    while (!reserved.ok) {
      await new Promise((resolve) => setImmediate(resolve));
      reserved = await queue.reserve(`u${n % PEOPLE}`);
    }
    await reserved.reservation.commit({ id: `job-${n}`, userId: `u${n % PEOPLE}`, cost: { steps: 4, weight: 1 } });
  }
  await all;
  return round((performance.now() - started) / jobs, 4);
}

async function measureHistory() {
  const database = await openMemoryDatabase();
  const repositories = createRepositories(database, systemClock);
  const user = await repositories.users.upsert({ platform: 'discord', externalId: 'heavy', displayName: 'heavy' });
  const other = await repositories.users.upsert({ platform: 'discord', externalId: 'other', displayName: 'other' });
  const start = Date.UTC(2025, 0, 1);
  log(`service bench: seeding ${HISTORY_ROWS} generations`);
  for (let offset = 0; offset < HISTORY_ROWS; offset += 1000) {
    const rows = Array.from({ length: 1000 }, (_, i) => {
      const n = offset + i;
      return {
        id: `h${String(n).padStart(11, '0')}`,
        userId: n % 10 === 9 ? other.id : user.id,
        channelId: 'c',
        kind: 'imagine' as const,
        prompt: `history prompt ${n}`,
        negativePrompt: '',
        seed: BigInt(n),
        steps: 4,
        guidance: 7,
        scheduler: 'euler',
        width: 512,
        height: 512,
        model: 'bench',
        count: 2,
        status: 'succeeded' as const,
        queuedAt: new Date(start + n * 60_000),
      };
    });
    await database.prisma.generation.createMany({ data: rows });
    await database.prisma.image.createMany({
      data: rows.flatMap((row) => [0, 1].map((index) => ({ generationId: row.id, index, fileKey: `2025/01/${row.id}/${index}.png`, width: 512, height: 512, sha256: '0'.repeat(64), bytes: 1000 }))),
    });
  }
  const query = { userId: user.id, workspaceId: undefined, channelId: undefined, queuedFrom: undefined, queuedBefore: undefined, statuses: undefined };
  const first: number[] = [];
  const deep: number[] = [];
  const deepCursor = (await repositories.generations.history(query, { limit: 100, after: undefined })).next;
  let cursor = deepCursor;
  // Walk ~5,000 rows in, to measure a page far from the top.
  for (let page = 0; page < 49 && cursor; page++) cursor = (await repositories.generations.history(query, { limit: 100, after: cursor })).next;
  for (let run = 0; run < 60; run++) {
    let started = performance.now();
    await repositories.generations.history(query, { limit: 10, after: undefined });
    if (run >= 10) first.push(performance.now() - started);
    started = performance.now();
    await repositories.generations.history(query, { limit: 10, after: cursor });
    if (run >= 10) deep.push(performance.now() - started);
  }
  await database.close();
  return { rows: HISTORY_ROWS, rowsOfThatPerson: HISTORY_ROWS * 0.9, pageSize: 10, firstPage: stats(first), deepPage: stats(deep) };
}

const imagesDir = await mkdtemp(path.join(os.tmpdir(), 'darkroom-service-bench-'));
try {
  log('service bench: acceptance and service overhead');
  const acceptance = await measureAcceptance(imagesDir);
  log('service bench: queue overhead');
  const queueMsPerJob = await measureQueueOverhead();
  log('service bench: history');
  const history = await measureHistory();
  const result = {
    accept: {
      requests: REQUESTS,
      people: PEOPLE,
      queueNotRunning: acceptance.idle,
      queueNotRunningCpu: acceptance.idleCpu,
      whileJobsRun: acceptance.sequential,
      burstsOf20: acceptance.burst,
      targetP99Ms: TARGETS.acceptP99Ms,
      pass: acceptance.idle.p99Ms < TARGETS.acceptP99Ms && acceptance.sequential.p99Ms < TARGETS.acceptP99Ms,
    },
    scheduling: {
      queueOnlyMsPerJob: queueMsPerJob,
      serviceMsPerJob: acceptance.serviceMsPerJob,
      jobsMeasured: acceptance.drainedJobs,
      engineStepMs: STEP_MS,
      targetMsPerJob: TARGETS.schedulingMsPerJob,
      pass: queueMsPerJob < TARGETS.schedulingMsPerJob,
    },
    history: { ...history, targetMs: TARGETS.historyMs, pass: history.firstPage.p99Ms < TARGETS.historyMs && history.deepPage.p99Ms < TARGETS.historyMs },
    environment: { node: process.version, cpus: os.cpus().length, loadAverage: os.loadavg().map((value) => round(value)) },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
} finally {
  await rm(imagesDir, { recursive: true, force: true });
}
