/**
 * The wiring the composition root uses: configuration in, services out, adapters subscribed
 * after the fact through the event fan-out, the lifecycle Service starting and stopping it all.
 */
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load-config.ts';
import type { DarkroomConfig } from '../../../src/config/config.types.ts';
import { openMemoryDatabase, type Database } from '../../../src/db/index.ts';
import { StaticModelDirectory } from '../../../src/generation/requests/index.ts';
import { createGenerationServices, generationPolicyFrom, inProcessQueue, queueSettingsFrom } from '../../../src/generation/generation-services.factory.ts';
import { createRepositories } from '../../../src/db/repositories.ts';
import { PrismaUsageRepository } from '../../../src/db/usage.repository.ts';
import { systemClock } from '../../../src/db/domain.types.ts';
import type { GenerationEvents } from '../../../src/generation/jobs/index.ts';
import { PQueueGenerationQueue } from '../../../src/generation/queue/index.ts';
import { FakeImageEngine } from '../../support/generation/fake-image-engine.ts';
import { MemoryImageStore } from '../../support/generation/memory-image.store.ts';
import { projectRoot } from '../../support/shared-dir.ts';

function recorder(name: string, log: string[], throwOn: keyof GenerationEvents | undefined): GenerationEvents {
  const handler = (event: keyof GenerationEvents) => () => {
    log.push(`${name}:${event}`);
    if (event === throwOn) throw new Error(`${name} listener broke`);
  };
  return { queued: handler('queued'), started: handler('started'), progress: handler('progress'), finished: handler('finished'), failed: handler('failed'), cancelled: handler('cancelled') };
}

describe('createGenerationServices', () => {
  let database: Database;
  let config: DarkroomConfig;

  beforeAll(async () => {
    database = await openMemoryDatabase();
    // The shipped defaults, with no local.yaml (an empty folder) and no environment.
    const loaded = loadConfig({ configDir: path.join(projectRoot, 'test'), env: {}, workingDir: projectRoot, defaultsFile: undefined });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    config = loaded.config;
  });
  afterAll(() => database?.close());

  it('runs a job from the default configuration and tells every subscribed adapter, even when one listener throws', async () => {
    const log: string[] = [];
    const built = createGenerationServices({
      repositories: createRepositories(database, systemClock),
      usage: new PrismaUsageRepository(database.prisma),
      policy: generationPolicyFrom(config),
      queue: inProcessQueue(queueSettingsFrom(config)),
      engine: new FakeImageEngine({ stepMs: 1, nsfwWord: undefined, failWord: undefined, onStep: undefined }),
      store: new MemoryImageStore(),
      models: new StaticModelDirectory(config.engine.defaultModel, [
        { name: config.engine.defaultModel, nativeWidth: 512, nativeHeight: 512, steps: 4, guidance: 8, scheduler: 'lcm' },
      ]),
      logger: pino({ level: 'silent' }),
      now: Date.now,
    });
    built.events.add(recorder('discord', log, 'queued'));
    built.events.add(recorder('slack', log, undefined));
    await built.service.start();
    const outcome = await built.generation.imagine({
      requester: { identity: { platform: 'discord', externalId: '42', displayName: 'ada' }, platformModerator: false },
      place: { workspace: undefined, channelId: 'dm', chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined }, nsfwAllowed: false },
      options: { prompt: 'a quiet harbour', values: {} },
    });
    expect(outcome.ok).toBe(true);
    // The default configuration's policy: 4 images of the default model's native size.
    expect(outcome.ok && [outcome.parameters.count, outcome.parameters.width, outcome.parameters.model]).toEqual([4, 512, config.engine.defaultModel]);
    for (let wait = 0; wait < 200 && !log.includes('slack:finished'); wait++) await new Promise((resolve) => setTimeout(resolve, 10));
    expect(log).toContain('discord:finished');
    expect(log).toContain('slack:queued');
    expect(log).toContain('slack:finished');
    await built.service.stop(AbortSignal.timeout(5_000));
  });

  it('generates generation.imagesPerJob images for a job that names no count (set here from the environment)', async () => {
    const loaded = loadConfig({ configDir: path.join(projectRoot, 'test'), env: { DARKROOM_GENERATION__IMAGES_PER_JOB: '1' }, workingDir: projectRoot, defaultsFile: undefined });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const built = createGenerationServices({
      repositories: createRepositories(database, systemClock),
      usage: new PrismaUsageRepository(database.prisma),
      policy: generationPolicyFrom(loaded.config),
      queue: inProcessQueue(queueSettingsFrom(loaded.config)),
      engine: new FakeImageEngine({ stepMs: 1, nsfwWord: undefined, failWord: undefined, onStep: undefined }),
      store: new MemoryImageStore(),
      models: new StaticModelDirectory(config.engine.defaultModel, [
        { name: config.engine.defaultModel, nativeWidth: 512, nativeHeight: 512, steps: 4, guidance: 8, scheduler: 'lcm' },
      ]),
      logger: pino({ level: 'silent' }),
      now: Date.now,
    });
    let delivered: (images: number, grid: boolean) => void = () => undefined;
    const finished = new Promise<[number, boolean]>((resolve) => (delivered = (images, grid) => resolve([images, grid])));
    built.events.add({ ...recorder('discord', [], undefined), finished: (event) => delivered(event.images.length, event.grid !== undefined) });
    await built.service.start();
    const outcome = await built.generation.imagine({
      requester: { identity: { platform: 'discord', externalId: '43', displayName: 'grace' }, platformModerator: false },
      place: { workspace: undefined, channelId: 'dm', chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined }, nsfwAllowed: false },
      options: { prompt: 'one lighthouse', values: {} },
    });
    expect(outcome.ok && outcome.parameters.count).toBe(1);
    // One picture and no grid, where the shipped default makes four in a 2×2 grid.
    expect(await finished).toEqual([1, false]);
    await built.service.stop(AbortSignal.timeout(5_000));
  });

  it('runs jobs on the queue the caller builds (where another backend plugs in), with that queue’s caps', async () => {
    const built: PQueueGenerationQueue[] = [];
    const services = createGenerationServices({
      repositories: createRepositories(database, systemClock),
      usage: new PrismaUsageRepository(database.prisma),
      policy: generationPolicyFrom(config),
      // The caller's own queue: one waiting job per person, where the configuration allows more.
      queue: ({ now, logger }) => {
        const queue = new PQueueGenerationQueue({ concurrency: 1, perUserQueued: 1, globalQueued: 10, rateLimit: { intervalMs: 60_000, intervalCap: 100 }, initialMsPerStep: 10, now, logger });
        built.push(queue);
        return queue;
      },
      engine: new FakeImageEngine({ stepMs: 1, nsfwWord: undefined, failWord: undefined, onStep: undefined }),
      store: new MemoryImageStore(),
      models: new StaticModelDirectory(config.engine.defaultModel, [
        { name: config.engine.defaultModel, nativeWidth: 512, nativeHeight: 512, steps: 4, guidance: 8, scheduler: 'lcm' },
      ]),
      logger: pino({ level: 'silent' }),
      now: Date.now,
    });
    expect(built).toHaveLength(1);
    expect(services.queue).toBe(built[0]);
    const ask = (prompt: string) =>
      services.generation.imagine({
        requester: { identity: { platform: 'discord', externalId: '44', displayName: 'hedy' }, platformModerator: false },
        place: { workspace: undefined, channelId: 'dm', chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined }, nsfwAllowed: false },
        options: { prompt, values: {} },
      });
    // Before start nothing runs, so the first job waits and fills this person's one place.
    expect((await ask('first lighthouse')).ok).toBe(true);
    const second = await ask('second lighthouse');
    expect(second.ok ? 'accepted' : second.code).toBe('queue_full');
    expect(config.queue.perUserQueued).toBeGreaterThan(1);
  });
});
