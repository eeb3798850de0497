/**
 * A Darkroom-like process for the restart test: file-backed PGlite, local image store, the real
 * queue and service, and a slow fake engine. Prints one JSON line per event on stdout.
 *
 * argv: <dataDir> <jobs to submit> <step ms> [fast jobs]
 * With `fast jobs` = n, the first n jobs this process starts run at <step ms> and every later one
 * never ends by itself (1 h steps), so a test can kill the process while a job runs without
 * racing the queue on a loaded machine.
 * Submits the jobs (3 people, round-robin), then exits 0 once every job it knows of (submitted
 * or recovered) has finished or failed.
 */
import path from 'node:path';
import { pino } from 'pino';
import { createRepositories } from '../../../../src/db/index.ts';
import { openDatabase } from '../../../../src/db/database.ts';
import { systemClock } from '../../../../src/db/domain.types.ts';
import { PrismaUsageRepository } from '../../../../src/db/usage.repository.ts';
import { createGenerationServices, inProcessQueue } from '../../../../src/generation/generation-services.factory.ts';
import type { ImageEngine } from '../../../../src/generation/engine.types.ts';
import type { GenerationEvents } from '../../../../src/generation/jobs/index.ts';
import { StaticModelDirectory } from '../../../../src/generation/requests/index.ts';
import { LocalImageStore } from '../../../../src/storage/index.ts';
import { FakeImageEngine } from '../../../support/generation/fake-image-engine.ts';

const [dataDir = '', jobsText = '0', stepMsText = '50', fastJobsText] = process.argv.slice(2);
const print = (line: Record<string, unknown>): void => {
  process.stdout.write(`${JSON.stringify(line)}\n`);
};

/** The fake engine; after `fastJobs` jobs have started, later ones take an hour per step. */
function engineFor(stepMs: number, fastJobs: number): ImageEngine {
  const fast = new FakeImageEngine({ stepMs, nsfwWord: undefined, failWord: undefined, onStep: undefined });
  if (fastJobs === Infinity) return fast;
  const stuck = new FakeImageEngine({ stepMs: 3_600_000, nsfwWord: undefined, failWord: undefined, onStep: undefined });
  let started = 0;
  return {
    generate: (request, options) => ((started += 1) > fastJobs ? stuck : fast).generate(request, options),
    upscale: (png, request, options) => ((started += 1) > fastJobs ? stuck : fast).upscale(png, request, options),
  };
}

const database = await openDatabase({ url: undefined, dataDir, logger: undefined });
await database.migrate();
const repositories = createRepositories(database, systemClock);
const pending = new Set<string>();
let submitting = true;

async function settle(id: string): Promise<void> {
  pending.delete(id);
  if (submitting || pending.size > 0) return;
  print({ event: 'idle' });
  await database.close();
  process.exit(0);
}

const events: GenerationEvents = {
  queued: (event) => print({ event: 'queued', id: event.generation.id, recovered: event.recovered }),
  started: (event) => print({ event: 'started', id: event.generation.id, user: event.owner.externalId }),
  progress: () => {},
  finished: (event) => {
    print({ event: 'finished', id: event.generation.id, images: event.images.length });
    return settle(event.generation.id);
  },
  failed: (event) => {
    print({ event: 'failed', id: event.generation.id, code: event.code, message: event.message });
    return settle(event.generation.id);
  },
  cancelled: (event) => settle(event.generation.id),
};

const { generation: service, events: fanout } = createGenerationServices({
  repositories,
  usage: new PrismaUsageRepository(database.prisma),
  policy: {
    limits: { default: { maxSteps: 50, maxPixels: 1024 * 1024, maxCount: 4, allowedModels: [] }, roles: {}, workspaces: {} },
    quotas: { default: { perHour: null, perDay: null }, roles: {} },
    blockedTerms: [],
    nsfw: 'blur',
    previews: false,
    defaultCount: 2,
    progressIntervalMs: 1500,
  },
  queue: inProcessQueue({ concurrency: 1, perUserQueued: 100, globalQueued: 1000, rateLimit: { intervalMs: 60_000, intervalCap: 10_000 }, initialMsPerStep: 50 }),
  engine: engineFor(Number(stepMsText), fastJobsText === undefined ? Infinity : Number(fastJobsText)),
  store: new LocalImageStore(path.join(dataDir, 'images')),
  models: new StaticModelDirectory('fake', [{ name: 'fake', nativeWidth: 512, nativeHeight: 512, steps: 4, guidance: 7, scheduler: 'euler' }]),
  // Warnings and errors (retries, internal errors with their stack) go to stderr, which the test
  // shows when a job did not succeed; stdout carries only the JSON events.
  logger: pino({ level: 'warn' }, pino.destination(2)),
  now: Date.now,
});
fanout.add(events);

// Jobs left by a previous process: the service queues them before anything new.
const before = await repositories.generations.listUnfinished();
for (const generation of before) pending.add(generation.id);
const recovered = await service.start();
print({ event: 'recovered', count: recovered, ids: before.map((generation) => generation.id) });

const people = ['ann', 'ben', 'cat'];
for (let n = 0; n < Number(jobsText); n++) {
  const person = people[n % people.length] as string;
  const outcome = await service.imagine({
    requester: { identity: { platform: 'discord', externalId: person, displayName: person }, platformModerator: false },
    place: { workspace: undefined, channelId: 'c', chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined }, nsfwAllowed: false },
    options: { prompt: `job ${n} of ${person}`, values: {} },
  });
  if (!outcome.ok) throw new Error(outcome.message);
  pending.add(outcome.generation.id);
  print({ event: 'accepted', id: outcome.generation.id, user: person });
}
submitting = false;
if (pending.size === 0) await settle('');
