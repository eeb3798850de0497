/**
 * Cancel and ❌ reach every Discord message of a job, whichever was pressed: ❌ on a /show copy
 * of a running job cancels it, says so to the person, and the owner's own message ends at
 * "cancelled" (not stuck at "developing"); ❌ on a copy of a finished job removes the job's own
 * message and every other copy.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCENE, components } from '../../fakes/discord/index.ts';
import { fakeEngine, DiscordHarness } from './support/discord-harness.ts';
import { imagine, row } from './support/discord-actions.ts';
import { expectCleanTraffic, privateAnswer, result } from './support/discord-expect.ts';

describe('Discord: cancel and delete update every message of a job', { timeout: 150_000 }, () => {
  let harness: DiscordHarness;

  beforeAll(async () => {
    harness = await DiscordHarness.start({ engine: fakeEngine(40) });
  });
  afterEach(() => expectCleanTraffic(harness.fake));
  afterAll(async () => harness?.close());

  const live = (id: string) => harness.fake.world.messages.get(id);

  it('❌ on a /show copy of a running job cancels it: the answer says so, the original and the copy say cancelled', async () => {
    const interaction = harness.fake.slash('imagine', { prompt: 'a very slow moonrise', steps: 50 }, { user: SCENE.alice });
    const running = await harness.fake.original(interaction, (message) => /developing|step \d+\/50/.test(message.content), 'the running job');
    const generationId = /^cancel:([\w-]+)$/.exec(components(running)[0]?.customId ?? '')?.[1] ?? '';
    const copy = await result(harness.fake, harness.fake.slash('show', { id: generationId }, { user: SCENE.bob }));

    const answer = await privateAnswer(harness.fake, harness.fake.press(copy, { label: '❌' }, SCENE.alice));
    expect(answer.content).toBe('Cancelled. It had not made any images yet, so there was nothing to delete.');
    const original = await harness.fake.original(interaction, (message) => message.content.endsWith('cancelled.'), 'the original says cancelled');
    expect(original.content).toBe(`**a very slow moonrise** for <@${SCENE.alice.id}>: cancelled.`);
    expect(original.components).toEqual([]);
    const copyNow = await harness.fake.waitFor('the copy says cancelled', () => (live(copy.id)?.content.includes('cancelled') ? live(copy.id) : undefined));
    expect(copyNow?.components).toEqual([]);
    expect((await row(harness, generationId)).status).toBe('cancelled');
  });

  it('❌ on one /show copy of a finished job removes the job’s own message and every copy', async () => {
    const job = await imagine(harness, SCENE.alice, 'a small garden', { steps: 2 });
    const copyForBob = await result(harness.fake, harness.fake.slash('show', { id: job.generationId }, { user: SCENE.bob }));
    const copyForMod = await result(harness.fake, harness.fake.slash('show', { id: job.generationId }, { user: SCENE.mod }));

    const answer = await privateAnswer(harness.fake, harness.fake.press(copyForBob, { label: '❌' }, SCENE.alice));
    expect(answer.content).toBe('Deleted 1 image.');
    for (const message of [job.message, copyForBob, copyForMod]) {
      await harness.fake.waitFor(`message ${message.id} deleted`, () => (live(message.id) === undefined ? true : undefined));
    }
    expect((await row(harness, job.generationId)).images.every((image) => image.deletedAt !== undefined)).toBe(true);
  });

  it('the job message names its owner as a mention that pings nobody; a moderator’s /history says who made each job', async () => {
    // (The first "queued" line is checked in test/unit/discord/flag-flood-and-owner.test.ts: here later states may replace it before it is sent.)
    const job = await imagine(harness, SCENE.bob, 'a tall lighthouse', { steps: 2 });
    expect(job.message.content.split('\n')[0]).toBe(`**a tall lighthouse** for <@${SCENE.bob.id}>`);
    expect(job.message.allowedMentions).toEqual({ parse: [], users: [], replied_user: false });

    const history = await privateAnswer(harness.fake, harness.fake.slash('history', {}, { user: SCENE.mod }));
    const line = history.content.split('\n').find((entry) => entry.includes('a tall lighthouse'));
    expect(line).toMatch(new RegExp(`UTC · by <@${SCENE.bob.id}> · succeeded · `));
    const own = await privateAnswer(harness.fake, harness.fake.slash('history', { user: SCENE.bob }, { user: SCENE.bob }));
    expect(own.content).toContain('a tall lighthouse');
    expect(own.content).not.toContain(' · by ');
  });
});
