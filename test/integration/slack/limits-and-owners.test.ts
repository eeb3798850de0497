/**
 * What Slack would refuse, and who made what: a prompt with 11,000 repeated flags still gets a
 * status message Slack takes (one warning, Block Kit within its limits), the status message
 * names its owner as a Slack mention from the first line on, and a moderator's history says
 * who made each job.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, PEOPLE, startSlackHarness, type SlackHarness } from './support/slack-harness.ts';
import { ephemeralsTo, eventually, finishedResult, JobCursor, textOf } from './support/slack-results.ts';

describe('Slack limits and owners', () => {
  let harness: SlackHarness;
  let cursor: JobCursor;

  beforeAll(async () => {
    harness = await startSlackHarness({ mode: 'socket' });
    cursor = new JobCursor(harness);
  });
  afterAll(() => harness?.stop(true));

  it('11,000 repeated --ar flags: one warning, a status message Slack accepts, and a result', async () => {
    const flags = Array.from({ length: 11_000 }, () => '--ar 1:1').join(' ');
    await harness.slash({ command: '/imagine', text: `a tiled floor --count 1 --steps 2 ${flags}`, user: PEOPLE.alice.id, channel: CHANNELS.general });
    const job = await cursor.next();
    const posted = await harness.fake.waitForCall((call) => call.method === 'chat.postMessage' && (call.params['text'] ?? '').includes('a tiled floor'));
    expect(posted.ok).toBe(true);
    expect(posted.params['text']).toContain('--ar was given 11000 times; using the last one (1:1).');
    expect((posted.params['text'] ?? '').split('\n').length).toBeLessThan(10);
    const { status } = await finishedResult(harness, job.id, 1);
    expect(textOf(status)).toContain(`*a tiled floor* for <@${PEOPLE.alice.id}>`);
    expect(harness.fake.calls.filter((call) => !call.ok && call.error === 'invalid_blocks')).toEqual([]);
    expect(harness.fake.workspace.violations).toEqual([]);
    // Nobody was told about a failure.
    expect(ephemeralsTo(harness.fake, PEOPLE.alice.id)).toEqual([]);
  });

  it("a moderator's /darkroom history names who made each job; a person's own history does not", async () => {
    await harness.slash({ command: '/imagine', text: 'a bob boat --count 1 --steps 2', user: PEOPLE.bob.id, channel: CHANNELS.general });
    await finishedResult(harness, (await cursor.next()).id, 1);
    await harness.slash({ command: '/darkroom', text: 'history', user: PEOPLE.mod.id, channel: CHANNELS.general });
    const history = await eventually(() => ephemeralsTo(harness.fake, PEOPLE.mod.id)[0], 'the history page');
    const lines = history.text.split('\n');
    expect(lines[0]).toMatch(new RegExp(`UTC · by <@${PEOPLE.bob.id}> · succeeded · .* · a bob boat$`));
    expect(lines[1]).toMatch(new RegExp(`UTC · by <@${PEOPLE.alice.id}> · succeeded · .* · a tiled floor$`));

    await harness.slash({ command: '/darkroom', text: `history <@${PEOPLE.bob.id}|bob>`, user: PEOPLE.bob.id, channel: CHANNELS.general });
    const own = await eventually(() => ephemeralsTo(harness.fake, PEOPLE.bob.id)[0], 'own history');
    expect(own.text).toContain('a bob boat');
    expect(own.text).not.toContain(' · by ');
    expect(harness.fake.workspace.violations).toEqual([]);
  });
});
