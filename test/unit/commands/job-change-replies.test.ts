/**
 * What Cancel and ❌ answer, and the job change they hand the adapters (so every message of the
 * job is updated): ❌ on a job that is still waiting cancels it and says so.
 */
import { describe, expect, it } from 'vitest';
import { cancelAnswer, deleteAnswer } from '../../../src/commands/job-change-replies.ts';
import { createHarness, from } from '../../support/service/service-harness.ts';

describe('Cancel and ❌ answers', () => {
  it('❌ on a waiting job cancels it: "Cancelled", not "Nothing left to delete", and the change is a cancel', async () => {
    const harness = createHarness();
    const accepted = await harness.service.imagine({ ...from('alice'), options: { prompt: 'a waiting lighthouse', values: {} } });
    if (!accepted.ok) throw new Error(accepted.message);
    const id = accepted.generation.id;
    const reply = await harness.commands.handle({ name: 'delete', generationId: id, imageIndex: undefined, reason: undefined }, from('alice'));
    expect(reply.text).toBe('Cancelled. It had not made any images yet, so there was nothing to delete.');
    expect(reply.jobChange).toEqual({ generationId: id, change: 'cancelled' });
    expect((await harness.db.generations.get(id))?.status).toBe('cancelled');
    // Again: nothing is waiting any more, and nothing was made.
    const again = await harness.commands.handle({ name: 'delete', generationId: id, imageIndex: undefined, reason: undefined }, from('alice'));
    expect(again.text).toBe('Nothing left to delete.');
    expect(again.jobChange).toEqual({ generationId: id, change: 'deleted' });
  });

  it('a refused ❌ changes nothing', async () => {
    const harness = createHarness();
    const accepted = await harness.service.imagine({ ...from('alice'), options: { prompt: 'a waiting harbour', values: {} } });
    if (!accepted.ok) throw new Error(accepted.message);
    const reply = await harness.commands.handle({ name: 'delete', generationId: accepted.generation.id, imageIndex: undefined, reason: undefined }, from('bob'));
    expect(reply.refusal?.code).toBe('forbidden');
    expect(reply.jobChange).toBeUndefined();
  });

  it('words and changes for each case', () => {
    expect(cancelAnswer('g', 'cancelled')).toMatchObject({ text: 'Cancelled.', jobChange: { generationId: 'g', change: 'cancelled' } });
    expect(cancelAnswer('g', 'already_finished').jobChange).toBeUndefined();
    expect(deleteAnswer('g', undefined, 2, false)).toMatchObject({ text: 'Deleted 2 images.', jobChange: { generationId: 'g', change: 'deleted' } });
    // One image of a result: the other messages keep the rest.
    const oneImage = deleteAnswer('g', 1, 1, false);
    expect([oneImage.text, oneImage.jobChange]).toEqual(['Deleted 1 image.', undefined]);
  });
});
