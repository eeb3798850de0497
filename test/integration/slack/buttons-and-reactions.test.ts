/**
 * Every button and reaction on a Slack result, end to end: Upscale n, Vary n, Reroll, Delete
 * (owner or moderator), Cancel while queued and while running; 🔄 ⬆️ 🔀 ❌ on the status
 * message and on single images in the thread; and what must do nothing (the bot's own
 * reactions, reactions on other people's messages).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../../support/generation/fake-image-engine.ts';
import { CHANNELS, IDENTITY, PEOPLE, startSlackHarness, type SlackHarness } from './support/slack-harness.ts';
import { buttonsOf, ephemeralsTo, eventually, finishedResult, JobCursor, jobs, nthEphemeral, nthJob, textOf } from './support/slack-results.ts';

describe('buttons and reactions on a Slack result', () => {
  let harness: SlackHarness;
  let cursor: JobCursor;

  beforeAll(async () => {
    harness = await startSlackHarness({ mode: 'http' });
    cursor = new JobCursor(harness);
  });
  afterAll(() => harness?.stop(true));

  /** The next job (expects exactly one more) and its finished result. */
  async function nextResult(images: number) {
    const job = await cursor.next();
    return { job, ...(await finishedResult(harness, job.id, images)) };
  }

  async function imagine(user: string, text: string, images: number) {
    const ack = await harness.slash({ command: '/imagine', text, user, channel: CHANNELS.general });
    expect(ack.status).toBe(200);
    return nextResult(images);
  }

  function press(user: string, status: { ts: string }, actionId: string, value?: string) {
    return harness.press({ user, channel: CHANNELS.general, messageTs: status.ts, actionId, value: value ?? actionId });
  }

  it('Upscale n, Vary n and Reroll each start a job from the database row and post its own status message', async () => {
    const parent = await imagine(PEOPLE.alice.id, 'a lighthouse in fog --count 2 --seed 7 --steps 3', 2);

    expect((await press(PEOPLE.bob.id, parent.status, `upscale:${parent.job.id}:0`)).status).toBe(200);
    const upscale = await nextResult(1);
    expect([upscale.job.kind, upscale.job.parentId, upscale.job.parentImageIndex]).toEqual(['upscale', parent.job.id, 0]);
    expect(upscale.status.ts).not.toBe(parent.status.ts);
    expect(upscale.status.threadTs).toBeUndefined();
    expect([upscale.job.width, upscale.job.height]).toEqual([parent.job.width * 2, parent.job.height * 2]);
    // An upscaled image can be varied, edited (issue 15), rerolled or deleted, not upscaled again.
    expect(buttonsOf(upscale.status).map((button) => button.label)).toEqual(['Vary (Strong)', 'Vary (Subtle)', 'Vary (Region)', 'Zoom Out 2×', 'Zoom Out 1.5×', '⬅️', '➡️', '⬆️', '⬇️', '🔄 Reroll', '❌ Delete']);

    await press(PEOPLE.bob.id, parent.status, `vary:${parent.job.id}:1`);
    // Like Midjourney's V buttons: as many variations of that image as the original had images.
    const variation = await nextResult(2);
    expect([variation.job.kind, variation.job.parentId, variation.job.parentImageIndex, variation.job.strength]).toEqual(['variation', parent.job.id, 1, 0.35]);

    await press(PEOPLE.alice.id, parent.status, `reroll:${parent.job.id}`);
    const reroll = await nextResult(2);
    expect([reroll.job.kind, reroll.job.prompt, reroll.job.count]).toEqual(['reroll', 'a lighthouse in fog', 2]);
    expect(reroll.job.seed).not.toBe(parent.job.seed);
    expect(textOf(reroll.status)).toContain(`(reroll) for <@${PEOPLE.alice.id}>`);
    expect(harness.fake.workspace.violations).toEqual([]);
  });

  it('Delete: refused for someone else, done for the owner (files gone from Slack, images marked deleted)', async () => {
    const result = await imagine(PEOPLE.alice.id, 'a tram at night --count 2 --steps 2', 2);
    const deleteButton = buttonsOf(result.status).find((button) => button.label === '❌ Delete')!;

    await press(PEOPLE.bob.id, result.status, deleteButton.actionId, deleteButton.value);
    expect(await nthEphemeral(harness.fake, PEOPLE.bob.id, 1)).toBe('Only the person who made it or a moderator can delete this job.');
    expect(result.files.every((file) => !file.deleted)).toBe(true);

    const before = ephemeralsTo(harness.fake, PEOPLE.alice.id).length;
    await press(PEOPLE.alice.id, result.status, deleteButton.actionId, deleteButton.value);
    expect(await nthEphemeral(harness.fake, PEOPLE.alice.id, before + 1)).toBe('Deleted 2 images.');
    await eventually(() => (textOf(result.status).includes('deleted') ? true : undefined), 'status says deleted');
    expect(buttonsOf(result.status)).toEqual([]);
    expect(result.files.map((file) => file.deleted)).toEqual([true, true]);
    expect(harness.fake.workspace.thread(CHANNELS.general, result.status.ts).filter((message) => message.fileIds.length > 0)).toEqual([]);
    const row = await harness.repositories.generations.get(result.job.id);
    expect(row?.images.every((image) => image.deletedAt !== undefined)).toBe(true);
  });

  it('reactions: 🔄 on the result, ⬆️ and 🔀 on one image, a hint for ⬆️ on a several-image result', async () => {
    const result = await imagine(PEOPLE.alice.id, 'a fox in snow --count 2 --steps 2', 2);

    await harness.react({ user: PEOPLE.bob.id, reaction: 'arrows_counterclockwise', channel: CHANNELS.general, ts: result.status.ts });
    const reroll = await nextResult(2);
    expect([reroll.job.kind, reroll.job.parentId]).toEqual(['reroll', result.job.id]);
    const bob = await harness.repositories.users.findByExternalId('slack', PEOPLE.bob.id);
    expect(reroll.job.userId).toBe(bob?.id);

    await harness.react({ user: PEOPLE.bob.id, reaction: 'arrow_up', channel: CHANNELS.general, ts: result.imageMessages[1]!.ts });
    const upscale = await nextResult(1);
    expect([upscale.job.kind, upscale.job.parentImageIndex]).toEqual(['upscale', 1]);

    await harness.react({ user: PEOPLE.bob.id, reaction: 'twisted_rightwards_arrows', channel: CHANNELS.general, ts: result.imageMessages[0]!.ts });
    const variation = await nextResult(2);
    expect([variation.job.kind, variation.job.parentImageIndex]).toEqual(['variation', 0]);

    const ephemerals = ephemeralsTo(harness.fake, PEOPLE.bob.id).length;
    await harness.react({ user: PEOPLE.bob.id, reaction: 'arrow_up', channel: CHANNELS.general, ts: result.status.ts });
    const hint = await eventually(() => ephemeralsTo(harness.fake, PEOPLE.bob.id)[ephemerals], 'hint');
    expect([hint.via, hint.channel, hint.text]).toEqual(['chat.postEphemeral', CHANNELS.general, expect.stringContaining('react on one of them in the thread')]);
    expect((await jobs(harness)).length).toBe(cursor.count);

    // A one-image result: ⬆️ on the result itself means that image.
    const single = await imagine(PEOPLE.alice.id, 'a lone tree --count 1 --steps 2', 1);
    await harness.react({ user: PEOPLE.alice.id, reaction: 'arrow_up', channel: CHANNELS.general, ts: single.status.ts });
    const upscaleOfSingle = await nextResult(1);
    expect([upscaleOfSingle.job.kind, upscaleOfSingle.job.parentId, upscaleOfSingle.job.parentImageIndex]).toEqual(['upscale', single.job.id, 0]);
  });

  it('❌ reactions: refused for others, one image for a moderator on that image, everything for the owner on the result', async () => {
    const result = await imagine(PEOPLE.alice.id, 'a bridge in rain --count 2 --steps 2', 2);
    const bobEphemerals = ephemeralsTo(harness.fake, PEOPLE.bob.id).length;
    await harness.react({ user: PEOPLE.bob.id, reaction: 'x', channel: CHANNELS.general, ts: result.imageMessages[0]!.ts });
    expect(await nthEphemeral(harness.fake, PEOPLE.bob.id, bobEphemerals + 1)).toMatch(/^Only the person who made it or a moderator can/);
    expect(result.files[0]?.deleted).toBe(false);

    await harness.react({ user: PEOPLE.mod.id, reaction: 'x', channel: CHANNELS.general, ts: result.imageMessages[1]!.ts });
    expect(await nthEphemeral(harness.fake, PEOPLE.mod.id, 1)).toBe('Deleted 1 image.');
    await eventually(() => (result.files[1]?.deleted ? true : undefined), 'image 2 removed from Slack');
    expect(result.files[0]?.deleted).toBe(false);
    const afterOne = await harness.repositories.generations.get(result.job.id);
    expect(afterOne?.images.map((image) => image.deletedAt !== undefined)).toEqual([false, true]);

    await harness.react({ user: PEOPLE.alice.id, reaction: 'x', channel: CHANNELS.general, ts: result.status.ts });
    await eventually(() => (result.files[0]?.deleted ? true : undefined), 'image 1 removed from Slack');
    await eventually(() => (textOf(result.status).includes('deleted') ? true : undefined), 'status says deleted');
  });

  it('ignores its own reactions, reactions on people\'s messages and other emoji', async () => {
    const result = await imagine(PEOPLE.alice.id, 'a kite over dunes --count 1 --steps 2', 1);
    await eventually(() => (result.status.reactions.has('arrows_counterclockwise') ? true : undefined), 'hint reactions');
    const reactionReads = harness.fake.callsOf('reactions.get').length;

    // Slack sends the bot's own hint reaction back as an event: Bolt's ignoreSelf drops it.
    await harness.react({ user: IDENTITY.bot.userId, reaction: 'arrows_counterclockwise', channel: CHANNELS.general, ts: result.status.ts });
    const someonesMessage = harness.fake.workspace.postAsUser(CHANNELS.general, PEOPLE.bob.id, 'look at this');
    await harness.react({ user: PEOPLE.alice.id, reaction: 'arrows_counterclockwise', channel: CHANNELS.general, ts: someonesMessage.ts });
    await harness.react({ user: PEOPLE.alice.id, reaction: 'tada', channel: CHANNELS.general, ts: result.status.ts });
    // A reaction that does count, as a barrier: once its job exists, the others have been handled.
    await harness.react({ user: PEOPLE.bob.id, reaction: 'arrows_counterclockwise', channel: CHANNELS.general, ts: result.status.ts });
    await nextResult(1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect((await jobs(harness)).length).toBe(cursor.count);
    expect(harness.fake.callsOf('reactions.get').length).toBe(reactionReads + 1);
  });
});

describe('Cancel on a Slack status message', () => {
  let harness: SlackHarness;

  beforeAll(async () => {
    harness = await startSlackHarness({ mode: 'http', engine: new FakeImageEngine({ stepMs: 100, nsfwWord: undefined, failWord: undefined, onStep: undefined }) });
  });
  afterAll(() => harness?.stop(true));

  it('cancels a running job and a queued one; the status messages say so and lose their buttons', async () => {
    await harness.slash({ command: '/imagine', text: 'a long exposure of traffic --count 1 --steps 40', user: PEOPLE.alice.id, channel: CHANNELS.general });
    await harness.slash({ command: '/imagine', text: 'a second long exposure --count 1 --steps 40', user: PEOPLE.bob.id, channel: CHANNELS.general });
    const running = await nthJob(harness, 1);
    const queued = await nthJob(harness, 2);
    const runningStatus = await eventually(async () => {
      const row = await harness.repositories.generations.get(running.id);
      return row?.status === 'running' && row.chat.messageId ? harness.fake.workspace.message(CHANNELS.general, row.chat.messageId) : undefined;
    }, 'running job');
    const queuedRow = await eventually(async () => {
      const row = await harness.repositories.generations.get(queued.id);
      return row?.chat.messageId ? row : undefined;
    }, 'queued job message');
    const queuedStatus = harness.fake.workspace.message(CHANNELS.general, queuedRow.chat.messageId!)!;
    expect(buttonsOf(queuedStatus).map((button) => button.actionId)).toEqual([`cancel:${queued.id}`]);

    await harness.press({ user: PEOPLE.bob.id, channel: CHANNELS.general, messageTs: queuedStatus.ts, actionId: `cancel:${queued.id}`, value: `cancel:${queued.id}` });
    await harness.press({ user: PEOPLE.alice.id, channel: CHANNELS.general, messageTs: runningStatus.ts, actionId: `cancel:${running.id}`, value: `cancel:${running.id}` });
    expect(await nthEphemeral(harness.fake, PEOPLE.alice.id, 1)).toBe('Cancelled.');
    expect(await nthEphemeral(harness.fake, PEOPLE.bob.id, 1)).toBe('Cancelled.');
    for (const [status, id] of [[runningStatus, running.id], [queuedStatus, queued.id]] as const) {
      await eventually(() => (textOf(status).endsWith('cancelled.') ? true : undefined), `cancelled status of ${id}`);
      expect(buttonsOf(status)).toEqual([]);
      expect((await harness.repositories.generations.get(id))?.status).toBe('cancelled');
    }
    // The running job was aborted, not run to the end.
    expect((harness.engine as FakeImageEngine).completed).toEqual([]);
  });
});
