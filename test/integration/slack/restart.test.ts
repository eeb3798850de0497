/**
 * Darkroom restarts (new adapter, new service, same file-backed database, same Slack): buttons
 * and reactions on results posted before the restart still work, because they carry only ids;
 * jobs that were waiting or running are re-queued, their status messages say so, and their
 * results arrive in the same messages.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FakeSlack } from '../../fakes/slack/index.ts';
import { FakeImageEngine } from '../../support/generation/fake-image-engine.ts';
import { seedMigratedDataDir } from '../../support/pglite-template.ts';
import { CHANNELS, PEOPLE, startSlackHarness, type SlackHarness } from './support/slack-harness.ts';
import { buttonsOf, eventually, finishedResult, JobCursor, nthJob, statusMessage, textOf } from './support/slack-results.ts';

describe('a restart between a result and a button press', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  async function dataDir(): Promise<string> {
    const dir = await mkdtemp(path.join(tmpdir(), 'darkroom-slack-restart-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    seedMigratedDataDir(dir);
    return dir;
  }

  it('Upscale, Vary and ❌ on a result from before the restart work from the database alone', async () => {
    const dir = await dataDir();
    const before = await startSlackHarness({ mode: 'http', dataDir: dir });
    await before.slash({ command: '/imagine', text: 'a greenhouse in winter --count 2 --steps 2 --seed 99', user: PEOPLE.alice.id, channel: CHANNELS.general });
    const parent = await nthJob(before, 1);
    const old = await finishedResult(before, parent.id, 2);
    const fake: FakeSlack = before.fake;
    await before.stop(false);

    const after = await startSlackHarness({ mode: 'socket', dataDir: dir, fake });
    cleanup.push(() => after.stop(true));
    const cursor = new JobCursor(after);
    expect((await cursor.next()).id).toBe(parent.id);

    await after.press({ user: PEOPLE.bob.id, channel: CHANNELS.general, messageTs: old.status.ts, actionId: `upscale:${parent.id}:1`, value: `upscale:${parent.id}:1` });
    const upscale = await cursor.next();
    expect([upscale.kind, upscale.parentId, upscale.parentImageIndex, upscale.prompt, Number(upscale.seed)]).toEqual(['upscale', parent.id, 1, 'a greenhouse in winter', 100]);
    await finishedResult(after, upscale.id, 1);

    await after.react({ user: PEOPLE.bob.id, reaction: 'twisted_rightwards_arrows', channel: CHANNELS.general, ts: old.imageMessages[0]!.ts });
    const variation = await cursor.next();
    expect([variation.kind, variation.parentId, variation.parentImageIndex]).toEqual(['variation', parent.id, 0]);

    await after.react({ user: PEOPLE.alice.id, reaction: 'x', channel: CHANNELS.general, ts: old.status.ts });
    await eventually(() => (old.files.every((file) => file.deleted) ? true : undefined), 'old files deleted from Slack');
    await eventually(() => (textOf(old.status).includes('deleted') ? true : undefined), 'old status says deleted');
    expect(fake.workspace.violations).toEqual([]);
  });

  it('jobs waiting or running at shutdown are re-queued, say so in their status messages, and finish there', async () => {
    const dir = await dataDir();
    const slow = new FakeImageEngine({ stepMs: 150, nsfwWord: undefined, failWord: undefined, onStep: undefined });
    const before: SlackHarness = await startSlackHarness({ mode: 'http', dataDir: dir, engine: slow });
    await before.slash({ command: '/imagine', text: 'a slow sunrise --count 1 --steps 30', user: PEOPLE.alice.id, channel: CHANNELS.general });
    await before.slash({ command: '/imagine', text: 'a waiting sunset --count 1 --steps 2', user: PEOPLE.bob.id, channel: CHANNELS.general });
    const running = await nthJob(before, 1);
    const waiting = await nthJob(before, 2);
    const runningStatus = await statusMessage(before, running.id);
    const waitingStatus = await statusMessage(before, waiting.id);
    await eventually(() => (textOf(runningStatus).includes('step') ? true : undefined), 'the first job running');
    // Shut down with little grace: the running job is interrupted, not finished.
    await before.stop(false, 300);
    expect(slow.completed).toEqual([]);

    const after = await startSlackHarness({ mode: 'http', dataDir: dir, fake: before.fake });
    cleanup.push(() => after.stop(true));
    const restartNote = (ts: string) =>
      after.fake.callsOf('chat.update').some((call) => call.params['ts'] === ts && (call.params['text'] ?? '').includes('Darkroom restarted; your job is back in the queue.'));
    await eventually(() => (restartNote(waitingStatus.ts) && restartNote(runningStatus.ts) ? true : undefined), 'the restart notes');
    const first = await finishedResult(after, running.id, 1);
    const second = await finishedResult(after, waiting.id, 1);
    // Same messages as before the restart, now with results and buttons.
    expect(first.status.ts).toBe(runningStatus.ts);
    expect(second.status.ts).toBe(waitingStatus.ts);
    expect(buttonsOf(second.status).map((button) => button.label)).toContain('🔄 Reroll');
    expect(after.fake.workspace.messages.filter((message) => message.threadTs === undefined && message.text.includes('sunrise'))).toHaveLength(1);
  });
  it('a restart after posting a status message but before saving its ts: the recovered job edits that message, no second one', async () => {
    const dir = await dataDir();
    const slow = new FakeImageEngine({ stepMs: 150, nsfwWord: undefined, failWord: undefined, onStep: undefined });
    const before = await startSlackHarness({ mode: 'http', dataDir: dir, engine: slow });
    // The process "dies" between chat.postMessage and saving the ts: the save never happens.
    before.generation.attachMessage = () => new Promise<boolean>(() => undefined);
    await before.slash({ command: '/imagine', text: 'an unsaved harbour --count 1 --steps 30', user: PEOPLE.alice.id, channel: CHANNELS.general });
    const job = await nthJob(before, 1);
    const posted = await before.fake.waitForCall((call) => call.method === 'chat.postMessage' && call.ok && (call.params['text'] ?? '').includes('an unsaved harbour'));
    const dead = () => before.fake.workspace.messages.find((message) => message.threadTs === undefined && message.text.includes('an unsaved harbour'))!;
    await eventually(() => (textOf(dead()).includes('step') ? true : undefined), 'the job running in its message');
    expect((await before.repositories.generations.get(job.id))?.chat.messageId).toBeUndefined();
    await before.stop(false, 300);

    const after = await startSlackHarness({ mode: 'http', dataDir: dir, fake: before.fake });
    cleanup.push(() => after.stop(true));
    const result = await finishedResult(after, job.id, 1);
    // The message people already saw (with its Cancel button) is the one that got the result.
    expect(result.status.ts).toBe(dead().ts);
    expect(posted.params['metadata']).toContain(job.id);
    const topLevel = after.fake.workspace.messages.filter((message) => message.threadTs === undefined && message.text.includes('an unsaved harbour'));
    expect(topLevel).toHaveLength(1);
    expect(buttonsOf(result.status).map((button) => button.label)).toContain('🔄 Reroll');
    expect(after.fake.workspace.violations).toEqual([]);
  });

  it('a job that finishes during shutdown has its result posted before the shutdown completes', async () => {
    const dir = await dataDir();
    const slow = new FakeImageEngine({ stepMs: 150, nsfwWord: undefined, failWord: undefined, onStep: undefined });
    const harness = await startSlackHarness({ mode: 'http', dataDir: dir, engine: slow });
    cleanup.push(() => harness.fake.close());
    await harness.slash({ command: '/imagine', text: 'a lighthouse in fog --count 1 --steps 6', user: PEOPLE.alice.id, channel: CHANNELS.general });
    const job = await nthJob(harness, 1);
    const status = await statusMessage(harness, job.id);
    await eventually(() => (textOf(status).includes('step') ? true : undefined), 'the job running');
    // Generous grace: the running job finishes while Darkroom shuts down, in main.ts's order.
    await harness.stop(false, 10_000);
    expect(slow.completed).toHaveLength(1);
    // Nothing left to wait for: the result is already in Slack when stop returns.
    expect(buttonsOf(status).some((button) => button.actionId === `reroll:${job.id}`)).toBe(true);
    const images = harness.fake.workspace.thread(status.channel, status.ts).filter((message) => message.fileIds.length > 0);
    expect(images).toHaveLength(1);
  });
});
