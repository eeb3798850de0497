/**
 * Moderator commands in the fake Discord. They are registered hidden from people without Manage
 * Messages, and checked again when they run: a member with Manage Messages or with a configured
 * moderator role may use them; anyone else who invokes one gets a private refusal.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCENE, components, type FakeUser } from '../../fakes/discord/index.ts';
import { DiscordHarness } from './support/discord-harness.ts';
import { expectCleanTraffic, privateAnswer, result } from './support/discord-expect.ts';

const MANAGE_MESSAGES = 1 << 13;

describe('Discord moderator commands', { timeout: 150_000 }, () => {
  let harness: DiscordHarness;

  beforeAll(async () => {
    harness = await DiscordHarness.start();
    // Eleven jobs by three people, so history has two pages (10 per page).
    const people = [SCENE.alice, SCENE.bob, SCENE.carol];
    const sent = Array.from({ length: 11 }, (_, n) => harness.fake.slash('imagine', { prompt: `job number ${n}`, steps: 1 }, { user: people[n % 3]! }));
    // Wait for every result, not just the acceptance: a history line shows the job's status and
    // image count, so a page listing jobs still queued or running changes between two looks and
    // the paging test could never see "page 1 again" as it was.
    await Promise.all(sent.map((interaction) => result(harness.fake, interaction)));
  });
  afterEach(() => expectCleanTraffic(harness.fake));
  afterAll(async () => harness?.close());

  const run = (name: string, options: Parameters<typeof harness.fake.slash>[1], user: FakeUser, subcommand: string[] = []) =>
    privateAnswer(harness.fake, harness.fake.slash(name, options, { user, subcommand }));

  it('registers the moderator commands hidden behind Manage Messages, the others for everyone', () => {
    const registered = harness.fake.registered(SCENE.guildId);
    const hidden = registered.filter((command) => command.default_member_permissions !== undefined).map((command) => command.name);
    expect(hidden.sort()).toEqual(['ban', 'blocklist', 'history', 'unban', 'usage']);
    expect(registered.every((command) => command.default_member_permissions === undefined || Number(command.default_member_permissions) === MANAGE_MESSAGES)).toBe(true);
  });

  it('/history pages with Next and Previous in the same private message', async () => {
    const interaction = harness.fake.slash('history', {}, { user: SCENE.mod });
    const first = await privateAnswer(harness.fake, interaction);
    const firstPage = first.content;
    expect(firstPage.split('\n')).toHaveLength(10);
    expect(firstPage).toContain('job number 10');
    expect(components(first).map((component) => component.label)).toEqual(['Next ▶']);

    harness.fake.press(first, { label: 'Next ▶' }, SCENE.mod);
    const second = await harness.fake.waitFor('page 2', () => (first.content !== firstPage ? first : undefined));
    expect(second.content.split('\n')).toHaveLength(1);
    expect(second.content).toContain('job number 0');
    expect(components(second).map((component) => component.label)).toEqual(['◀ Previous']);

    harness.fake.press(second, { label: '◀ Previous' }, SCENE.mod);
    await harness.fake.waitFor('page 1 again', () => (first.content === firstPage ? true : undefined));
    expect(components(first).map((component) => component.label)).toEqual(['Next ▶']);
  });

  it('/history user: and days: narrow the list; a non-moderator is refused', async () => {
    const bobs = await run('history', { user: SCENE.bob, days: 1 }, SCENE.helper);
    expect(bobs.content.split('\n')).toHaveLength(4);
    expect(bobs.content).not.toMatch(/job number (0|2|3|5|6|8|9)\b/);
    const refused = await run('history', {}, SCENE.alice);
    expect(refused.content).toMatch(/^Only a moderator can /);
  });

  it('/usage sums jobs per person for a moderator and refuses others', async () => {
    const usage = await run('usage', { days: 7 }, SCENE.mod);
    expect(usage.content).toMatch(/^\*\*Last 7 days:\*\* 11 jobs/);
    expect(usage.content).toMatch(/alice: 4 jobs/);
    expect(usage.content).toMatch(/bob: 4 jobs/);
    expect(usage.content).toMatch(/carol: 3 jobs/);
    expect((await run('usage', {}, SCENE.bob)).content).toMatch(/^Only a moderator can /);
  });

  it('/ban stops someone until /unban; only moderators may do either', async () => {
    expect((await run('ban', { user: SCENE.carol, reason: 'spam' }, SCENE.alice)).content).toMatch(/^Only a moderator can /);
    expect((await run('ban', { user: SCENE.carol, reason: 'spam' }, SCENE.mod)).content).toBe('carol is banned here.');

    const refused = await privateAnswer(harness.fake, harness.fake.slash('imagine', { prompt: 'anything' }, { user: SCENE.carol }));
    expect(refused.content).toMatch(/banned.*spam/);

    expect((await run('unban', { user: SCENE.carol }, SCENE.helper)).content).toBe('carol is no longer banned here.');
    const accepted = harness.fake.slash('imagine', { prompt: 'anything at all', steps: 1 }, { user: SCENE.carol });
    expect((await harness.fake.original(accepted, (message) => message.content.includes('anything at all'))).flags & 64).toBe(0);
  });

  it('/blocklist add, list and remove for a configured moderator role; blocked prompts are refused', async () => {
    expect((await run('blocklist', { term: 'dragon', reason: 'not here' }, SCENE.helper, ['add'])).content).toBe('Blocked `dragon`.');
    expect((await run('blocklist', {}, SCENE.helper, ['list'])).content).toContain('This server: `dragon`');
    const blocked = await privateAnswer(harness.fake, harness.fake.slash('imagine', { prompt: 'a red dragon' }, { user: SCENE.alice }));
    expect(blocked.content).toMatch(/blocked term.*dragon/);
    expect((await run('blocklist', { term: 'dragon' }, SCENE.bob, ['add'])).content).toMatch(/^Only a moderator can /);
    expect((await run('blocklist', { term: 'dragon' }, SCENE.mod, ['remove'])).content).toBe('Unblocked `dragon`.');
  });
});
