/**
 * The Slack adapter acts on a reaction or button press only when this process claims it: an
 * event another process (sharing the database) already took does nothing here, while the next
 * one does. Real bolt adapter, fake Slack, PGlite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHANNELS, PEOPLE, startSlackHarness, type SlackHarness } from './support/slack-harness.ts';
import { finishedResult, JobCursor, jobs } from './support/slack-results.ts';

describe('Slack events claimed across processes', () => {
  let harness: SlackHarness;
  let cursor: JobCursor;

  beforeAll(async () => {
    harness = await startSlackHarness({ mode: 'http' });
    cursor = new JobCursor(harness);
  });
  afterAll(() => harness?.stop(true));

  it('starts one job for a slash command whose retry reached another process first', async () => {
    // Behind a load balancer, Slack's retry of this command went to another process, which claimed it.
    expect(await harness.generation.claimEvent('slack:command:TrOTHERPROCESS')).toBe(true);
    expect((await harness.slash({ command: '/imagine', text: 'a harbour at night --count 1', user: PEOPLE.bob.id, channel: CHANNELS.general, triggerId: 'TrOTHERPROCESS' })).status).toBe(200);
    expect((await harness.slash({ command: '/imagine', text: 'a harbour at noon --count 1', user: PEOPLE.bob.id, channel: CHANNELS.general, triggerId: 'TrTHISPROCESS1' })).status).toBe(200);
    const job = await cursor.next();
    expect(job.prompt).toBe('a harbour at noon');
    // The claimed command started nothing here, however long we wait for this process's other work (a job that ends has been acked and run).
    await finishedResult(harness, job.id, 1);
    expect((await jobs(harness)).filter((row) => row.prompt.startsWith('a harbour'))).toHaveLength(1);
  });

  it('ignores a 🔄 another process claimed and handles the next one', async () => {
    expect((await harness.slash({ command: '/imagine', text: 'a tide pool --count 1', user: PEOPLE.alice.id, channel: CHANNELS.general })).status).toBe(200);
    const parent = await cursor.next();
    const result = await finishedResult(harness, parent.id, 1);

    // Another process received this very event first and claimed it.
    expect(await harness.generation.claimEvent('slack:event:EvOTHERPROCESS')).toBe(true);
    const reroll = { user: PEOPLE.bob.id, reaction: 'arrows_counterclockwise', channel: CHANNELS.general, ts: result.status.ts };
    expect((await harness.react({ ...reroll, eventId: 'EvOTHERPROCESS' })).status).toBe(200);
    expect((await harness.react({ ...reroll, eventId: 'EvTHISPROCESS1' })).status).toBe(200);
    const child = await cursor.next();
    expect([child.kind, child.parentId]).toEqual(['reroll', parent.id]);

    // Once the adapter has finished all work it took on, there is still exactly one reroll.
    await harness.adapter.stopTakingWork(AbortSignal.timeout(60_000));
    const rerolls = (await jobs(harness)).filter((row) => row.kind === 'reroll' && row.parentId === parent.id);
    expect(rerolls.map((row) => row.id)).toEqual([child.id]);
  });

});
