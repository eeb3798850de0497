/**
 * The edges of the Slack protocol and of failure: forged or stale signatures get 401 and do
 * nothing; retried deliveries (X-Slack-Retry-Num over HTTP, retry_attempt in Socket Mode) never
 * start a second job; a channel the bot is not in, a bug (reference id, logged stack), an engine
 * failure; NSFW images blurred except in the configured NSFW channels.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postSigned, reactionAddedBody, slashCommandFields } from '../../fakes/slack/index.ts';
import { CHANNELS, PEOPLE, SIGNING_SECRET, startSlackHarness, type SlackHarness } from './support/slack-harness.ts';
import { buttonsOf, ephemeralsTo, eventually, finishedResult, JobCursor, jobs, nthEphemeral, statusMessage, textOf } from './support/slack-results.ts';

const settle = () => new Promise((resolve) => setTimeout(resolve, 300));

describe('Slack over HTTP: signatures, retries and failures', () => {
  let harness: SlackHarness;
  let cursor: JobCursor;

  beforeAll(async () => {
    harness = await startSlackHarness({ mode: 'http', captureLogs: true });
    cursor = new JobCursor(harness);
  });
  afterAll(() => harness?.stop(true));

  it('answers 401 to a forged signature and to a stale timestamp, and does nothing for them', async () => {
    const fields = slashCommandFields(harness.fake, { command: '/imagine', text: 'a forged request', user: PEOPLE.alice.id, channel: CHANNELS.general });
    const body = { kind: 'form' as const, fields };
    const forged = await postSigned(harness.endpoint(), body, { signingSecret: SIGNING_SECRET, signature: `v0=${'ab'.repeat(32)}` });
    const wrongSecret = await postSigned(harness.endpoint(), body, { signingSecret: 'not-the-secret' });
    const stale = await postSigned(harness.endpoint(), body, { signingSecret: SIGNING_SECRET, timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    expect([forged.status, wrongSecret.status, stale.status]).toEqual([401, 401, 401]);
    // The same request, signed now, goes through: the 401s were about the signature alone.
    const good = await postSigned(harness.endpoint(), body, { signingSecret: SIGNING_SECRET });
    expect(good.status).toBe(200);
    await cursor.next();
    await settle();
    expect((await jobs(harness)).length).toBe(1);
  });

  it('reads a prompt as typed (Slack escapes &, <, >) and shows it escaped, so it cannot ping anyone', async () => {
    await harness.slash({ command: '/imagine', text: 'fish &amp; chips &lt;!channel&gt; --count 1 --steps 2', user: PEOPLE.alice.id, channel: CHANNELS.general });
    const job = await cursor.next();
    expect(job.prompt).toBe('fish & chips <!channel>');
    const { status } = await finishedResult(harness, job.id, 1);
    expect(textOf(status)).toContain(`*fish &amp; chips &lt;!channel&gt;* for <@${PEOPLE.alice.id}>`);
  });

  it('a retried slash command (same trigger, X-Slack-Retry-Num) starts one job and one status message', async () => {
    const triggerId = 'trigger-retried-once';
    const input = { command: '/imagine' as const, text: 'a retried request --count 1 --steps 2', user: PEOPLE.alice.id, channel: CHANNELS.general, triggerId };
    expect((await harness.slash(input)).status).toBe(200);
    expect((await harness.slash(input, 1)).status).toBe(200);
    const job = await cursor.next();
    await finishedResult(harness, job.id, 1);
    await settle();
    expect((await jobs(harness)).filter((row) => row.prompt === 'a retried request')).toHaveLength(1);
    expect(harness.fake.workspace.messages.filter((message) => message.text.includes('a retried request') && message.threadTs === undefined)).toHaveLength(1);
    expect(harness.logLines.some((line) => line['msg'] === 'slack.redelivery' && line['duplicate'] === true && line['retryNum'] === 1)).toBe(true);
  });

  it('a retried reaction event (same event_id) rerolls once', async () => {
    const result = await (async () => {
      await harness.slash({ command: '/imagine', text: 'a reaction retried --count 1 --steps 2', user: PEOPLE.alice.id, channel: CHANNELS.general });
      const job = await cursor.next();
      return finishedResult(harness, job.id, 1);
    })();
    const reaction = { user: PEOPLE.bob.id, reaction: 'arrows_counterclockwise', channel: CHANNELS.general, ts: result.status.ts, eventId: 'Ev0RETRIED01' };
    expect((await harness.react(reaction)).status).toBe(200);
    expect((await harness.react(reaction, 1)).status).toBe(200);
    expect((await harness.react(reaction, 2)).status).toBe(200);
    const reroll = await cursor.next();
    expect(reroll.kind).toBe('reroll');
    await finishedResult(harness, reroll.id, 1);
    await settle();
    expect((await jobs(harness)).filter((row) => row.kind === 'reroll')).toHaveLength(1);
  });

  it('in a channel the bot is not in: a private explanation, and the job is taken back', async () => {
    const answer = await (async () => {
      await harness.slash({ command: '/imagine', text: 'a closed door --count 1', user: PEOPLE.bob.id, channel: CHANNELS.closed });
      return nthEphemeral(harness.fake, PEOPLE.bob.id, 1);
    })();
    expect(answer).toContain("I can't post in this channel (Slack says `not_in_channel`). Invite me with `/invite @Darkroom`");
    const job = await cursor.next();
    await eventually(async () => ((await harness.repositories.generations.get(job.id))?.status === 'cancelled' ? true : undefined), 'cancelled job');
  });

  it('a bug gets an apology with a reference id, the log gets the stack, and the job does not run unseen', async () => {
    harness.fake.failNext('chat.postMessage', 'fatal_error');
    await harness.slash({ command: '/imagine', text: 'an unlucky request --count 1', user: PEOPLE.alice.id, channel: CHANNELS.general });
    const before = ephemeralsTo(harness.fake, PEOPLE.alice.id).length;
    const apology = await nthEphemeral(harness.fake, PEOPLE.alice.id, before + 1);
    const referenceId = /reference: ([0-9a-f]{10})\.$/.exec(apology)?.[1];
    expect(apology).toMatch(/^Sorry, something went wrong on our side\./);
    expect(referenceId).toBeDefined();
    const logged = harness.logLines.find((line) => line['msg'] === 'slack.bug' && line['referenceId'] === referenceId);
    expect((logged?.['err'] as { stack?: string } | undefined)?.stack).toContain('fatal_error');
    const job = await cursor.next();
    await eventually(async () => ((await harness.repositories.generations.get(job.id))?.status === 'cancelled' ? true : undefined), 'cancelled job');
  });

  it('an engine failure shows in the status message, without buttons', async () => {
    await harness.slash({ command: '/imagine', text: 'please explode --count 1 --steps 2', user: PEOPLE.alice.id, channel: CHANNELS.general });
    const job = await cursor.next();
    const status = await statusMessage(harness, job.id);
    await eventually(() => (textOf(status).includes(': failed.') ? true : undefined), 'failed status');
    expect(buttonsOf(status)).toEqual([]);
    expect((await harness.repositories.generations.get(job.id))?.status).toBe('failed');
  });

  it('flagged images are blurred in ordinary channels and shown as made in the configured NSFW channels', async () => {
    await harness.slash({ command: '/imagine', text: 'a nsfwword statue --count 1 --steps 2 --seed 5', user: PEOPLE.alice.id, channel: CHANNELS.general });
    const sfwJob = await cursor.next();
    const sfw = await finishedResult(harness, sfwJob.id, 1);
    await harness.slash({ command: '/imagine', text: 'a nsfwword statue --count 1 --steps 2 --seed 5', user: PEOPLE.alice.id, channel: CHANNELS.nsfw });
    const nsfwJob = await cursor.next();
    const nsfw = await finishedResult(harness, nsfwJob.id, 1);

    const stored = async (id: string) => (await harness.repositories.generations.get(id))?.images[0]?.sha256;
    const sha = (bytes: Buffer | undefined) => createHash('sha256').update(bytes ?? Buffer.alloc(0)).digest('hex');
    expect(sfw.imageMessages[0]?.text).toBe('Image 1 · seed 5 · blurred: possibly NSFW');
    expect(sha(sfw.files[0]?.bytes)).not.toBe(await stored(sfwJob.id));
    expect(textOf(sfw.status)).toContain('flagged as possibly NSFW and are blurred');
    expect(nsfw.imageMessages[0]?.text).toBe('Image 1 · seed 5');
    expect(sha(nsfw.files[0]?.bytes)).toBe(await stored(nsfwJob.id));
    expect(harness.fake.workspace.violations).toEqual([]);
  });
});

describe('Slack over Socket Mode: retried envelopes', () => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness({ mode: 'socket' });
  });
  afterAll(() => harness?.stop(true));

  it('acks every envelope, and a retried command or event (retry_attempt) does not start a second job', async () => {
    const cursor = new JobCursor(harness);
    const command = slashCommandFields(harness.fake, { command: '/imagine', text: 'a socket request --count 1 --steps 2', user: PEOPLE.alice.id, channel: CHANNELS.general });
    const first = await harness.fake.socketMode.send('slash_commands', command);
    const again = await harness.fake.socketMode.send('slash_commands', command);
    expect(first.ackMs).toBeLessThan(3_000);
    expect(again.ackMs).toBeLessThan(3_000);
    const job = await cursor.next();
    const result = await finishedResult(harness, job.id, 1);

    const event = reactionAddedBody(harness.fake, { user: PEOPLE.bob.id, reaction: 'arrows_counterclockwise', channel: CHANNELS.general, ts: result.status.ts, eventId: 'Ev0SOCKET001' });
    await harness.fake.socketMode.send('events_api', event);
    await harness.fake.socketMode.send('events_api', event, { retryAttempt: 1, retryReason: 'timeout' });
    const reroll = await cursor.next();
    await finishedResult(harness, reroll.id, 1);
    await settle();
    expect((await jobs(harness)).map((row) => row.kind)).toEqual(['imagine', 'reroll']);
  });
});
