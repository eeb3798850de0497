/**
 * Attempts count crashes, not shutdowns: a job aborted by a graceful stop goes back to `queued`
 * without using up an attempt, so restarting Darkroom twice never fails a job as a crash loop.
 */
import { describe, expect, it } from 'vitest';
import { createHarness, from, options } from '../../support/service/service-harness.ts';

describe('job leases and attempts', () => {
  it('releases a job interrupted by shutdown without counting the attempt, and runs it at the next start', async () => {
    const first = createHarness({ engine: { stepMs: 200 } });
    await first.service.start();
    const outcome = await first.service.imagine({ ...from('ann'), options: options('a lighthouse --count 1 --steps 20') });
    if (!outcome.ok) throw new Error(outcome.message);
    const id = outcome.generation.id;
    await first.recorder.waitFor('started', id);
    expect((await first.repositories.jobLeases.get(id))?.attempts).toBe(1);
    await first.service.stop(AbortSignal.abort());
    expect(await first.repositories.jobLeases.get(id)).toMatchObject({ status: 'queued', attempts: 0, owner: undefined });

    for (let restart = 0; restart < 2; restart++) {
      // The same database, a new process, stopped again while the job runs.
      const again = createHarness({ repositories: first.repositories, engine: { stepMs: 200 } });
      await again.service.start();
      await again.recorder.waitFor('started', id);
      await again.service.stop(AbortSignal.abort());
    }
    const last = createHarness({ repositories: first.repositories, engine: { stepMs: 1 } });
    await last.service.start();
    await last.recorder.waitFor('finished', id);
    expect((await first.repositories.generations.get(id))?.status).toBe('succeeded');
    expect((await first.repositories.jobLeases.get(id))?.attempts).toBe(1);
  });
});
