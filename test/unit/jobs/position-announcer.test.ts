import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Generation } from '../../../src/db/domain.types.ts';
import type { QueuePosition, WaitingJob } from '../../../src/generation/queue/index.ts';
import { PositionAnnouncer, moveReason } from '../../../src/generation/jobs/position-announcer.ts';
import { SafeEvents } from '../../../src/generation/jobs/safe-events.ts';
import type { GenerationEvents } from '../../../src/generation/jobs/job.types.ts';
import type { JobOwner } from '../../../src/generation/requests/request.types.ts';

const at = (position: number, etaMs: number): QueuePosition => ({ position, startsInMs: 0, etaMs });
const owner: JobOwner = { userId: 'u', platform: 'discord', externalId: '1', displayName: 'Ada' };
const row = (id: string) => ({ id }) as unknown as Generation;
const settle = () => new Promise((resolve) => setImmediate(resolve));

function setup() {
  let waiting: WaitingJob[] = [];
  let notify: () => void = () => undefined;
  const started = new Set<string>();
  const moves: Array<{ id: string; position: number; reason: string }> = [];
  const listener = {
    moved: (event: Parameters<NonNullable<GenerationEvents['moved']>>[0]) => void moves.push({ id: event.generation.id, position: event.position.position, reason: event.reason }),
  } as unknown as GenerationEvents;
  const announcer = new PositionAnnouncer({
    queue: { waiting: async () => waiting, onChange: (listen) => (notify = listen) },
    registry: { get: (id) => (started.has(id) ? { owner, nsfwAllowed: false, warnings: [], started: true } : undefined) },
    events: new SafeEvents(listener, pino({ level: 'silent' })),
    logger: pino({ level: 'silent' }),
  });
  return {
    announcer,
    moves,
    started,
    move: async (next: WaitingJob[]) => {
      waiting = next;
      notify();
      await settle();
    },
  };
}

describe('PositionAnnouncer', () => {
  it('tells a move of place at once, and an ETA only when it moved by 5 s and a quarter', () => {
    expect(moveReason(at(2, 60_000), at(1, 30_000))).toBe('position');
    expect(moveReason(at(1, 60_000), at(1, 50_000))).toBeUndefined();
    expect(moveReason(at(1, 60_000), at(1, 40_000))).toBe('estimate');
    expect(moveReason(at(1, 8_000), at(1, 4_000))).toBeUndefined();
    expect(moveReason(at(1, 300_000), at(1, 40_000))).toBe('estimate');
  });

  it('announces waiting jobs that moved, not jobs that started or left the queue', async () => {
    const { announcer, moves, started, move } = setup();
    announcer.track(row('b'), owner, at(1, 60_000));
    announcer.track(row('c'), owner, at(2, 120_000));
    await move([
      { jobId: 'b', position: at(1, 58_000) },
      { jobId: 'c', position: at(2, 118_000) },
    ]);
    expect(moves).toEqual([]);
    started.add('b');
    await move([
      { jobId: 'b', position: at(1, 1_000) },
      { jobId: 'c', position: at(1, 60_000) },
    ]);
    expect(moves).toEqual([{ id: 'c', position: 1, reason: 'position' }]);
    await move([]);
    await move([{ jobId: 'c', position: at(3, 60_000) }]);
    // Gone from the queue once: no longer followed.
    expect(moves).toHaveLength(1);
  });
});
