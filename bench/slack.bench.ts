/**
 * Slack adapter benchmark (`npm run bench -- slack`): 100 /imagine slash commands from 20
 * people spread over one second, against the real Bolt app, the real service on in-memory
 * PGlite and a fake engine, through the fake Slack on loopback, once over signed HTTP and once
 * over Socket Mode. Slack wants every ack within 3 s: reports ack p50/p99/max, and how long
 * until each command's status message was posted in the channel. The fake Slack and the load
 * generator run in the bot's own process and event loop, so the figures are upper bounds of
 * what Slack would measure.
 * Prints one JSON object on stdout; progress goes to stderr.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { FakeImageEngine } from '../test/support/generation/fake-image-engine.ts';
import { slashCommandFields } from '../test/fakes/slack/index.ts';
import { CHANNELS, startSlackHarness } from '../test/integration/slack/support/slack-harness.ts';

const COMMANDS = 100;
const PEOPLE = 20;
const SPREAD_MS = 1_000;
const ACK_LIMIT_MS = 3_000;

const round = (value: number): number => Number(value.toFixed(1));
const log = (text: string): void => void process.stderr.write(`${text}\n`);

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

function stats(values: readonly number[]) {
  return { p50Ms: round(percentile(values, 50)), p99Ms: round(percentile(values, 99)), maxMs: round(Math.max(...values)) };
}

async function run(mode: 'http' | 'socket') {
  const engine = new FakeImageEngine({ stepMs: 2, nsfwWord: undefined, failWord: undefined, onStep: undefined });
  const harness = await startSlackHarness({ mode, engine });
  const people = Array.from({ length: PEOPLE }, (_, n) => {
    const id = `U0BENCH${String(n).padStart(3, '0')}`;
    harness.fake.workspace.users.set(id, { id, name: `bench${n}`, displayName: `Bench ${n}`, isAdmin: false, isOwner: false });
    return id;
  });
  // One warm-up command (JIT, first auth and database paths), not measured.
  await harness.slash({ command: '/imagine', text: 'warm-up --count 1 --steps 1', user: people[0]!, channel: CHANNELS.general });
  await sleep(500);
  const postsBefore = harness.fake.callsOf('chat.postMessage').length;

  const sentAt = new Map<string, number>();
  const started = performance.now();
  const acks = await Promise.all(
    Array.from({ length: COMMANDS }, async (_, n) => {
      await sleep((n * SPREAD_MS) / COMMANDS);
      const prompt = `bench prompt ${n} --count 1 --steps 2`;
      sentAt.set(prompt.split(' --')[0]!, performance.now());
      const fields = slashCommandFields(harness.fake, { command: '/imagine', text: prompt, user: people[n % PEOPLE]!, channel: CHANNELS.general });
      const ack = await harness.deliver('slash_commands', fields, undefined);
      if (ack.status !== 200) throw new Error(`command ${n} answered ${ack.status}`);
      return ack.elapsedMs;
    }),
  );
  const sendMs = performance.now() - started;
  log(`  ${mode}: ${COMMANDS} commands acknowledged`);

  // Time from each command to its status message in the channel.
  const posted = await (async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const calls = harness.fake.callsOf('chat.postMessage').slice(postsBefore).filter((call) => call.ok);
      if (calls.length >= COMMANDS || Date.now() > deadline) return calls;
      await sleep(20);
    }
  })();
  const toStatus = posted
    .map((call) => {
      const prompt = /^\*(bench prompt \d+)\*/.exec(call.params['text'] ?? '')?.[1];
      const sent = prompt === undefined ? undefined : sentAt.get(prompt);
      return sent === undefined ? undefined : call.at - (performance.timeOrigin + sent);
    })
    .filter((value): value is number => value !== undefined);
  const refusals = harness.fake.workspace.ephemerals.length;
  log(`  ${mode}: ${posted.length} status messages posted; stopping`);
  await harness.stop(true, 10_000);
  return {
    ack: stats(acks),
    allAcksUnder3s: acks.every((ms) => ms < ACK_LIMIT_MS),
    sendWindowMs: round(sendMs),
    statusMessagesPosted: posted.length,
    commandToStatusMessage: toStatus.length > 0 ? stats(toStatus) : undefined,
    refusals,
  };
}

log(`slack bench: ${COMMANDS} /imagine from ${PEOPLE} people over ${SPREAD_MS} ms, HTTP mode`);
const http = await run('http');
log(`slack bench: the same over Socket Mode`);
const socket = await run('socket');
process.stdout.write(`${JSON.stringify({ commands: COMMANDS, people: PEOPLE, spreadMs: SPREAD_MS, ackLimitMs: ACK_LIMIT_MS, http, socket })}\n`);
