/**
 * The real Slack adapter (real @slack/bolt app) wired like the composition root does it, to a
 * real GenerationService on PGlite with the local image store and a real p-queue queue, talking
 * to a {@link FakeSlack} on loopback. Inbound traffic goes through the same door Slack uses:
 * signed HTTP requests in HTTP mode, envelopes on the WebSocket in Socket Mode.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import { chatJobsOf } from '../../../../src/bots/chat-adapter.ts';
import { SlackAdapter } from '../../../../src/bots/slack/index.ts';
import { CommandHandlers } from '../../../../src/commands/index.ts';
import type { SlackConfig } from '../../../../src/config/config.types.ts';
import { createRepositories, openDatabase, openMemoryDatabase, type Database, type Repositories } from '../../../../src/db/index.ts';
import { PrismaUsageRepository } from '../../../../src/db/usage.repository.ts';
import type { ImageEngine } from '../../../../src/generation/engine.types.ts';
import { createGenerationServices, inProcessQueue } from '../../../../src/generation/generation-services.factory.ts';
import type { GenerationPolicy } from '../../../../src/generation/jobs/index.ts';
import { StaticModelDirectory, type ModelProfile } from '../../../../src/generation/requests/index.ts';
import { LocalImageStore } from '../../../../src/storage/index.ts';
import type { ChatApiObserver } from '../../../../src/observability/index.ts';
import { FakeImageEngine } from '../../../support/generation/fake-image-engine.ts';
import {
  blockActionPayload,
  FakeSlack,
  postSigned,
  reactionAddedBody,
  slashCommandFields,
  type BlockActionInput,
  type FakeSlackUser,
  type ReactionInput,
  type SlashCommandInput,
} from '../../../fakes/slack/index.ts';

export const SIGNING_SECRET = 'test-signing-secret-0123456789abcdef';
export const IDENTITY = {
  team: { id: 'T0DARKROOM', name: 'Darkroom Test', domain: 'darkroom-test' },
  bot: { userId: 'U0BOT00001', botId: 'B0BOT00001', appId: 'A0APP00001' },
  botToken: 'xoxb-test-bot-token',
  appToken: 'xapp-test-app-token',
};
export const PEOPLE = {
  alice: { id: 'U0ALICE001', name: 'alice', displayName: 'Alice', isAdmin: false, isOwner: false },
  bob: { id: 'U0BOB00001', name: 'bob', displayName: 'Bob', isAdmin: false, isOwner: false },
  /** A moderator by configuration (a plain member for Slack). */
  mod: { id: 'U0MOD00001', name: 'mod', displayName: 'Mo Derator', isAdmin: false, isOwner: false },
  /** A moderator because Slack says workspace admin. */
  admin: { id: 'U0ADMIN001', name: 'admin', displayName: 'Ada Admin', isAdmin: true, isOwner: false },
} satisfies Record<string, FakeSlackUser>;
export const CHANNELS = { general: 'C0GENERAL1', nsfw: 'C0NSFWCHAN', closed: 'C0CLOSED01' };

export const FAKE_MODELS: ModelProfile[] = [{ name: 'fake-photo', nativeWidth: 256, nativeHeight: 256, steps: 4, guidance: 5, scheduler: 'euler' }];

export interface SlackHarnessOptions {
  mode: 'http' | 'socket';
  /** Share a fake across a restart; default a new one. */
  fake: FakeSlack | undefined;
  /** A data folder for a file-backed database and image store (restart tests); default in memory + temp. */
  dataDir: string | undefined;
  engine: ImageEngine | undefined;
  models: ModelProfile[];
  policy: Partial<GenerationPolicy>;
  socketPingTimeoutMs: number | undefined;
  /** Collect the JSON log lines (level info and up) in `harness.logLines`. */
  captureLogs: boolean;
  /** Told about the Web API's error answers (metrics tests); undefined = nobody. */
  apiObserver: ChatApiObserver | undefined;
}

export function testPolicy(): GenerationPolicy {
  return {
    limits: { default: { maxSteps: 50, maxPixels: 1024 * 1024, maxCount: 4, allowedModels: [] }, roles: {}, workspaces: {} },
    quotas: { default: { perHour: null, perDay: null }, roles: {} },
    blockedTerms: ['forbiddenword'],
    nsfw: 'blur',
    previews: false,
    defaultCount: 1,
    progressIntervalMs: 0,
  };
}

export type SlackHarness = Awaited<ReturnType<typeof startSlackHarness>>;

export async function startSlackHarness(overrides: Partial<SlackHarnessOptions> = {}) {
  const options: SlackHarnessOptions = {
    mode: 'http',
    fake: undefined,
    dataDir: undefined,
    engine: undefined,
    models: FAKE_MODELS,
    policy: {},
    socketPingTimeoutMs: undefined,
    captureLogs: false,
    apiObserver: undefined,
    ...overrides,
  };
  const fake = options.fake ?? (await FakeSlack.start({ identity: IDENTITY, users: Object.values(PEOPLE) }));
  fake.workspace.channelsWithoutBot.add(CHANNELS.closed);
  const ownDir = options.dataDir === undefined ? await mkdtemp(path.join(tmpdir(), 'darkroom-slack-')) : undefined;
  const dataDir = options.dataDir ?? (ownDir as string);
  const database: Database = options.dataDir === undefined ? await openMemoryDatabase() : await openDatabase({ url: undefined, dataDir, logger: undefined });
  await database.migrate();
  const repositories: Repositories = createRepositories(database, () => new Date());
  const logLines: Array<Record<string, unknown>> = [];
  const logger = options.captureLogs
    ? pino({ level: 'info' }, { write: (line: string) => void logLines.push(JSON.parse(line) as Record<string, unknown>) })
    : pino({ level: process.env['SLACK_TEST_LOG'] ?? 'silent' });
  const engine = options.engine ?? new FakeImageEngine({ stepMs: 5, nsfwWord: 'nsfwword', failWord: 'explode', onStep: undefined });
  const policy = { ...testPolicy(), ...options.policy };
  const store = new LocalImageStore(path.join(dataDir, 'images'));
  const defaultModel = options.models[0]?.name ?? 'none';
  // One wiring with the composition root; the adapter, built after the service, joins `events`.
  const { generation, moderation, events } = createGenerationServices({
    repositories,
    usage: new PrismaUsageRepository(database.prisma),
    policy,
    queue: inProcessQueue({ concurrency: 1, perUserQueued: 20, globalQueued: 500, rateLimit: { intervalMs: 60_000, intervalCap: 10_000 }, initialMsPerStep: 50 }),
    engine,
    store,
    models: new StaticModelDirectory(defaultModel, options.models),
    logger,
    now: Date.now,
    policyCache: { ttlMs: 30_000, maxEntries: 1_000 },
  });
  const config: SlackConfig = {
    enabled: true,
    mode: options.mode,
    botToken: IDENTITY.botToken,
    signingSecret: SIGNING_SECRET,
    appToken: options.mode === 'socket' ? IDENTITY.appToken : undefined,
    port: 0,
    apiUrl: fake.apiUrl,
  };
  const adapter = new SlackAdapter({
    config,
    moderatorUserIds: [PEOPLE.mod.id],
    nsfwChannels: [CHANNELS.nsfw],
    commands: new CommandHandlers({ generation, moderation, now: Date.now }),
    jobs: chatJobsOf(generation),
    logger,
    listenHost: '127.0.0.1',
    socketPingTimeoutMs: options.socketPingTimeoutMs,
    now: Date.now,
    apiObserver: options.apiObserver,
  });
  events.add(adapter.events);
  // Composition order: the service (and its restart recovery) first, the adapter last.
  await generation.start();
  await adapter.start();
  if (options.mode === 'socket') await fake.socketMode.connected();

  const endpoint = () => `http://127.0.0.1:${adapter.httpPort}/slack/events`;
  /** Delivers an inbound payload the way the mode does; resolves with the HTTP status or 200 for an envelope ack. */
  async function deliver(kind: 'slash_commands' | 'interactive' | 'events_api', payload: Record<string, unknown>, retry: number | undefined) {
    if (options.mode === 'socket') {
      const ack = await fake.socketMode.send(kind, payload, { retryAttempt: retry });
      return { status: 200, elapsedMs: ack.ackMs };
    }
    const body =
      kind === 'slash_commands'
        ? { kind: 'form' as const, fields: payload as Record<string, string> }
        : kind === 'interactive'
          ? { kind: 'interactive' as const, payload }
          : { kind: 'event' as const, body: payload };
    const result = await postSigned(endpoint(), body, { signingSecret: SIGNING_SECRET, retryNum: retry });
    return { status: result.status, elapsedMs: result.elapsedMs };
  }

  return {
    fake,
    adapter,
    generation,
    moderation,
    repositories,
    database,
    engine,
    store,
    dataDir,
    logLines,
    endpoint,
    deliver,
    slash: (input: SlashCommandInput, retry?: number) => deliver('slash_commands', slashCommandFields(fake, input), retry),
    press: (input: BlockActionInput) => deliver('interactive', blockActionPayload(fake, input), undefined),
    react: (input: ReactionInput, retry?: number) => deliver('events_api', reactionAddedBody(fake, input), retry),
    /** Stops adapter, service and database (running jobs get `graceMs`); the fake stays up unless `closeFake`. */
    async stop(closeFake: boolean, graceMs = 5_000) {
      const deadline = AbortSignal.timeout(graceMs);
      // The order of src/main.ts: the adapter stops taking requests, the service finishes or
      // aborts its jobs, then the adapter's disconnect waits for those jobs' Slack updates before the
      // database closes.
      await adapter.stopTakingWork(deadline);
      await generation.stop(deadline);
      await adapter.disconnect(AbortSignal.timeout(graceMs));
      await database.close();
      if (closeFake) await fake.close();
      if (ownDir !== undefined) await rm(ownDir, { recursive: true, force: true });
    },
  };
}
