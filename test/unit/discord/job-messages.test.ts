import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EditPacer } from '../../../src/bots/discord/edit-pacer.ts';
import type { DiscordJob, DiscordJobMessage, DiscordJobSender } from '../../../src/bots/discord/job-message.sender.ts';
import { JobMessages } from '../../../src/bots/discord/job-messages.ts';
import { plainMentions, type Reply } from '../../../src/commands/index.ts';
import type { Generation } from '../../../src/generation/jobs/job.types.ts';
import type { JobOwner } from '../../../src/generation/requests/request.types.ts';

const noPacing = () => new EditPacer(0, () => 0, async () => undefined);
const silent = pino({ level: 'silent' });
const owner = (platform: 'discord' | 'slack'): JobOwner => ({ userId: 'u', platform, externalId: '42', displayName: 'Ada' });
const generation = (chat: Generation['chat']): Generation =>
  ({ id: 'g1', channelId: 'c1', prompt: 'a cat', kind: 'imagine', queuedAt: new Date(), chat }) as unknown as Generation;

/** Records each show as `<target kind>:<first line>`; a channel message gets id m1 when posted. */
function recording(): { sender: Pick<DiscordJobSender, 'show'>; shown: string[] } {
  const shown: string[] = [];
  const sender = {
    show: async (_job: DiscordJob, reply: Reply, message: DiscordJobMessage | undefined) => {
      const at = message ?? { target: { kind: 'channel' as const, messageId: undefined, replyTo: undefined, mention: true } };
      shown.push(`${at.target.kind}${at.target.kind === 'channel' && at.target.mention ? '+mention' : ''}:${plainMentions(reply.text).split('\n')[0]}`);
      if (at.target.kind === 'channel') at.target.messageId ??= 'm1';
      return at;
    },
  };
  return { sender, shown };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

describe('Discord JobMessages (lifecycle events on the job-message book)', () => {
  it('finds the message from the job row, ignores other platforms, and ignores events after the result', async () => {
    const { sender, shown } = recording();
    const jobs = new JobMessages({ sender, pacer: noPacing(), logger: silent });
    const row = generation({ messageId: undefined, interactionToken: 'tok', threadTs: undefined });
    void jobs.started({ generation: row, owner: owner('slack') });
    void jobs.started({ generation: row, owner: owner('discord') });
    await jobs.flush();
    void jobs.cancelled({ generation: row, owner: owner('discord'), by: 'owner' });
    await jobs.flush();
    void jobs.progress({ generation: row, owner: owner('discord'), step: 2, totalSteps: 4, etaMs: 1000, preview: undefined });
    await jobs.flush();
    expect(shown).toEqual(['interaction:**a cat** for Ada: developing…', 'interaction:**a cat** for Ada: cancelled.']);
  });

  it("a reaction's job: events wait for the handler's answer, then edit the channel message it posted", async () => {
    const { sender, shown } = recording();
    const jobs = new JobMessages({ sender, pacer: noPacing(), logger: silent });
    const row = generation({ messageId: undefined, interactionToken: undefined, threadTs: undefined });
    void jobs.started({ generation: row, owner: owner('discord') });
    await jobs.flush();
    expect(shown).toEqual([]);
    const accepted: Reply = { visibility: 'public', text: 'queued', attachments: [], buttons: [], refusal: undefined, job: { generationId: 'g1', state: 'accepted', step: 0 } };
    jobs.accepted('g1', 'c1', '42', { kind: 'channel', messageId: undefined, replyTo: 'r1', mention: true }, accepted);
    await until(() => shown.length === 1);
    expect(shown).toEqual(['channel+mention:**a cat** for Ada: developing…']);
    expect(jobs.messageOf('g1')).toEqual({ channelId: 'c1', messageId: 'm1' });
  });

  it('a job nobody answers gets a new channel message naming the person once the wait is over', async () => {
    const { sender, shown } = recording();
    const jobs = new JobMessages({ sender, pacer: noPacing(), logger: silent, waitMs: 10 });
    const row = generation({ messageId: undefined, interactionToken: undefined, threadTs: undefined });
    void jobs.started({ generation: row, owner: owner('discord') });
    await until(() => shown.length === 1);
    expect(shown).toEqual(['channel+mention:**a cat** for Ada: developing…']);
  });

  it('paces the sends of one channel', async () => {
    const { sender, shown } = recording();
    let now = 0;
    const sleeps: number[] = [];
    const pacer = new EditPacer(1_100, () => now, async (ms) => {
      sleeps.push(ms);
      now += ms;
    });
    const jobs = new JobMessages({ sender, pacer, logger: silent });
    const row = generation({ messageId: 'm0', interactionToken: undefined, threadTs: undefined });
    void jobs.started({ generation: row, owner: owner('discord') });
    await jobs.flush();
    void jobs.progress({ generation: row, owner: owner('discord'), step: 1, totalSteps: 2, etaMs: 1000, preview: undefined });
    await jobs.flush();
    void jobs.failed({ generation: row, owner: owner('discord'), code: 'internal', message: 'Oops.' });
    await jobs.flush();
    expect(shown).toEqual(['channel:**a cat** for Ada: developing…', 'channel:**a cat** for Ada: step 1/2, done in about 1 s', 'channel:**a cat** for Ada: failed. Oops.']);
    expect(sleeps).toEqual([1_100, 1_100]);
  });

  it('remembers /show copies until the job is deleted', () => {
    const { sender } = recording();
    const jobs = new JobMessages({ sender, pacer: noPacing(), logger: silent });
    jobs.rememberCopy('g1', { channelId: 'c1', messageId: 'copy1' });
    jobs.rememberCopy('g1', { channelId: 'c2', messageId: 'copy2' });
    jobs.rememberCopy('g1', { channelId: 'c1', messageId: 'copy1' });
    expect(jobs.copiesOf('g1')).toEqual([
      { channelId: 'c2', messageId: 'copy2' },
      { channelId: 'c1', messageId: 'copy1' },
    ]);
    jobs.forget('g1');
    expect(jobs.copiesOf('g1')).toEqual([]);
  });
});
