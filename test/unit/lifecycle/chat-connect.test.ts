/** Start-up's connection attempts: backoff for network failures, none for a refused token or a bug. */
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ChatStartError, connectChatPlatform, retryDelayMs, type ChatConnectOptions } from '../../../src/lifecycle/chat-connect.ts';

const refusedConnection = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });

function options(failures: unknown[], overrides: Partial<ChatConnectOptions> = {}): { options: ChatConnectOptions; pauses: number[]; calls: () => number } {
  const pauses: number[] = [];
  let calls = 0;
  return {
    pauses,
    calls: () => calls,
    options: {
      platform: 'Discord',
      apiUrl: 'https://discord.com/api',
      refusedMessage: () => 'Discord refused the bot token.',
      connect: async () => {
        const failure = failures[calls];
        calls += 1;
        if (failure !== undefined) throw failure;
      },
      classify: (error) => (error === refusedConnection ? 'unreachable' : error instanceof Error && error.message === 'refused' ? 'refused' : undefined),
      attempts: 5,
      firstDelayMs: 2_000,
      maxDelayMs: 5_000,
      signal: undefined,
      sleep: async (ms) => void pauses.push(ms),
      logger: pino({ level: 'silent' }),
      ...overrides,
    },
  };
}

describe('connectChatPlatform', () => {
  it('retries network failures with a doubling pause, capped, and connects', async () => {
    const run = options([refusedConnection, refusedConnection, refusedConnection]);
    await connectChatPlatform(run.options);
    expect(run.calls()).toBe(4);
    expect(run.pauses).toEqual([2_000, 4_000, 5_000]);
  });

  it('gives up after the configured attempts with a plain sentence naming the platform and the cause', async () => {
    const run = options(Array(5).fill(refusedConnection));
    const error = await connectChatPlatform(run.options).catch((failure: unknown) => failure);
    expect(error).toBeInstanceOf(ChatStartError);
    expect((error as Error).message).toBe(
      "Cannot reach Discord at https://discord.com/api (ECONNREFUSED; tried 5 times): check this machine's network connection, DNS and proxy settings, then start again.",
    );
    expect(run.calls()).toBe(5);
  });

  it('does not retry a refused token', async () => {
    const run = options([new Error('refused')]);
    const error = await connectChatPlatform(run.options).catch((failure: unknown) => failure);
    expect(error).toMatchObject({ name: 'ChatStartError', failure: 'refused', message: 'Discord refused the bot token.' });
    expect(run.calls()).toBe(1);
    expect(run.pauses).toEqual([]);
  });

  it('rethrows anything else as it is (a bug keeps its stack)', async () => {
    const bug = new TypeError('undefined is not a function');
    const run = options([bug]);
    await expect(connectChatPlatform(run.options)).rejects.toBe(bug);
    expect(run.calls()).toBe(1);
  });

  it('stops waiting when start-up is stopped', async () => {
    const stop = new AbortController();
    const run = options(Array(5).fill(refusedConnection), { sleep: async () => stop.abort() });
    const error = await connectChatPlatform({ ...run.options, signal: stop.signal }).catch((failure: unknown) => failure);
    expect((error as Error).message).toMatch(/^Start-up was stopped while waiting to reach Discord/);
    expect(run.calls()).toBe(1);
  });

  it('spaces attempts 2, 4, 8, 16 s by default', () => {
    expect([2, 3, 4, 5].map((attempt) => retryDelayMs(attempt, 2_000, 60_000))).toEqual([2_000, 4_000, 8_000, 16_000]);
  });
});
