/**
 * Cancel and ❌ reach every Slack message of a job, whichever was pressed: ❌ on a
 * `/darkroom show` copy of a running job cancels it, says so to the person, and both the status
 * message and the copy say cancelled without buttons; ❌ on a copy of a finished job removes the
 * images of the status message and of every copy from Slack, and each message says deleted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeSlackMessage } from '../../fakes/slack/index.ts';
import { FakeImageEngine } from '../../support/generation/fake-image-engine.ts';
import { CHANNELS, PEOPLE, startSlackHarness, type SlackHarness } from './support/slack-harness.ts';
import { buttonsOf, ephemeralsTo, eventually, finishedResult, JobCursor, nthEphemeral, statusMessage, textOf } from './support/slack-results.ts';

describe('Slack: cancel and delete update every message of a job', () => {
  let harness: SlackHarness;
  let cursor: JobCursor;

  beforeAll(async () => {
    const engine = new FakeImageEngine({ stepMs: 100, nsfwWord: undefined, failWord: undefined, onStep: undefined });
    harness = await startSlackHarness({ mode: 'http', engine });
    cursor = new JobCursor(harness);
  });
  afterAll(() => harness?.stop(true));

  /** `/darkroom show <id>` by `user`; resolves with the new copy once its images are in its thread. */
  async function show(user: string, generationId: string, images: number): Promise<{ copy: FakeSlackMessage; files: string[] }> {
    const before = harness.fake.workspace.messages.length;
    await harness.slash({ command: '/darkroom', text: `show ${generationId}`, user, channel: CHANNELS.general });
    const copy = await eventually(
      () =>
        harness.fake.workspace.messages
          .slice(before)
          .find((message) => message.threadTs === undefined && buttonsOf(message).some((button) => button.actionId === `delete:${generationId}`)),
      'the copy',
    );
    const thread = await eventually(() => {
      const found = harness.fake.workspace.thread(CHANNELS.general, copy.ts).filter((message) => message.fileIds.length > 0);
      return found.length === images ? found : undefined;
    }, 'the copy’s images');
    return { copy, files: thread.flatMap((message) => message.fileIds) };
  }

  function pressDelete(user: string, message: FakeSlackMessage) {
    const button = buttonsOf(message).find((candidate) => candidate.label === '❌ Delete');
    if (button === undefined) throw new Error('no Delete button');
    return harness.press({ user, channel: CHANNELS.general, messageTs: message.ts, actionId: button.actionId, value: button.value });
  }

  it('❌ on a /show copy of a running job cancels it: the answer says so; the status message and the copy say cancelled', async () => {
    await harness.slash({ command: '/imagine', text: 'a slow moonrise --count 1 --steps 40', user: PEOPLE.alice.id, channel: CHANNELS.general });
    const job = await cursor.next();
    const status = await statusMessage(harness, job.id);
    await eventually(() => (textOf(status).includes('step') ? true : undefined), 'the job running');
    const { copy } = await show(PEOPLE.bob.id, job.id, 0);

    await pressDelete(PEOPLE.alice.id, copy);
    expect(await nthEphemeral(harness.fake, PEOPLE.alice.id, 1)).toBe('Cancelled. It had not made any images yet, so there was nothing to delete.');
    await eventually(() => (textOf(status).endsWith('cancelled.') ? true : undefined), 'the status message says cancelled');
    expect(textOf(status)).toBe(`*a slow moonrise* for <@${PEOPLE.alice.id}>: cancelled.`);
    await eventually(() => (textOf(copy).includes('cancelled') ? true : undefined), 'the copy says cancelled');
    expect([buttonsOf(status), buttonsOf(copy)]).toEqual([[], []]);
    expect((await harness.repositories.generations.get(job.id))?.status).toBe('cancelled');
    expect(harness.fake.workspace.violations).toEqual([]);
  });

  it('❌ on one copy of a finished job deletes the images of the status message and of every copy', async () => {
    await harness.slash({ command: '/imagine', text: 'a small garden --count 2 --steps 2', user: PEOPLE.alice.id, channel: CHANNELS.general });
    const job = await cursor.next();
    const original = await finishedResult(harness, job.id, 2);
    const forBob = await show(PEOPLE.bob.id, job.id, 2);
    const forMod = await show(PEOPLE.mod.id, job.id, 2);
    const before = ephemeralsTo(harness.fake, PEOPLE.alice.id).length;

    await pressDelete(PEOPLE.alice.id, forBob.copy);
    expect(await nthEphemeral(harness.fake, PEOPLE.alice.id, before + 1)).toBe('Deleted 2 images.');
    for (const message of [original.status, forBob.copy, forMod.copy]) {
      await eventually(() => (textOf(message).includes('deleted') ? true : undefined), `message ${message.ts} says deleted`);
      expect(buttonsOf(message)).toEqual([]);
    }
    const allFiles = [...original.files.map((file) => file.id), ...forBob.files, ...forMod.files];
    expect(allFiles).toHaveLength(6);
    expect(allFiles.filter((id) => !harness.fake.workspace.files.get(id)?.deleted)).toEqual([]);
    expect(harness.fake.workspace.violations).toEqual([]);
  });

  it('❌ on one image under a copy removes that image under the status message too, and only that image', async () => {
    await harness.slash({ command: '/imagine', text: 'a pair of boats --count 2 --steps 2', user: PEOPLE.alice.id, channel: CHANNELS.general });
    const job = await cursor.next();
    const original = await finishedResult(harness, job.id, 2);
    const forBob = await show(PEOPLE.bob.id, job.id, 2);
    const copyImages = harness.fake.workspace.thread(CHANNELS.general, forBob.copy.ts).filter((message) => message.fileIds.length > 0);
    const before = ephemeralsTo(harness.fake, PEOPLE.alice.id).length;

    await harness.react({ user: PEOPLE.alice.id, reaction: 'x', channel: CHANNELS.general, ts: copyImages[0]!.ts });
    expect(await nthEphemeral(harness.fake, PEOPLE.alice.id, before + 1)).toBe('Deleted 1 image.');
    const gone = (id: string) => harness.fake.workspace.files.get(id)?.deleted === true;
    await eventually(() => (gone(original.files[0]!.id) ? true : undefined), 'image 1 gone under the status message');
    expect([gone(forBob.files[0]!), gone(original.files[1]!.id), gone(forBob.files[1]!)]).toEqual([true, false, false]);
    expect(harness.fake.workspace.violations).toEqual([]);
  });
});
