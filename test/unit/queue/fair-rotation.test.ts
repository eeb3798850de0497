import { describe, expect, it } from 'vitest';
import { FairRotation } from '../../../src/generation/queue/fair-rotation.ts';

interface Job {
  id: string;
  userId: string;
}

function jobsOf(userId: string, count: number): Job[] {
  return Array.from({ length: count }, (_, index) => ({ id: `${userId}${index + 1}`, userId }));
}

function takeAll(rotation: FairRotation<Job>): string[] {
  const ids: string[] = [];
  for (let job = rotation.take(); job !== undefined; job = rotation.take()) ids.push(job.id);
  return ids;
}

describe('FairRotation', () => {
  it('gives each person one turn per round, whatever they queued', () => {
    const rotation = new FairRotation<Job>();
    for (const job of [...jobsOf('A', 3), ...jobsOf('B', 1), ...jobsOf('C', 2)]) rotation.add(job);
    expect(takeAll(rotation)).toEqual(['A1', 'B1', 'C1', 'A2', 'C2', 'A3']);
  });

  it('lets a newcomer go before the person who was just served, but not before others still waiting', () => {
    const rotation = new FairRotation<Job>();
    for (const job of [...jobsOf('A', 5), ...jobsOf('B', 5)]) rotation.add(job);
    expect(rotation.take()?.id).toBe('A1');
    expect(rotation.take()?.id).toBe('B1');
    // B was served last; A has waited longest; the newcomer D comes after A, before B.
    rotation.add({ id: 'D1', userId: 'D' });
    expect(takeAll(rotation).slice(0, 3)).toEqual(['A2', 'D1', 'B2']);
  });

  it('cannot be gamed by leaving and re-joining the rotation', () => {
    const rotation = new FairRotation<Job>();
    for (const job of [...jobsOf('A', 1), ...jobsOf('B', 3), ...jobsOf('C', 3)]) rotation.add(job);
    expect(rotation.take()?.id).toBe('A1');
    // A's lane is empty now; A queues again right away and must wait for B and C.
    rotation.add({ id: 'A2', userId: 'A' });
    expect(takeAll(rotation)).toEqual(['B1', 'C1', 'A2', 'B2', 'C2', 'B3', 'C3']);
  });

  it('keeps the person just served at the back even when their lane ran empty in between', () => {
    const rotation = new FairRotation<Job>();
    rotation.add({ id: 'A1', userId: 'A' });
    expect(rotation.take()?.id).toBe('A1');
    rotation.add({ id: 'A2', userId: 'A' });
    rotation.add({ id: 'B1', userId: 'B' });
    expect(takeAll(rotation)).toEqual(['B1', 'A2']);
  });

  it('predicts exactly the order take() will produce', () => {
    const rotation = new FairRotation<Job>();
    for (const job of [...jobsOf('A', 4), ...jobsOf('B', 2)]) rotation.add(job);
    rotation.take();
    rotation.add({ id: 'C1', userId: 'C' });
    const predicted = rotation.startOrder().map((job) => job.id);
    expect(takeAll(rotation)).toEqual(predicted);
  });

  it('removes a waiting job and keeps the sizes right', () => {
    const rotation = new FairRotation<Job>();
    for (const job of [...jobsOf('A', 2), ...jobsOf('B', 1)]) rotation.add(job);
    expect(rotation.remove('B1')).toBe(true);
    expect(rotation.remove('B1')).toBe(false);
    expect(rotation.size).toBe(2);
    expect(rotation.sizeOf('B')).toBe(0);
    expect(takeAll(rotation)).toEqual(['A1', 'A2']);
  });
});
