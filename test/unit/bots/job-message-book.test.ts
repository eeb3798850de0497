import { describe, expect, it } from 'vitest';
import { JobMessageBook, type JobMessageSender } from '../../../src/bots/job-message-book.ts';
import { textReply, type Reply, type ReplyJob } from '../../../src/commands/index.ts';

interface Context {
  channel: string;
}

/** A sender that records what it shows where, and can be held to let updates pile up meanwhile. */
class RecordingSender implements JobMessageSender<string, Context> {
  readonly shown: Array<{ text: string; at: string | undefined }> = [];
  readonly failures: string[] = [];
  failNext: Error | undefined;
  goneNext = false;
  turns = 0;
  /** Shows begun (a held one counts). */
  calls = 0;
  #gate: Promise<void> = Promise.resolve();
  #open: () => void = () => undefined;
  #posted = 0;

  hold(): void {
    this.#gate = new Promise((resolve) => (this.#open = resolve));
  }

  release(): void {
    this.#open();
  }

  async show(context: Context, reply: Reply, location: string | undefined): Promise<string | 'gone'> {
    this.calls++;
    await this.#gate;
    if (this.failNext !== undefined) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    if (this.goneNext) {
      this.goneNext = false;
      return 'gone';
    }
    this.shown.push({ text: reply.text, at: location });
    return location ?? `${context.channel}/posted-${++this.#posted}`;
  }

  failed(_context: Context, reply: Reply): void {
    this.failures.push(reply.text);
  }

  async turn(_context: Context, send: () => Promise<void>): Promise<void> {
    this.turns++;
    await send();
  }
}

function update(state: ReplyJob['state'], text: string, step = 0): Reply {
  return { ...textReply(text, 'public'), job: { generationId: 'g1', state, step } };
}

const here = { channel: 'c1' };
const bound = { stored: undefined, posterComing: true };
const ready = (book: JobMessageBook<string, Context>) => book.idle();
/** Polls until `check` holds (no timing assumptions beyond "eventually"). */
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 2_000 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 5));
  expect(check()).toBe(true);
}

function book(sender: RecordingSender, waitMs = 60_000, remembered = 100) {
  return new JobMessageBook<string, Context>({ sender, sameCopy: (a, b) => a === b, waitMs, remembered });
}

describe('JobMessageBook', () => {
  it('never goes back: an accepted answer after "started" is dropped, and so is progress after the result', async () => {
    const sender = new RecordingSender();
    const jobs = book(sender);
    jobs.bind('g1', 'm1');
    jobs.push('g1', here, update('started', 'developing'), bound);
    await ready(jobs);
    jobs.push('g1', here, update('accepted', 'queued'), bound);
    jobs.push('g1', here, update('finished', 'result'), bound);
    await ready(jobs);
    jobs.push('g1', here, update('progress', 'step 3/4', 3), bound);
    await ready(jobs);
    expect(sender.shown.map((shown) => shown.text)).toEqual(['developing', 'result']);
    expect(sender.shown.every((shown) => shown.at === 'm1')).toBe(true);
    expect(jobs.tracked).toBe(0);
  });

  it('while a send is out only the newest waiting update is kept (a burst of progress collapses)', async () => {
    const sender = new RecordingSender();
    const jobs = book(sender);
    jobs.bind('g1', 'm1');
    sender.hold();
    jobs.push('g1', here, update('started', 'developing'), bound);
    await until(() => sender.calls === 1);
    for (let step = 1; step <= 8; step++) jobs.push('g1', here, update('progress', `step ${step}/8`, step), bound);
    sender.release();
    await ready(jobs);
    expect(sender.shown.map((shown) => shown.text)).toEqual(['developing', 'step 8/8']);
  });

  it('queue moves replace the first answer and each other in arrival order', async () => {
    const sender = new RecordingSender();
    const jobs = book(sender);
    jobs.push('g1', here, update('queued', 'position 3'), bound);
    jobs.push('g1', here, update('queued', 'position 2'), bound);
    jobs.push('g1', here, update('accepted', 'accepted at position 4'), bound);
    jobs.bind('g1', 'm1');
    await ready(jobs);
    expect(sender.shown.map((shown) => shown.text)).toEqual(['position 2']);
  });

  it('events that arrive before the message is posted wait for it, then go to where the handler posted it', async () => {
    const sender = new RecordingSender();
    const jobs = book(sender);
    jobs.push('g1', here, update('started', 'developing'), bound);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(sender.shown).toEqual([]);
    expect(jobs.tracked).toBe(1);
    jobs.bind('g1', 'm1');
    await until(() => sender.shown.length === 1);
    expect(sender.shown).toEqual([{ text: 'developing', at: 'm1' }]);
    expect(jobs.location('g1')).toBe('m1');
  });

  it('when nobody binds within the wait, the sender posts a message of its own and later updates edit it', async () => {
    const sender = new RecordingSender();
    const jobs = book(sender, 10);
    jobs.push('g1', here, update('started', 'developing'), bound);
    await until(() => sender.shown.length === 1);
    expect(sender.shown[0]).toEqual({ text: 'developing', at: undefined });
    jobs.bind('g1', 'too-late');
    jobs.push('g1', here, update('finished', 'result'), bound);
    await ready(jobs);
    expect(sender.shown[1]).toEqual({ text: 'result', at: 'c1/posted-1' });
  });

  it('does not wait when the row names the message, nor when nobody is posting one (recovered job)', async () => {
    const sender = new RecordingSender();
    const jobs = book(sender);
    jobs.push('g1', here, update('queued', 'back in the queue'), { stored: 'row-message', posterComing: true });
    jobs.push('g2', here, { ...update('queued', 'recovered, no message'), job: { generationId: 'g2', state: 'queued', step: 0 } }, { stored: undefined, posterComing: false });
    await ready(jobs);
    expect(sender.shown).toEqual([
      { text: 'back in the queue', at: 'row-message' },
      { text: 'recovered, no message', at: undefined },
    ]);
  });

  it('a deleted message ends the job: nothing more is sent; a silenced job shows nothing', async () => {
    const sender = new RecordingSender();
    const jobs = book(sender);
    jobs.bind('g1', 'm1');
    sender.goneNext = true;
    jobs.push('g1', here, update('started', 'developing'), bound);
    await ready(jobs);
    jobs.push('g1', here, update('finished', 'result'), bound);
    jobs.silence('g2');
    jobs.push('g2', here, { ...update('started', 'developing'), job: { generationId: 'g2', state: 'started', step: 0 } }, bound);
    await ready(jobs);
    expect(sender.shown).toEqual([]);
    expect(jobs.location('g1')).toBeUndefined();
    expect(jobs.tracked).toBe(0);
  });

  it('a failed progress edit is replaced by the next update; a failed final state counts as shown', async () => {
    const sender = new RecordingSender();
    const jobs = book(sender);
    jobs.bind('g1', 'm1');
    sender.failNext = new Error('network');
    jobs.push('g1', here, update('progress', 'step 1/4', 1), bound);
    await ready(jobs);
    jobs.push('g1', here, update('progress', 'step 1/4 again', 1), bound);
    await ready(jobs);
    sender.failNext = new Error('network');
    jobs.push('g1', here, update('finished', 'result'), bound);
    await ready(jobs);
    jobs.push('g1', here, update('cancelled', 'cancelled'), bound);
    await ready(jobs);
    expect(sender.failures).toEqual(['step 1/4', 'result']);
    expect(sender.shown.map((shown) => shown.text)).toEqual(['step 1/4 again']);
  });

  it("a sender whose failure report throws does not stop the job's later updates", async () => {
    const sender = new RecordingSender();
    sender.failed = () => {
      throw new Error('the report failed too');
    };
    const jobs = book(sender);
    jobs.bind('g1', 'm1');
    sender.failNext = new Error('network');
    jobs.push('g1', here, update('progress', 'step 1/4', 1), bound);
    await ready(jobs);
    jobs.push('g1', here, update('finished', 'result'), bound);
    await ready(jobs);
    expect(sender.shown.map((shown) => shown.text)).toEqual(['result']);
  });

  it('exclusive work runs after what is being sent and before later updates; every send takes a turn', async () => {
    const sender = new RecordingSender();
    const jobs = book(sender);
    jobs.bind('g1', 'm1');
    const order: string[] = [];
    sender.hold();
    jobs.push('g1', here, update('started', 'developing'), bound);
    const work = jobs.exclusive('g1', async () => {
      order.push(`exclusive after ${sender.shown.length} sends`);
      return 42;
    });
    sender.release();
    expect(await work).toBe(42);
    jobs.push('g1', here, update('finished', 'result'), bound);
    await ready(jobs);
    expect(order).toEqual(['exclusive after 1 sends']);
    expect(sender.shown.map((shown) => shown.text)).toEqual(['developing', 'result']);
    expect(sender.turns).toBe(2);
    await expect(jobs.exclusive('g1', async () => Promise.reject(new Error('only the caller sees this')))).rejects.toThrow('only the caller');
    jobs.push('g1', here, update('cancelled', 'not after done'), bound);
    await ready(jobs);
    expect(sender.shown).toHaveLength(2);
  });

  it('remembers copies per job, and at most `remembered` idle jobs, forgetting the oldest first', async () => {
    const sender = new RecordingSender();
    const jobs = book(sender, 60_000, 3);
    jobs.addCopy('g1', 'copy-a');
    jobs.addCopy('g1', 'copy-a');
    jobs.addCopy('g1', 'copy-b');
    expect(jobs.copies('g1')).toEqual(['copy-a', 'copy-b']);
    for (const id of ['g2', 'g3', 'g4']) jobs.addCopy(id, `copy-${id}`);
    expect(jobs.copies('g1')).toEqual([]);
    expect(jobs.copies('g4')).toEqual(['copy-g4']);
    jobs.forget('g4');
    expect(jobs.copies('g4')).toEqual([]);
  });

  it('replies that are not job updates are ignored', async () => {
    const sender = new RecordingSender();
    const jobs = book(sender);
    jobs.bind('g1', 'm1');
    jobs.push('g1', here, textReply('not a job message', 'public'), bound);
    await ready(jobs);
    expect(sender.shown).toEqual([]);
  });
});
