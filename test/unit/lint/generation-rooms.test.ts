/**
 * The direction between the generation rooms, as `npm run lint` applies it: requests/ imports
 * neither jobs/ nor moderation/, moderation/ imports requests/ but not jobs/, jobs/ may use both,
 * and only the factory wires the three. Linted as text (no type information needed for this rule).
 */
import { describe, expect, it } from 'vitest';
import { refusals } from './lint-probe.ts';

describe('generation rooms in lint', () => {
  it('refuses requests/ importing jobs/, moderation/ or the factory', async () => {
    const refused = [expect.stringContaining('src/generation/requests sits below jobs/ and moderation/')];
    expect(await refusals('src/generation/requests/probe.ts', '../jobs/job.types.ts')).toEqual(refused);
    expect(await refusals('src/generation/requests/probe.ts', '../moderation/index.ts')).toEqual(refused);
    expect(await refusals('src/generation/requests/probe.ts', '../generation-services.factory.ts')).toEqual(refused);
    expect(await refusals('src/generation/requests/probe.ts', './refusal.ts')).toEqual([]);
  });

  it('lets moderation/ use requests/ but not jobs/', async () => {
    expect(await refusals('src/generation/moderation/probe.ts', '../requests/who.ts')).toEqual([]);
    expect(await refusals('src/generation/moderation/probe.ts', '../jobs/job-registry.ts')).toEqual([
      expect.stringContaining('src/generation/moderation may import requests/, not jobs/'),
    ]);
  });

  it('lets jobs/ use requests/ and moderation/, and the rest of src use every room', async () => {
    expect(await refusals('src/generation/jobs/probe.ts', '../requests/refusal.ts')).toEqual([]);
    expect(await refusals('src/generation/jobs/probe.ts', '../moderation/image-removal.ts')).toEqual([]);
    expect(await refusals('src/commands/probe.ts', '../generation/moderation/index.ts')).toEqual([]);
    expect(await refusals('src/generation/cluster/probe.ts', '../jobs/job.types.ts')).toEqual([]);
  });
});
