/**
 * `darkroom start` when a chat platform cannot be used: a token the platform refuses stops
 * start-up at once with the fix (no retry); a platform that cannot be reached is retried
 * `startup.chatConnectAttempts` times, then start-up stops with a plain sentence, never a
 * `getaddrinfo ENOTFOUND` alone. The real command as a child process, against the fake Discord
 * and fake Slack on loopback and a closed port.
 */
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISCORD_TOKEN_REFUSED } from '../../../src/bots/discord/start-failure.ts';
import { startFakeDiscord, type FakeDiscord } from '../../fakes/discord/index.ts';
import { FakeSlack } from '../../fakes/slack/index.ts';
import { IDENTITY, PEOPLE } from '../slack/support/slack-harness.ts';
import { type DarkroomSandbox, type Finished, placeholderSandbox, runDarkroom, startDarkroomProcess } from './darkroom-process.ts';

const SLOW = 240_000;

let discord: FakeDiscord;
let slack: FakeSlack;
/** A loopback port nothing listens on. */
let closedPort: number;
const roots: string[] = [];

beforeAll(async () => {
  discord = await startFakeDiscord();
  slack = await FakeSlack.start({ identity: IDENTITY, users: Object.values(PEOPLE) });
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  closedPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
});
afterAll(async () => {
  await discord?.close();
  await slack?.close();
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

/**
 * A folder where start finds a (placeholder) default model, so only the chat platform decides;
 * already migrated (these tests are about the chat platform, not a first start), and no pause
 * between attempts: the count matters here, not the clock.
 */
function sandbox(env: Record<string, string>): DarkroomSandbox {
  const box = placeholderSandbox('chatstart', { migrated: true, engine: ['  executionProvider: cpu'] }, { DARKROOM_STARTUP__CHAT_RETRY_DELAY_SECONDS: '0', ...env });
  roots.push(box.root);
  return box;
}

const retries = (finished: Finished): number => finished.stdout.split('\n').filter((line) => line.includes('"msg":"chat.connect_retry"')).length;

/** Exit 1, and the last thing on stderr is the one sentence (no stack, no bare error code). */
function expectStoppedWith(finished: Finished, sentence: string | RegExp): void {
  expect(finished.code, finished.stderr).toBe(1);
  const lines = finished.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  if (typeof sentence === 'string') expect(lines[0]).toBe(sentence);
  else expect(lines[0]).toMatch(sentence);
  expect(finished.stdout).not.toContain('darkroom.ready');
}

describe('darkroom start when a chat platform cannot be used', () => {
  it(
    'Discord refuses the token: one login attempt, the fix in one sentence, exit 1',
    async () => {
      const before = discord.world.requests.filter((request) => request.path.endsWith('/gateway/bot')).length;
      const run = sandbox({ DISCORD_TOKEN: 'not-the-token', DISCORD_API_URL: discord.apiUrl, DARKROOM_STARTUP__CHAT_CONNECT_ATTEMPTS: '4' });
      const finished = await runDarkroom(['start'], run.cwd, run.env);
      expectStoppedWith(finished, DISCORD_TOKEN_REFUSED);
      expect(retries(finished)).toBe(0);
      expect(discord.world.requests.filter((request) => request.path.endsWith('/gateway/bot')).length - before).toBe(1);
    },
    SLOW,
  );

  it(
    'Discord cannot be reached: retried the configured number of times, then a plain sentence, exit 1',
    async () => {
      const apiUrl = `http://127.0.0.1:${closedPort}/api`;
      const run = sandbox({ DISCORD_TOKEN: 'any-token', DISCORD_API_URL: apiUrl, DARKROOM_STARTUP__CHAT_CONNECT_ATTEMPTS: '3' });
      const finished = await runDarkroom(['start'], run.cwd, run.env);
      expectStoppedWith(
        finished,
        `Cannot reach Discord at ${apiUrl} (ECONNREFUSED; tried 3 times): check this machine's network connection, DNS and proxy settings, then start again.`,
      );
      expect(retries(finished)).toBe(2);
    },
    SLOW,
  );

  it(
    'Discord down for a moment (503 on gateway discovery, past discord.js\'s own retries): the next attempt connects and the bot serves',
    async () => {
      const gatewayRequests = (): number => discord.world.requests.filter((request) => request.path.endsWith('/gateway/bot')).length;
      const before = gatewayRequests();
      // More 503s than discord.js's REST client retries by itself, so its login fails once.
      discord.world.faults.push({ when: (request) => request.method === 'GET' && request.path.endsWith('/gateway/bot'), status: 503, code: 0, message: 'upstream unavailable', times: 4 });
      const run = sandbox({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, DARKROOM_STARTUP__CHAT_CONNECT_ATTEMPTS: '3' });
      const darkroom = startDarkroomProcess(['start'], run.cwd, run.env);
      await darkroom.waitForStdout('darkroom.ready');
      darkroom.child.kill('SIGTERM');
      const finished = await darkroom.finished;
      expect(finished.code, finished.stderr).toBe(0);
      expect(retries(finished)).toBe(1);
      expect(gatewayRequests() - before).toBeGreaterThan(4);
      // And it exits: a retried discord.js login used to leave its gateway manager running.
      expect(finished.stdout).toContain('shutdown.finished');
    },
    SLOW,
  );

  it(
    'Slack refuses the bot token: no retry, the fix in one sentence, exit 1',
    async () => {
      const before = slack.callsOf('auth.test').length;
      const run = sandbox({
        SLACK_BOT_TOKEN: 'xoxb-revoked',
        SLACK_SIGNING_SECRET: 'secret',
        SLACK_API_URL: slack.apiUrl,
        DARKROOM_STARTUP__CHAT_CONNECT_ATTEMPTS: '4',
      });
      const finished = await runDarkroom(['start'], run.cwd, run.env);
      expectStoppedWith(finished, /^Slack refused a token \(invalid_auth\): check SLACK_BOT_TOKEN \(OAuth & Permissions → Bot User OAuth Token, xoxb-…\), then start again\.$/);
      expect(retries(finished)).toBe(0);
      expect(slack.callsOf('auth.test').length - before).toBe(1);
    },
    SLOW,
  );

  it(
    'Slack cannot be reached: a plain sentence naming Slack, exit 1',
    async () => {
      const apiUrl = `http://127.0.0.1:${closedPort}/api/`;
      const run = sandbox({ SLACK_BOT_TOKEN: 'xoxb-any', SLACK_SIGNING_SECRET: 'secret', SLACK_API_URL: apiUrl, DARKROOM_STARTUP__CHAT_CONNECT_ATTEMPTS: '1' });
      const finished = await runDarkroom(['start'], run.cwd, run.env);
      expectStoppedWith(finished, /^Cannot reach Slack at http:\/\/127\.0\.0\.1:\d+\/api\/ \(.+; tried once\): check this machine's network connection/);
    },
    SLOW,
  );
});
