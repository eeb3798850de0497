/**
 * The health and metrics server as an operator's probes and Prometheus see it: the real HTTP
 * server on an ephemeral port, a real PGlite database behind `/readyz`, and the real generation
 * service (fake engine) feeding `/metrics` through its lifecycle events.
 */
import path from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CommandHandlers, promptOnly } from '../../../src/commands/index.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { pingDatabase } from '../../../src/db/database-ping.ts';
import { openMemoryDatabase, type Database } from '../../../src/db/index.ts';
import { StaticModelDirectory, type RequestFrom } from '../../../src/generation/requests/index.ts';
import { createGenerationServices, generationPolicyFrom, inProcessQueue, queueSettingsFrom } from '../../../src/generation/generation-services.factory.ts';
import { createRepositories } from '../../../src/db/repositories.ts';
import { PrismaUsageRepository } from '../../../src/db/usage.repository.ts';
import { systemClock } from '../../../src/db/domain.types.ts';
import { HealthServer, Observability } from '../../../src/observability/index.ts';
import { FakeImageEngine } from '../../support/generation/fake-image-engine.ts';
import { MemoryImageStore } from '../../support/generation/memory-image.store.ts';
import { projectRoot } from '../../support/shared-dir.ts';
import { parsePrometheusText, sampleValue } from './prometheus-text.ts';

const silent = pino({ level: 'silent' });
const from: RequestFrom = {
  requester: { identity: { platform: 'discord', externalId: '42', displayName: 'ada' }, platformModerator: false },
  place: { workspace: undefined, channelId: 'dm', chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined }, nsfwAllowed: false },
};

describe('health and metrics server', () => {
  let database: Database;
  let server: HealthServer;
  let base: string;
  let observability: Observability;
  let built: ReturnType<typeof createGenerationServices>;
  let discordConnected = true;

  beforeAll(async () => {
    database = await openMemoryDatabase();
    const loaded = loadConfig({ configDir: path.join(projectRoot, 'test'), env: {}, workingDir: projectRoot, defaultsFile: undefined });
    if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
    const config = loaded.config;
    observability = new Observability({ config: config.metrics, logger: silent, now: Date.now });
    built = createGenerationServices({
      repositories: createRepositories(database, systemClock),
      usage: new PrismaUsageRepository(database.prisma),
      policy: generationPolicyFrom(config),
      queue: inProcessQueue(queueSettingsFrom(config)),
      engine: observability.meter(new FakeImageEngine({ stepMs: 1, nsfwWord: undefined, failWord: undefined, onStep: undefined })),
      store: new MemoryImageStore(),
      models: new StaticModelDirectory(config.engine.defaultModel, [
        { name: config.engine.defaultModel, nativeWidth: 512, nativeHeight: 512, steps: 4, guidance: 8, scheduler: 'lcm' },
      ]),
      logger: silent,
      now: Date.now,
    });
    built.events.add(observability.jobMetrics);
    built.events.add(observability.activity);
    observability.metrics.watchQueue(built.queue);
    observability.checks.push(
      { name: 'database', check: async () => void (await pingDatabase(database)) },
      observability.engineCheck,
      { name: 'discord', check: () => (discordConnected ? undefined : 'not connected to the Discord gateway') },
    );
    await built.service.start();
    server = new HealthServer({ metrics: observability.metrics, checks: observability.checks, logger: silent, readinessTimeoutMs: 5_000 });
    base = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}`;
  });
  afterAll(async () => {
    await server?.close();
    await built?.service.stop(AbortSignal.timeout(5_000));
    await database?.close().catch(() => undefined);
  });

  it('/healthz answers 200 while the process lives', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ alive: true });
  });

  it('/readyz is 503 naming the engine until a model has loaded, and names a disconnected chat platform', async () => {
    const before = await fetch(`${base}/readyz`);
    expect(before.status).toBe(503);
    const body = (await before.json()) as { ready: boolean; checks: Record<string, string> };
    expect(body.ready).toBe(false);
    expect(body.checks['database']).toBe('ok');
    expect(body.checks['engine']).toMatch(/has not loaded/);

    observability.pipelineLoaded('lcm-dreamshaper-v7', 2_500);
    const after = await fetch(`${base}/readyz`);
    expect(after.status).toBe(200);
    expect(await after.json()).toEqual({ ready: true, checks: { database: 'ok', engine: 'ok', discord: 'ok' } });

    discordConnected = false;
    const offline = await fetch(`${base}/readyz`);
    discordConnected = true;
    expect(offline.status).toBe(503);
    expect(((await offline.json()) as { checks: Record<string, string> }).checks['discord']).toBe('not connected to the Discord gateway');
  });

  it('/metrics is valid Prometheus text whose job, step, refusal and model-load figures move after a job', async () => {
    const empty = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    expect(sampleValue(empty, 'darkroom_jobs_total', { status: 'succeeded', kind: 'imagine' })).toBeUndefined();
    expect(sampleValue(empty, 'darkroom_process_resident_memory_bytes', {})).toBeGreaterThan(0);

    const handlers = new CommandHandlers({ generation: built.generation, moderation: built.moderation, now: Date.now, refusals: observability.refusals });
    const finished = new Promise<void>((resolve) => built.events.add({ ...observability.activity, finished: () => resolve() }));
    const accepted = await handlers.handle({ name: 'imagine', options: promptOnly('a quiet harbour') }, from);
    expect(accepted.refusal).toBeUndefined();
    const refused = await handlers.handle({ name: 'imagine', options: promptOnly('a quiet harbour --bogus 3') }, from);
    expect(refused.refusal?.code).toBe('invalid_option');
    await finished;

    const response = await fetch(`${base}/metrics`);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const samples = parsePrometheusText(await response.text());
    expect(sampleValue(samples, 'darkroom_jobs_total', { status: 'queued', kind: 'imagine' })).toBe(1);
    expect(sampleValue(samples, 'darkroom_jobs_total', { status: 'started', kind: 'imagine' })).toBe(1);
    expect(sampleValue(samples, 'darkroom_jobs_total', { status: 'succeeded', kind: 'imagine' })).toBe(1);
    expect(sampleValue(samples, 'darkroom_queue_wait_seconds_count', {})).toBe(1);
    // The default model's 4 steps, each timed by the engine.
    expect(sampleValue(samples, 'darkroom_step_seconds_count', {})).toBe(4);
    expect(sampleValue(samples, 'darkroom_image_seconds_count', { operation: 'generate' })).toBe(1);
    expect(sampleValue(samples, 'darkroom_refusals_total', { code: 'invalid_option', stage: 'request' })).toBe(1);
    expect(sampleValue(samples, 'darkroom_model_load_seconds_count', {})).toBe(1);
    expect(sampleValue(samples, 'darkroom_model_load_seconds_sum', {})).toBe(2.5);
    expect(sampleValue(samples, 'darkroom_queue_jobs', { state: 'waiting' })).toBe(0);
  });

  it('chat API errors and 429s are counted per platform', async () => {
    observability.chatObserver('discord').apiError(429);
    observability.chatObserver('discord').apiError(500);
    observability.chatObserver('slack').apiError('ratelimited');
    observability.chatObserver('slack').apiError('channel_not_found');
    const samples = parsePrometheusText(await (await fetch(`${base}/metrics`)).text());
    expect(sampleValue(samples, 'darkroom_chat_api_errors_total', { platform: 'discord', status: '429' })).toBe(1);
    expect(sampleValue(samples, 'darkroom_chat_api_errors_total', { platform: 'discord', status: '500' })).toBe(1);
    expect(sampleValue(samples, 'darkroom_chat_rate_limited_total', { platform: 'discord' })).toBe(1);
    expect(sampleValue(samples, 'darkroom_chat_api_errors_total', { platform: 'slack', status: 'channel_not_found' })).toBe(1);
    expect(sampleValue(samples, 'darkroom_chat_rate_limited_total', { platform: 'slack' })).toBe(1);
  });

  it('/readyz goes unready (503, naming the database) once the database is closed', async () => {
    await database.close();
    const response = await fetch(`${base}/readyz`);
    expect(response.status).toBe(503);
    const body = (await response.json()) as { ready: boolean; checks: Record<string, string> };
    expect(body.ready).toBe(false);
    expect(body.checks['database']).not.toBe('ok');
    expect(body.checks['engine']).toBe('ok');
    // Still alive: a liveness probe must not restart a process whose database is away.
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });
});
