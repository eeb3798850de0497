import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { EditPacer } from '../../../src/bots/discord/edit-pacer.ts';
import { JobMessage, RANK, type JobMessageSender } from '../../../src/bots/discord/job-message.ts';
import { JobMessages } from '../../../src/bots/discord/job-messages.ts';
import { plainMentions, textReply, type Reply } from '../../../src/commands/index.ts';
import type { Generation } from '../../../src/generation/jobs/job.types.ts';
import type { JobOwner } from '../../../src/generation/requests/request.types.ts';

/** A sender that records what it shows and can be held, to let updates pile up meanwhile. */
class RecordingSender implements JobMessageSender {
  readonly shown: string[] = [];
  failNext: Error | undefined;
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => undefined;

  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open();
  }

  async show(_job: JobMessage, reply: Reply): Promise<void> {
    await this.#gate;
    if (this.failNext !== undefined) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    this.shown.push(reply.text);
  }
}

const noPacing = () => new EditPacer(0, () => 0, async () => undefined);
const silent = pino({ level: 'silent' });
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

function job(sender: JobMessageSender) {
  const message = new JobMessage('g1', 'c1', 'u1', sender, noPacing(), silent, () => undefined);
  message.bind({ kind: 'channel', messageId: 'm1', replyTo: undefined, mention: false });
  return message;
}

const update = (rank: number, text: string, step = 0) => ({ rank, step, reply: textReply(text, 'public') });

describe('JobMessage', () => {
  it('never goes back: an "accepted" answer that arrives after "started" is dropped, and so is progress after the result', async () => {
    const sender = new RecordingSender();
    const message = job(sender);
    message.push(update(RANK.started, 'developing'));
    await settle();
    message.push(update(RANK.accepted, 'queued'));
    message.push(update(RANK.done, 'result'));
    await settle();
    message.push(update(RANK.progress, 'step 3/4', 3));
    await settle();
    expect(sender.shown).toEqual(['developing', 'result']);
    expect(message.finished).toBe(true);
  });

  it('sends only the newest state after a slow send: ten progress steps collapse into the last one', async () => {
    const sender = new RecordingSender();
    const message = job(sender);
    sender.hold();
    message.push(update(RANK.started, 'developing'));
    await settle();
    for (let step = 1; step <= 10; step++) message.push(update(RANK.progress, `step ${step}/10`, step));
    // An older step arriving late does not replace a newer one.
    message.push(update(RANK.progress, 'step 4/10', 4));
    sender.release();
    await settle();
    expect(sender.shown).toEqual(['developing', 'step 10/10']);
  });

  it('holds updates until it knows where the message is', async () => {
    const sender = new RecordingSender();
    const message = new JobMessage('g1', 'c1', 'u1', sender, noPacing(), silent, () => undefined);
    message.push(update(RANK.started, 'developing'));
    message.push(update(RANK.progress, 'step 1/2', 1));
    await settle();
    expect(sender.shown).toEqual([]);
    message.bind({ kind: 'channel', messageId: undefined, replyTo: undefined, mention: true });
    await settle();
    expect(sender.shown).toEqual(['step 1/2']);
  });

  it('lets the next progress replace a failed one, and stops after a deleted message', async () => {
    const sender = new RecordingSender();
    const message = job(sender);
    sender.failNext = new Error('network');
    message.push(update(RANK.progress, 'step 1/4', 1));
    await settle();
    message.push(update(RANK.progress, 'step 2/4', 2));
    await settle();
    message.markGone();
    message.push(update(RANK.done, 'result'));
    await settle();
    expect(sender.shown).toEqual(['step 2/4']);
  });

  it('paces sends to one bucket', async () => {
    const sender = new RecordingSender();
    let now = 0;
    const sleeps: number[] = [];
    const pacer = new EditPacer(1_100, () => now, async (ms) => {
      sleeps.push(ms);
      now += ms;
    });
    const message = new JobMessage('g1', 'c1', 'u1', sender, pacer, silent, () => undefined);
    message.bind({ kind: 'interaction', token: 't', issuedAt: 0, messageId: undefined });
    message.push(update(RANK.started, 'developing'));
    await settle();
    message.push(update(RANK.progress, 'step 1/2', 1));
    await settle();
    message.push(update(RANK.done, 'result'));
    await settle();
    expect(sender.shown).toEqual(['developing', 'step 1/2', 'result']);
    expect(sleeps).toEqual([1_100, 1_100]);
  });
});

describe('JobMessages (lifecycle events)', () => {
  const owner = (platform: 'discord' | 'slack'): JobOwner => ({ userId: 'u', platform, externalId: '42', displayName: 'Ada' });
  const generation = (chat: Generation['chat']): Generation =>
    ({ id: 'g1', channelId: 'c1', prompt: 'a cat', kind: 'imagine', queuedAt: new Date(), chat }) as unknown as Generation;

  it('finds the message from the job row, ignores other platforms, and ignores events after the result', async () => {
    const targets: string[] = [];
    const sender: JobMessageSender = {
      show: async (job, reply) => {
        targets.push(`${job.target.kind}:${plainMentions(reply.text).split('\n')[0]}`);
      },
    };
    const jobs = new JobMessages({ sender, pacer: noPacing(), logger: silent });
    const row = generation({ messageId: undefined, interactionToken: 'tok', threadTs: undefined });
    await jobs.started({ generation: row, owner: owner('slack') });
    await jobs.started({ generation: row, owner: owner('discord') });
    await settle();
    await jobs.cancelled({ generation: row, owner: owner('discord'), by: 'owner' });
    await settle();
    await jobs.progress({ generation: row, owner: owner('discord'), step: 2, totalSteps: 4, etaMs: 1000, preview: undefined });
    jobs.accepted('g1', 'c1', '42', { kind: 'interaction', token: 'tok', issuedAt: 0, messageId: undefined }, textReply('queued', 'public'));
    await settle();
    expect(targets).toEqual(['interaction:**a cat** for Ada: developing…', 'interaction:**a cat** for Ada: cancelled.']);
  });
});
