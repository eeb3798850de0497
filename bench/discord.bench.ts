/**
 * Discord adapter benchmark (`npm run bench -- discord`): the real adapter and discord.js client
 * against the fake Discord with Discord-like rate limits enforced, the real service on in-memory
 * PGlite, and a fake engine (fixed step time, progress every 200 ms: faster than production, to
 * press on the edit limits).
 * - 100 /imagine interactions from 20 people within one second: time from dispatch to the
 *   interaction callback (Discord wants it within 3 s), p50/p99/max;
 * - every job to its result, then two 8-second jobs with a progress event every 200 ms: 429s
 *   answered by the rate-limiting fake (target 0), the most edits any one message got within a
 *   5-second window (Discord allows about 5), progress edits sent versus progress events, spec
 *   violations. The fake shares this process, so its work counts against the adapter's.
 * Prints one JSON object on stdout; progress goes to stderr.
 */
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pino } from 'pino';
import { DISCORD_LIKE_RULES, SCENE, defaultScene, type FakeInteraction, type FakeUser } from '../test/fakes/discord/index.ts';
import { DiscordHarness, fakeEngine } from '../test/integration/discord/support/discord-harness.ts';

const PEOPLE = 20;
const INTERACTIONS = 100;
const SPREAD_MS = 1_000;
const STEPS = 16;
const STEP_MS = 40;
const ACK_LIMIT_MS = 3_000;
const LONG_JOBS = 2;
const LONG_STEPS = 200;
const WINDOW_MS = 5_000;

const round = (value: number, digits = 1): number => Number(value.toFixed(digits));

function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

/** The most timestamps inside any window of `windowMs`. */
function busiestWindow(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  let start = 0;
  for (let end = 0; end < sorted.length; end++) {
    while ((sorted[end] ?? 0) - (sorted[start] ?? 0) >= windowMs) start++;
    best = Math.max(best, end - start + 1);
  }
  return best;
}

const log = (text: string) => process.stderr.write(`discord bench: ${text}\n`);

async function main(): Promise<void> {
  const people: FakeUser[] = Array.from({ length: PEOPLE }, (_, n) => ({ id: `3100000000000000${String(n).padStart(2, '0')}`, username: `person${n}`, bot: false }));
  const harness = await DiscordHarness.start({
    engine: fakeEngine(STEP_MS),
    fake: { rateLimits: DISCORD_LIKE_RULES, scene: defaultScene(people) },
    policy: { progressIntervalMs: 200, limits: { default: { maxSteps: LONG_STEPS, maxPixels: 1024 * 1024, maxCount: 4, allowedModels: [] }, roles: {}, workspaces: {} } },
    logger: pino({ level: 'silent' }),
  });
  const { fake } = harness;
  try {
    // One warm-up request, so the first measured one does not pay for JIT and connection set-up.
    const warm = fake.slash('imagine', { prompt: 'warm up', steps: 1 }, { user: SCENE.alice });
    await fake.original(warm, (message) => message.embeds.length > 0, 'the warm-up result');
    const before = { requests: fake.world.requests.length, hits: fake.world.rateLimitHits.length };

    log(`${INTERACTIONS} /imagine from ${PEOPLE} people within ${SPREAD_MS} ms`);
    // Event-loop delay in the burst (the fake Discord shares this process and its event loop).
    const loopDelay = monitorEventLoopDelay({ resolution: 5 });
    loopDelay.enable();
    const started = performance.now();
    const sent: FakeInteraction[] = [];
    for (let n = 0; n < INTERACTIONS; n++) {
      const due = started + (n * SPREAD_MS) / INTERACTIONS;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      sent.push(fake.slash('imagine', { prompt: `benchmark photo ${n}`, steps: STEPS, count: 1 }, { user: people[n % PEOPLE] as FakeUser }));
    }
    const dispatchMs = performance.now() - started;
    // Every interaction answered (a callback later than 3 s is refused by the fake, as by Discord).
    await fake.waitFor('a callback for every interaction', () => (sent.every((interaction) => interaction.callbackAt !== undefined) ? true : undefined), 120_000);
    loopDelay.disable();
    const acks = sent.map((interaction) => (interaction.callbackAt ?? 0) - interaction.dispatchedAt);
    const acknowledged = sent.filter((interaction) => interaction.ackedAt !== undefined);
    log(`acknowledged ${acknowledged.length}: p50 ${round(quantile(acks, 0.5))} ms, p99 ${round(quantile(acks, 0.99))} ms`);

    // Every accepted job to its end: a result, or a failure the person is told about.
    const ended = (content: string, embeds: number) => embeds > 0 || /: (failed|cancelled)/.test(content);
    const results = await fake.waitFor(
      'every job to end',
      () => {
        const messages = acknowledged.map((interaction) => fake.world.messages.get(interaction.originalMessageId ?? ''));
        return messages.every((message) => message !== undefined && ended(message.content, message.embeds.length)) ? messages : undefined;
      },
      600_000,
    );
    const allDoneMs = performance.now() - started;

    // Long jobs: a progress event every 200 ms for 8 s each, two messages in the same channel.
    log(`${LONG_JOBS} long jobs (${LONG_STEPS} steps) for the progress edits`);
    const long = Array.from({ length: LONG_JOBS }, (_, n) => fake.slash('imagine', { prompt: `long exposure ${n}`, steps: LONG_STEPS, count: 1 }, { user: people[n] as FakeUser }));
    const longResults = await fake.waitFor(
      'the long jobs to end',
      () => {
        const messages = long.map((interaction) => fake.world.messages.get(interaction.originalMessageId ?? ''));
        return messages.every((message) => message !== undefined && ended(message.content, message.embeds.length)) ? messages : undefined;
      },
      300_000,
    );
    const longRevisions = longResults.map((message) => message?.revisions ?? []);
    const revisions = results.map((message) => message?.revisions ?? []);
    const editsPerMessage = revisions.map((list) => list.length - 1);
    const progressEdits = revisions.flat().filter((revision) => / step \d+\/\d+/.test(revision.content)).length;
    const figures = {
      interactions: INTERACTIONS,
      people: PEOPLE,
      dispatchMs: round(dispatchMs),
      ackP50Ms: round(quantile(acks, 0.5)),
      ackP99Ms: round(quantile(acks, 0.99)),
      ackMaxMs: round(Math.max(...acks)),
      acknowledged: acknowledged.length,
      allAckedWithin3s: acknowledged.length === INTERACTIONS && acks.every((ms) => ms < ACK_LIMIT_MS),
      results: results.filter((message) => (message?.embeds.length ?? 0) > 0).length,
      burstLoopDelayP99Ms: round(loopDelay.percentile(99) / 1e6),
      loadAverage1m: round(os.loadavg()[0] ?? 0, 2),
      allResultsMs: Math.round(allDoneMs),
      rateLimited429s: fake.world.rateLimitHits.length - before.hits,
      // The first revision is the deferral (an interaction callback, not an edit).
      maxEditsPerMessageIn5s: Math.max(...revisions.map((list) => busiestWindow(list.slice(1).map((revision) => revision.at), WINDOW_MS))),
      editsPerMessageMean: round(editsPerMessage.reduce((total, count) => total + count, 0) / editsPerMessage.length, 2),
      progressEditsSent: progressEdits,
      longJobs: LONG_JOBS,
      // A progress event every 200 ms per job: what the adapter could have sent.
      longJobProgressEvents: Math.floor((LONG_STEPS * STEP_MS) / 200) * LONG_JOBS,
      longJobProgressEditsSent: longRevisions.flat().filter((revision) => / step \d+\/\d+/.test(revision.content)).length,
      longJobMaxEditsIn5s: Math.max(...longRevisions.map((list) => busiestWindow(list.slice(1).map((revision) => revision.at), WINDOW_MS))),
      requests: fake.world.requests.length - before.requests,
      specViolations: fake.world.violations.length,
      unhandledRoutes: fake.world.unhandled.length,
    };
    process.stdout.write(`${JSON.stringify(figures)}\n`);
  } finally {
    await harness.close();
  }
}

await main();
