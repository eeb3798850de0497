/**
 * A `darkroom worker`-like process for the cluster tests: PostgreSQL, Redis, a local image
 * folder shared with the test, the fake engine with a fixed step time. Prints one JSON line per
 * engine run on stdout ({"event":"engine","id":…} when a job starts in the engine).
 *
 * argv: <database url> <redis url> <key prefix> <images dir> <step ms> <models, comma-separated> <lease ms>
 */
import { pino } from 'pino';
import { openDatabase } from '../../../../src/db/database.ts';
import type { DarkroomConfig } from '../../../../src/config/config.types.ts';
import type { GenerateOptions, GenerationRequest, GenerationResult, ImageEngine } from '../../../../src/generation/engine.types.ts';
import { createClusterParts } from '../../../../src/generation/cluster/cluster.factory.ts';
import { createGenerationServices, generationPolicyFrom } from '../../../../src/generation/generation-services.factory.ts';
import { newProcessOwnerId } from '../../../../src/generation/jobs/job-lease.ts';
import { StaticModelDirectory } from '../../../../src/generation/requests/index.ts';
import { createRepositories } from '../../../../src/db/index.ts';
import { PrismaUsageRepository } from '../../../../src/db/usage.repository.ts';
import { LocalImageStore } from '../../../../src/storage/index.ts';
import { FakeImageEngine } from '../../../support/generation/fake-image-engine.ts';
import { clusterTestConfig, TEST_TIMING } from './cluster-test-config.ts';

const [databaseUrl = '', redisUrl = '', prefix = '', imagesDir = '', stepMs = '100', modelList = 'fake', leaseMs = '3000'] = process.argv.slice(2);
const print = (line: Record<string, unknown>): void => void process.stdout.write(`${JSON.stringify(line)}\n`);

/** The fake engine, saying on stdout which job it runs (the prompt names it). */
class AnnouncingEngine implements ImageEngine {
  readonly #inner = new FakeImageEngine({ stepMs: Number(stepMs), nsfwWord: undefined, failWord: undefined, onStep: undefined });
  generate(request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    print({ event: 'engine', prompt: request.prompt, model: request.model });
    return this.#inner.generate(request, options);
  }
  upscale(png: Buffer, request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    return this.#inner.upscale(png, request, options);
  }
}

const logger = pino({ level: 'warn' }, pino.destination(2));
const config: Pick<DarkroomConfig, 'queue' | 'limits' | 'moderation' | 'engine' | 'generation'> = clusterTestConfig(redisUrl, prefix);
const database = await openDatabase({ url: databaseUrl, dataDir: '/nonexistent', logger: undefined });
const models = new StaticModelDirectory(
  modelList.split(',')[0] ?? 'fake',
  modelList.split(',').map((name) => ({ name, nativeWidth: 512, nativeHeight: 512, steps: 4, guidance: 7, scheduler: 'euler' as const })),
);
const cluster = createClusterParts({ queue: config.queue, database, models, role: 'worker', logger, now: Date.now, timing: TEST_TIMING });
const services = createGenerationServices({
  repositories: createRepositories(database, () => new Date()),
  usage: new PrismaUsageRepository(database.prisma),
  policy: generationPolicyFrom(config),
  engine: new AnnouncingEngine(),
  store: new LocalImageStore(imagesDir),
  models,
  logger,
  now: Date.now,
  queue: () => cluster.queue,
  serviceEvents: cluster.serviceEvents,
  lease: { owner: newProcessOwnerId(), durationMs: Number(leaseMs), renewEveryMs: Math.max(200, Number(leaseMs) / 4) },
});
await services.service.start();
print({ event: 'ready', workerId: cluster.workerId });

process.on('SIGTERM', () => {
  void (async () => {
    await services.service.stop(AbortSignal.timeout(5_000));
    await cluster.close();
    await database.close();
    process.exit(0);
  })();
});
