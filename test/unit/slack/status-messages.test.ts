import { describe, expect, it } from 'vitest';
import { ProgressBudget } from '../../../src/bots/slack/progress-budget.ts';
import { StatusMessages, imageThread } from '../../../src/bots/slack/status-messages.ts';
import type { Generation } from '../../../src/generation/jobs/job.types.ts';

function job(id: string, messageId: string | undefined): Generation {
  return { id, channelId: 'C1', chat: { messageId, interactionToken: undefined, threadTs: undefined } } as Generation;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('StatusMessages', () => {
  it('an event that arrives before the status message is posted waits for it', async () => {
    const book = new StatusMessages(5_000);
    const located = book.locate(job('g1', undefined), true);
    await tick();
    book.settle('g1', { channel: 'C1', ts: '1.000001', threadTs: undefined });
    expect(await located).toEqual({ channel: 'C1', ts: '1.000001', threadTs: undefined });
  });

  it('after a restart the place comes from the row; a failed post means silence; nobody posting means undefined', async () => {
    const book = new StatusMessages(30);
    expect(await book.locate(job('g2', '2.000001'), true)).toEqual({ channel: 'C1', ts: '2.000001', threadTs: undefined });
    book.settle('g3', null);
    expect(await book.locate(job('g3', undefined), true)).toBeNull();
    expect(await book.locate(job('g4', undefined), false)).toBeUndefined();
    // Waits at most waitMs for a handler that never posts.
    const started = Date.now();
    expect(await book.locate(job('g5', undefined), true)).toBeUndefined();
    expect(Date.now() - started).toBeGreaterThanOrEqual(25);
  });

  it("runs one job's tasks in order and skips a progress update a newer update replaced", async () => {
    const book = new StatusMessages(1_000);
    const shown: string[] = [];
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const first = book.run('g', async () => {
      await gate;
      shown.push('started');
    }, false);
    const progress = [1, 2, 3].map((step) => book.run('g', async () => void shown.push(`step ${step}`), true));
    const done = book.run('g', async () => void shown.push('done'), false);
    // Another job is not held up by this one.
    await book.run('other', async () => void shown.push('other job'), false);
    release();
    await Promise.all([first, ...progress, done]);
    expect(shown).toEqual(['other job', 'started', 'done']);
  });

  it('a failing task rejects for its caller only; later tasks still run; finished jobs are forgotten', async () => {
    const book = new StatusMessages(1_000);
    const failing = book.run('g', async () => {
      throw new Error('boom');
    }, false);
    const next = book.run('g', async () => {}, false);
    await expect(failing).rejects.toThrow('boom');
    await expect(next).resolves.toBeUndefined();
    book.finish('g');
    await tick();
    expect(book.size).toBe(0);
  });

  it('images go into the status message thread, or the thread it is in', () => {
    expect(imageThread({ channel: 'C', ts: '5.1', threadTs: undefined })).toBe('5.1');
    expect(imageThread({ channel: 'C', ts: '5.1', threadTs: '4.9' })).toBe('4.9');
  });
});

describe('ProgressBudget', () => {
  it('allows n progress edits in any minute, then again as old ones age out', () => {
    const clock = { now: 0 };
    const budget = new ProgressBudget(3, () => clock.now);
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
    clock.now = 59_999;
    expect(budget.take()).toBe(false);
    clock.now = 60_000;
    expect([budget.take(), budget.take(), budget.take(), budget.take()]).toEqual([true, true, true, false]);
  });
});
