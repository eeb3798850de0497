import { describe, expect, it } from 'vitest';
import { createHarness, from } from '../../support/service/service-harness.ts';

const alice = { platform: 'discord' as const, externalId: 'alice', displayName: 'alice' };

describe('/queue', () => {
  it('lists only the asker’s waiting jobs, oldest first, with their places', async () => {
    const harness = createHarness({ queue: { perUserQueued: 10 } });
    // The queue is not started: everything waits.
    await harness.service.imagine({ ...from('alice'), options: { prompt: 'first lighthouse', values: {} } });
    await harness.service.imagine({ ...from('bob'), options: { prompt: 'bob harbour', values: {} } });
    await harness.service.imagine({ ...from('alice'), options: { prompt: 'second lighthouse', values: {} } });
    const reply = await harness.commands.handle({ name: 'queue' }, from('alice'));
    expect(reply.visibility).toBe('private');
    const lines = reply.text.split('\n').slice(1);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/first lighthouse · queued, position 1, done in about/);
    expect(lines[1]).toMatch(/second lighthouse · queued, position 3, done in about/);
    expect(reply.text).not.toContain('bob');
  });

  it('says so when nothing is waiting', async () => {
    const harness = createHarness();
    expect((await harness.commands.handle({ name: 'queue' }, from('alice'))).text).toBe('You have no jobs waiting or running.');
  });
});

describe('/history days', () => {
  it('keeps only jobs queued within the last N days', async () => {
    const harness = createHarness({ queue: { perUserQueued: 10 } });
    await harness.service.imagine({ ...from('alice'), options: { prompt: 'old job', values: {} } });
    harness.clock.now += 3 * 86_400_000;
    await harness.service.imagine({ ...from('alice'), options: { prompt: 'new job', values: {} } });
    const command = { name: 'history' as const, user: alice, channelId: undefined, statuses: undefined, cursor: undefined };
    const recent = await harness.commands.handle({ ...command, days: 2 }, from('alice'));
    expect(recent.text).toContain('new job');
    expect(recent.text).not.toContain('old job');
    const all = await harness.commands.handle({ ...command, days: undefined }, from('alice'));
    expect(all.text.split('\n')).toHaveLength(2);
  });
});
