import { describe, expect, it } from 'vitest';
import { ProgressBudget } from '../../../src/bots/slack/progress-budget.ts';
import { imageThread } from '../../../src/bots/slack/status-messages.ts';

describe('status message places', () => {
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
