/**
 * /darkroom end to end: moderators (configured id, or workspace admin per users.info) and the
 * refusals everyone else gets; bans and block lists taking effect on /imagine; /darkroom
 * settings, show, queue and help; mistakes answered privately through the response_url.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, PEOPLE, startSlackHarness, type SlackHarness } from './support/slack-harness.ts';
import { buttonsOf, eventually, finishedResult, JobCursor, jobs, nthEphemeral, ephemeralsTo, textOf } from './support/slack-results.ts';

describe('/darkroom commands in Slack', () => {
  let harness: SlackHarness;
  let cursor: JobCursor;

  beforeAll(async () => {
    harness = await startSlackHarness({ mode: 'http' });
    cursor = new JobCursor(harness);
  });
  afterAll(() => harness?.stop(true));

  /** Sends a command and returns the private answer it got. */
  async function ask(user: string, command: '/imagine' | '/darkroom', text: string, channel = CHANNELS.general): Promise<string> {
    const before = ephemeralsTo(harness.fake, user).length;
    const ack = await harness.slash({ command, text, user, channel });
    expect(ack.status).toBe(200);
    return nthEphemeral(harness.fake, user, before + 1);
  }

  async function imagine(user: string, text: string, images: number, channel = CHANNELS.general) {
    await harness.slash({ command: '/imagine', text, user, channel });
    const job = await cursor.next();
    return { job, ...(await finishedResult(harness, job.id, images)) };
  }

  it('history: refused for members, allowed for the configured moderator and for a workspace admin', async () => {
    const first = await imagine(PEOPLE.alice.id, 'a pier at noon --count 1 --steps 2', 1);
    const second = await imagine(PEOPLE.bob.id, 'a pier at night --count 1 --steps 2', 1, CHANNELS.nsfw);

    expect(await ask(PEOPLE.alice.id, '/darkroom', 'history')).toBe("Only a moderator can see other people's activity.");
    expect(await ask(PEOPLE.alice.id, '/darkroom', `history <@${PEOPLE.bob.id}|bob>`)).toBe("Only a moderator can see other people's activity.");

    const all = await ask(PEOPLE.mod.id, '/darkroom', 'history');
    expect(all).toContain(`\`${first.job.id}\``);
    expect(all).toContain(`\`${second.job.id}\``);
    // Newest first.
    expect(all.indexOf(second.job.id)).toBeLessThan(all.indexOf(first.job.id));

    const bobs = await ask(PEOPLE.admin.id, '/darkroom', `history <@${PEOPLE.bob.id}|bob> 7`);
    expect(bobs).toContain(second.job.id);
    expect(bobs).not.toContain(first.job.id);
    const general = await ask(PEOPLE.mod.id, '/darkroom', `history <#${CHANNELS.general}|general>`);
    expect(general).toContain(first.job.id);
    expect(general).not.toContain(second.job.id);
    // The answer is private and went through the command's response_url.
    const answer = ephemeralsTo(harness.fake, PEOPLE.mod.id).at(-1);
    expect([answer?.via, answer?.responseType]).toEqual(['response_url', 'ephemeral']);
  });

  it('history pages with a "More" button that carries only the cursor', async () => {
    for (let n = 0; n < 12; n++) await harness.slash({ command: '/imagine', text: `page ${n} --count 1 --steps 1`, user: PEOPLE.bob.id, channel: CHANNELS.general });
    for (let n = 0; n < 12; n++) await cursor.next();
    const before = ephemeralsTo(harness.fake, PEOPLE.mod.id).length;
    const firstPage = await ask(PEOPLE.mod.id, '/darkroom', `history <@${PEOPLE.bob.id}|bob>`);
    const firstIds = [...firstPage.matchAll(/`([A-Za-z0-9_-]{12})`/g)].map((match) => match[1]);
    expect(firstIds).toHaveLength(10);
    const blocks = (ephemeralsTo(harness.fake, PEOPLE.mod.id)[before]?.blocks ?? []) as Array<{ type: string; elements?: Array<{ action_id: string; value: string }> }>;
    const more = blocks.find((block) => block.type === 'actions')?.elements?.[0];
    expect(more?.action_id).toMatch(new RegExp(`^history:[0-9a-z]+\\.[A-Za-z0-9_-]+:${PEOPLE.bob.id}$`));

    await harness.press({ user: PEOPLE.mod.id, channel: CHANNELS.general, messageTs: '1.000000', actionId: more!.action_id, value: more!.value });
    const secondPage = await nthEphemeral(harness.fake, PEOPLE.mod.id, before + 2);
    const secondIds = [...secondPage.matchAll(/`([A-Za-z0-9_-]{12})`/g)].map((match) => match[1]);
    // Bob's other jobs: the 12 pages plus the one from the first test, none shown twice.
    expect(secondIds.length).toBeGreaterThanOrEqual(3);
    expect(secondIds.filter((id) => firstIds.includes(id))).toEqual([]);
  });

  it('usage: per-person totals for moderators only', async () => {
    expect(await ask(PEOPLE.bob.id, '/darkroom', 'usage 30')).toBe("Only a moderator can see other people's activity.");
    const usage = await ask(PEOPLE.mod.id, '/darkroom', 'usage 30');
    expect(usage).toMatch(/^\*Last 30 days:\* \d+ jobs/);
    expect(usage).toContain('*By person*');
    expect(usage).toContain('Alice: ');
  });

  it('ban and unban: moderators only; a banned person is refused, by name from users.info', async () => {
    expect(await ask(PEOPLE.alice.id, '/darkroom', `ban <@${PEOPLE.bob.id}|bob> spam`)).toBe('Only a moderator can ban people.');
    expect(await ask(PEOPLE.mod.id, '/darkroom', `ban <@${PEOPLE.bob.id}|bob> posting spam`)).toBe('Bob is banned here.');
    const count = (await jobs(harness)).length;
    expect(await ask(PEOPLE.bob.id, '/imagine', 'a cat --count 1')).toBe('You are banned from using Darkroom here: posting spam');
    expect((await jobs(harness)).length).toBe(count);
    expect(await ask(PEOPLE.admin.id, '/darkroom', `unban <@${PEOPLE.bob.id}>`)).toBe('Bob is no longer banned here.');
    const after = await imagine(PEOPLE.bob.id, 'a cat --count 1 --steps 2', 1);
    expect(after.job.prompt).toBe('a cat');
  });

  it('blocklist: moderators add, list and remove terms; /imagine refuses a blocked term privately', async () => {
    expect(await ask(PEOPLE.alice.id, '/darkroom', 'blocklist add dragon')).toBe('Only a moderator can change the blocked terms.');
    expect(await ask(PEOPLE.mod.id, '/darkroom', 'blocklist add dragon')).toBe('Blocked `dragon`.');
    expect(await ask(PEOPLE.alice.id, '/imagine', 'a red dragon over hills')).toBe('Your prompt contains a blocked term ("dragon"). Please rephrase it and try again.');
    expect(await ask(PEOPLE.alice.id, '/imagine', 'a castle --no forbiddenword')).toBe(
      'Your negative prompt contains a blocked term ("forbiddenword"). Please rephrase it and try again.',
    );
    const list = await ask(PEOPLE.mod.id, '/darkroom', 'blocklist list');
    expect(list).toContain('From the config: `forbiddenword`');
    expect(list).toContain('`dragon`');
    expect(await ask(PEOPLE.mod.id, '/darkroom', 'blocklist remove dragon')).toBe('Unblocked `dragon`.');
    const allowed = await imagine(PEOPLE.alice.id, 'a red dragon over hills --count 1 --steps 2', 1);
    expect(allowed.job.prompt).toBe('a red dragon over hills');
  });

  it('settings are saved privately and used by the next /imagine', async () => {
    const saved = await ask(PEOPLE.alice.id, '/darkroom', 'settings --steps 3 --ar 2:1 --count 1');
    expect(saved).toContain('Saved. Your defaults for /imagine:');
    expect(saved).toContain('steps: `3`');
    const next = await imagine(PEOPLE.alice.id, 'a wide valley', 1);
    expect(next.job.steps).toBe(3);
    // 2:1 on the 64-pixel grid within the model's pixel budget: clearly landscape.
    expect(next.job.width / next.job.height).toBeGreaterThan(1.5);
    expect(await ask(PEOPLE.alice.id, '/darkroom', 'settings --steps 500')).toMatch(/^Invalid --steps "500": must be a whole number from 1 to 50\.$/);
  });

  it('show posts a past result again with its images and buttons; queue and help answer privately', async () => {
    const original = await imagine(PEOPLE.alice.id, 'an old map --count 2 --steps 2', 2);
    const messagesBefore = harness.fake.workspace.messages.length;
    await harness.slash({ command: '/darkroom', text: `show ${original.job.id}`, user: PEOPLE.bob.id, channel: CHANNELS.general });
    const shown = await eventually(
      () =>
        harness.fake.workspace.messages
          .slice(messagesBefore)
          .find((message) => message.threadTs === undefined && buttonsOf(message).some((button) => button.actionId === `reroll:${original.job.id}`)),
      'the re-posted result',
    );
    const images = await eventually(() => {
      const thread = harness.fake.workspace.thread(CHANNELS.general, shown.ts).filter((message) => message.fileIds.length > 0);
      return thread.length === 2 ? thread : undefined;
    }, 'its images');
    expect(textOf(shown)).toContain(`*an old map* for <@${PEOPLE.alice.id}>`);
    expect(images.map((message) => harness.fake.workspace.files.get(message.fileIds[0]!)?.name)).toEqual([`${original.job.id}-1.png`, `${original.job.id}-2.png`]);
    expect(await ask(PEOPLE.bob.id, '/darkroom', 'show nosuchjob123')).toBe('That generation (nosuchjob123) does not exist any more; it may have been deleted.');

    expect(await ask(PEOPLE.bob.id, '/darkroom', 'queue')).toBe('You have no jobs waiting or running.');
    expect(await ask(PEOPLE.bob.id, '/darkroom', '')).toContain('*Darkroom* develops photos from text.');
    expect(await ask(PEOPLE.bob.id, '/darkroom', 'purge')).toMatch(/^Unknown option purge\. Known options: settings, show/);
    expect(await ask(PEOPLE.bob.id, '/imagine', 'a cat --foo 3')).toMatch(/^Unknown option --foo\. Known options: --ar/);
    expect(harness.fake.workspace.violations).toEqual([]);
  });
});
