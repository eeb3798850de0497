/** A waiting job whose model no running worker has says so instead of an ETA that means nothing. */
import { describe, expect, it } from 'vitest';
import { acceptedReply, queuedReply } from '../../../src/commands/generation-replies.ts';
import { plainMentions, type MentionedPerson } from '../../../src/commands/mentions.ts';
import type { Accepted } from '../../../src/generation/jobs/job.types.ts';
import { moveReason } from '../../../src/generation/jobs/position-announcer.ts';

const ALICE: MentionedPerson = { platform: 'discord', externalId: '42', displayName: 'Alice' };
const generation = { id: 'g1', prompt: 'a cat', kind: 'imagine' } as unknown as Accepted['generation'];

describe('a job no worker can run yet', () => {
  it('says which model no worker has, not an ETA', () => {
    const position = { position: 3, startsInMs: 1_000, etaMs: 30_000, noWorkerFor: 'sdxl-turbo' };
    const reply = acceptedReply({ ok: true, generation, position, warnings: [] }, ALICE);
    expect(plainMentions(reply.text)).toBe('**a cat** for Alice: queued, position 3, waiting: no worker has model sdxl-turbo');
    expect(plainMentions(queuedReply(generation, { ...ALICE, userId: 'u1' }, position, false).text)).toContain('no worker has model sdxl-turbo');
  });

  it('updates the message when a worker with the model comes (or goes)', () => {
    const waiting = { position: 3, startsInMs: 0, etaMs: 30_000, noWorkerFor: 'sdxl-turbo' };
    const served = { position: 3, startsInMs: 0, etaMs: 30_000 };
    expect(moveReason(waiting, served)).toBe('position');
    expect(moveReason(served, waiting)).toBe('position');
    expect(moveReason(served, { ...served })).toBeUndefined();
  });
});
