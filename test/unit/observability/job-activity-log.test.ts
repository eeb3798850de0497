/**
 * The operator's view of long jobs in the log: a line each time a job passes a multiple of N
 * steps (progress events arrive throttled, so steps are skipped), none for short jobs, and the
 * "waiting for job X" lines a shutdown writes.
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import type { Generation, JobEvent } from '../../../src/generation/jobs/job.types.ts';
import { JobActivityLog } from '../../../src/observability/index.ts';

function capture(): { logger: pino.Logger; lines: () => Array<Record<string, unknown>> } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines: () => chunks.join('').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

function job(id: string, steps: number): JobEvent {
  const generation = { id, steps, kind: 'imagine' } as unknown as Generation;
  return { generation, owner: { userId: 'u1', platform: 'discord', externalId: '42', displayName: 'ada' } };
}

describe('JobActivityLog', () => {
  it('writes job.progress each time a long job passes a multiple of everySteps, and never for a short one', () => {
    const { logger, lines } = capture();
    let now = 1_000;
    const activity = new JobActivityLog({ logger, everySteps: 10, now: () => now });
    const long = job('long-job', 30);
    const short = job('short-job', 4);
    void activity.started(long);
    void activity.started(short);
    for (const step of [3, 10, 12, 25, 30]) {
      now += 1_000;
      void activity.progress({ ...long, step, totalSteps: 30, etaMs: 500, preview: undefined });
    }
    for (const step of [1, 2, 3, 4]) void activity.progress({ ...short, step, totalSteps: 4, etaMs: 0, preview: undefined });
    const progress = lines().filter((line) => line['msg'] === 'job.progress');
    expect(progress.map((line) => [line['jobId'], line['step'], line['totalSteps']])).toEqual([
      ['long-job', 10, 30],
      ['long-job', 25, 30],
    ]);
    expect(progress[0]?.['level']).toBe(30);
    expect(progress[1]?.['elapsedMs']).toBe(4_000);
  });

  it('names every running job with "waiting for job X" at shutdown, and forgets finished ones', () => {
    const { logger, lines } = capture();
    const activity = new JobActivityLog({ logger, everySteps: 10, now: () => 5_000 });
    const first = job('job-a', 8);
    const second = job('job-b', 8);
    void activity.started(first);
    void activity.started(second);
    void activity.progress({ ...first, step: 6, totalSteps: 8, etaMs: 100, preview: undefined });
    void activity.finished({ ...second, images: [], grid: undefined, withheld: undefined, warnings: [] });
    activity.logWaiting(logger);
    const waiting = lines().filter((line) => String(line['msg']).startsWith('waiting for job'));
    expect(waiting.map((line) => [line['msg'], line['step'], line['totalSteps']])).toEqual([['waiting for job job-a', 6, 8]]);
    expect(activity.runningJobIds).toEqual(['job-a']);
  });
});
