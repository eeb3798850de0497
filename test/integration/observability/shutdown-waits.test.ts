/**
 * A shutdown that has to wait says what for: the real generation service on PGlite runs a job
 * held at a gate (the engine does not move until the test opens it), and stopping the service
 * as the composition root wraps it logs "waiting for job <id>" before it waits.
 */
import path from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import { openMemoryDatabase, type Database } from '../../../src/db/index.ts';
import { StaticModelDirectory } from '../../../src/generation/requests/index.ts';
import { createGenerationServices, generationPolicyFrom, inProcessQueue, queueSettingsFrom } from '../../../src/generation/generation-services.factory.ts';
import { createRepositories } from '../../../src/db/repositories.ts';
import { PrismaUsageRepository } from '../../../src/db/usage.repository.ts';
import { systemClock } from '../../../src/db/domain.types.ts';
import { Observability } from '../../../src/observability/index.ts';
import { FakeImageEngine } from '../../support/generation/fake-image-engine.ts';
import { GatedImageEngine } from '../../support/generation/gated-image-engine.ts';
import { MemoryImageStore } from '../../support/generation/memory-image.store.ts';
import { projectRoot } from '../../support/shared-dir.ts';

describe('shutdown while a job runs', () => {
  let database: Database | undefined;
  afterAll(() => database?.close());

  it('logs "waiting for job <id>" for the running job, then lets it finish', async () => {
    database = await openMemoryDatabase();
    const loaded = loadConfig({ configDir: path.join(projectRoot, 'test'), env: {}, workingDir: projectRoot, defaultsFile: undefined });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const config = loaded.config;
    const lines: Array<Record<string, unknown>> = [];
    const logger = pino(
      { level: 'info' },
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
          done();
        },
      }),
    );
    const observability = new Observability({ config: config.metrics, logger, now: Date.now });
    const engine = new GatedImageEngine(new FakeImageEngine({ stepMs: 1, nsfwWord: undefined, failWord: undefined, onStep: undefined }));
    engine.hold('slowly');
    const built = createGenerationServices({
      repositories: createRepositories(database, systemClock),
      usage: new PrismaUsageRepository(database.prisma),
      policy: generationPolicyFrom(config),
      queue: inProcessQueue(queueSettingsFrom(config)),
      engine,
      store: new MemoryImageStore(),
      models: new StaticModelDirectory(config.engine.defaultModel, [
        { name: config.engine.defaultModel, nativeWidth: 512, nativeHeight: 512, steps: 4, guidance: 8, scheduler: 'lcm' },
      ]),
      logger: pino({ level: 'silent' }),
      now: Date.now,
    });
    built.events.add(observability.activity);
    let started: (id: string) => void = () => undefined;
    const running = new Promise<string>((resolve) => (started = resolve));
    built.events.add({ ...observability.jobMetrics, started: (event) => started(event.generation.id) });
    const service = observability.announcingWaits(built.service, logger.child({ component: 'shutdown' }));
    await service.start();
    const outcome = await built.generation.imagine({
      requester: { identity: { platform: 'discord', externalId: '42', displayName: 'ada' }, platformModerator: false },
      place: { workspace: undefined, channelId: 'dm', chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined }, nsfwAllowed: false },
      options: { prompt: 'developing slowly', values: {} },
    });
    if (!outcome.ok) throw new Error(outcome.message);
    const jobId = await running;
    expect(jobId).toBe(outcome.generation.id);

    const stopped = service.stop(AbortSignal.timeout(60_000));
    const waiting = lines.filter((line) => line['msg'] === `waiting for job ${jobId}`);
    expect(waiting).toHaveLength(1);
    expect(waiting[0]).toMatchObject({ component: 'shutdown', jobId, level: 30 });
    engine.open('slowly');
    await stopped;
    expect((await built.repositories.generations.get(jobId))?.status).toBe('succeeded');
  });
});
