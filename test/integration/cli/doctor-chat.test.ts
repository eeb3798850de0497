/**
 * `darkroom doctor` on the chat platforms: which tokens are set, the Slack mode, and whether
 * Discord and Slack accept the tokens — asked of the fake Discord and fake Slack on loopback,
 * each call bounded so a silent server cannot hang doctor.
 */
import { rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkDiscordToken, checkSlackTokens, type ChatCheckOptions } from '../../../src/lifecycle/chat-token-check.ts';
import { SCENE, startFakeDiscord, type FakeDiscord } from '../../fakes/discord/index.ts';
import { FakeSlack } from '../../fakes/slack/index.ts';
import { IDENTITY, PEOPLE } from '../slack/support/slack-harness.ts';
import { type DarkroomSandbox, placeholderSandbox, runDarkroom } from './darkroom-process.ts';

const SLOW = 240_000;
const online: ChatCheckOptions = { online: true, timeoutMs: 60_000, fetch: globalThis.fetch };

let discord: FakeDiscord;
let slack: FakeSlack;
let silent: Server;
const silentSockets: Socket[] = [];
const roots: string[] = [];

beforeAll(async () => {
  discord = await startFakeDiscord();
  slack = await FakeSlack.start({ identity: IDENTITY, users: Object.values(PEOPLE) });
  // Accepts connections and never answers.
  silent = createServer((socket) => silentSockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await discord?.close();
  await slack?.close();
  for (const socket of silentSockets) socket.destroy();
  await new Promise<void>((resolve) => silent.close(() => resolve()));
  for (const root of roots) rmSync(root, { recursive: true, force: true });
});

const silentUrl = (): string => `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;

describe('token checks against the fake platforms', () => {
  it('Discord: names the bot for a good token, says refused for a wrong one', async () => {
    expect(await checkDiscordToken({ token: discord.token, apiUrl: discord.apiUrl }, online)).toEqual({
      accepted: true,
      text: `token accepted (bot ${SCENE.bot.username}, id ${SCENE.bot.id})`,
    });
    const wrong = await checkDiscordToken({ token: 'not-the-token', apiUrl: discord.apiUrl }, online);
    expect(wrong.accepted).toBe(false);
    expect(wrong.text).toMatch(/^token refused by Discord \(HTTP 401\): reset it/);
  });

  it('Slack: checks the bot token, and the app token in Socket Mode only', async () => {
    const socket = { mode: 'socket' as const, botToken: IDENTITY.botToken, appToken: IDENTITY.appToken, apiUrl: slack.apiUrl };
    expect(await checkSlackTokens(socket, online)).toEqual([
      { accepted: true, text: `bot token accepted (@darkroom in ${IDENTITY.team.name})` },
      { accepted: true, text: 'app token accepted (Socket Mode can connect)' },
    ]);
    expect(await checkSlackTokens({ ...socket, appToken: 'xapp-wrong' }, online)).toContainEqual({ accepted: false, text: 'app token refused by Slack (invalid_auth)' });
    expect(await checkSlackTokens({ ...socket, mode: 'http', appToken: undefined }, online)).toHaveLength(1);
  });

  it('gives no verdict, in words, when the platform does not answer in time or cannot be reached', async () => {
    const quick = { ...online, timeoutMs: 300 };
    expect(await checkDiscordToken({ token: 'x', apiUrl: `${silentUrl()}/api` }, quick)).toEqual({
      accepted: undefined,
      text: `token not checked: no answer from ${silentUrl()} within 0.3 s`,
    });
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const [bot] = await checkSlackTokens({ mode: 'http', botToken: 'xoxb-x', appToken: undefined, apiUrl: `http://127.0.0.1:${port}/api/` }, quick);
    expect(bot).toEqual({ accepted: undefined, text: `bot token not checked: cannot reach http://127.0.0.1:${port} (ECONNREFUSED)` });
  });
});

/** A folder where doctor finds a (placeholder) default model, so only the chat part decides; already migrated. */
function sandbox(env: Record<string, string>): DarkroomSandbox {
  const box = placeholderSandbox('doctor', { migrated: true }, env);
  roots.push(box.root);
  return box;
}

describe('darkroom doctor with Discord and Slack configured', () => {
  it(
    'reports both platforms with the verdict on each token; a refused token is a step to fix, not "ready"',
    async () => {
      const platforms = { DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, SLACK_BOT_TOKEN: IDENTITY.botToken, SLACK_API_URL: slack.apiUrl };
      const good = sandbox({ ...platforms, SLACK_APP_TOKEN: IDENTITY.appToken });
      const badApp = sandbox({ ...platforms, SLACK_APP_TOKEN: 'xapp-revoked' });
      // A generous bound: the fakes answer at once, but a loaded machine may be slow to run them.
      const doctor = ['doctor', '--token-timeout', '120'];
      const [ready, refused] = await Promise.all([runDarkroom(doctor, good.cwd, good.env), runDarkroom(doctor, badApp.cwd, badApp.env)]);

      expect(ready.stdout).not.toContain('not built yet');
      expect(ready.stdout).toContain('Discord: DISCORD_TOKEN set; slash commands global; direct messages off');
      expect(ready.stdout).toContain(`token accepted (bot ${SCENE.bot.username}, id ${SCENE.bot.id})`);
      expect(ready.stdout).toContain('Slack: SLACK_BOT_TOKEN and SLACK_APP_TOKEN set; Socket Mode');
      expect(ready.stdout).toContain(`bot token accepted (@darkroom in ${IDENTITY.team.name})`);
      expect(ready.stdout).toContain('app token accepted (Socket Mode can connect)');
      expect(ready.stdout, ready.stdout + ready.stderr).toContain('Ready: npm start will serve.');
      expect(ready.code).toBe(0);

      expect(refused.stdout).toContain('app token refused by Slack (invalid_auth)');
      expect(refused.stdout).toMatch(/Not ready yet\. What to do next:\n1\. Fix the token: Slack app token refused by Slack \(invalid_auth\)/);
      expect(refused.code).toBe(1);
    },
    SLOW,
  );

  it(
    '--offline reports the configuration without calling anyone',
    async () => {
      const calls = slack.calls.length;
      const requests = discord.world.requests.length;
      const offline = sandbox({ DISCORD_TOKEN: discord.token, DISCORD_API_URL: discord.apiUrl, SLACK_BOT_TOKEN: IDENTITY.botToken, SLACK_SIGNING_SECRET: 'secret', SLACK_API_URL: slack.apiUrl });
      const result = await runDarkroom(['doctor', '--offline'], offline.cwd, offline.env);
      expect(result.stdout).toContain('Slack: SLACK_BOT_TOKEN set; HTTP on port 3000, SLACK_SIGNING_SECRET set');
      expect(result.stdout).toContain('tokens not checked (--offline)');
      expect(result.code).toBe(0);
      expect(slack.calls.length).toBe(calls);
      expect(discord.world.requests.length).toBe(requests);
    },
    SLOW,
  );
});
