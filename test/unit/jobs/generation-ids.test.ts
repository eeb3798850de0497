/**
 * Generation ids come from the database as 12-character nanoids over A-Z a-z 0-9 _ -, so one id
 * in 64 starts with "-". Such a job once failed with an internal error (its image key was
 * refused), which looked like a flaky, load-dependent restart test. The in-memory repository
 * hands out tame ids, so these tests give jobs the awkward ids nanoid really makes.
 */
import { describe, expect, it } from 'vitest';
import type { MemoryRepositories } from '../../support/service/memory-repositories.ts';
import { createHarness, from, options } from '../../support/service/service-harness.ts';

/** The id from the failed restart run, and other shapes nanoid's alphabet allows. */
const AWKWARD_IDS = ['-N17_Bya5Fs2', '------------', '_-_-_-_-_-_-', '--abc--def--', 'abcdefghijk-'];

/** Makes the next generations the repository creates take `ids`, in order. */
function issueIds(repositories: MemoryRepositories, ids: readonly string[]): void {
  const pending = [...ids];
  const generations = repositories.generations;
  const create = generations.create.bind(generations);
  generations.create = async (input) => {
    const created = await create(input);
    const id = pending.shift();
    if (id === undefined) return created;
    const row = generations.rows.find((candidate) => candidate.id === created.id);
    if (row === undefined) throw new Error(`row ${created.id} missing`);
    row.id = id;
    return { ...created, id };
  };
}

async function finishedJob(harness: ReturnType<typeof createHarness>, pending: Promise<{ ok: boolean }>) {
  const outcome = (await pending) as { ok: true; generation: { id: string } } | { ok: false; message: string };
  if (!outcome.ok) throw new Error(outcome.message);
  const id = outcome.generation.id;
  const event = await Promise.race([harness.recorder.waitFor('finished', id), harness.recorder.waitFor('failed', id)]);
  return { id, event, row: await harness.repositories.generations.get(id) };
}

describe('jobs whose ids nanoid shaped awkwardly', () => {
  it('succeed and store their images, also when the id starts with "-"', async () => {
    const harness = createHarness();
    issueIds(harness.repositories, AWKWARD_IDS);
    await harness.service.start();
    for (const expectedId of AWKWARD_IDS) {
      const { id, event, row } = await finishedJob(harness, harness.service.imagine({ ...from('ann'), options: options('a pier at dusk --count 2') }));
      expect(id).toBe(expectedId);
      expect([event.type, row?.status, row?.errorMessage], id).toEqual(['finished', 'succeeded', undefined]);
      for (const image of row?.images ?? []) expect(await harness.store.exists(image.fileKey), image.fileKey).toBe(true);
      expect(row?.images.map((image) => image.index)).toEqual([0, 1]);
    }
    // One folder of files per job: no two ids share a key.
    expect(harness.store.files.size).toBe(AWKWARD_IDS.length * 2);
  });

  it('can be shown, upscaled and varied later, from the stored image', async () => {
    const harness = createHarness();
    issueIds(harness.repositories, ['-N17_Bya5Fs2', '-upscale0001', '-variation01']);
    await harness.service.start();
    const parent = await finishedJob(harness, harness.service.imagine({ ...from('ben'), options: options('a lighthouse --count 2') }));
    expect(parent.row?.status).toBe('succeeded');
    const shown = await harness.service.show(parent.id, from('ben'));
    expect(shown.ok && shown.images.map((image) => image.index)).toEqual([0, 1]);
    const upscale = await finishedJob(harness, harness.service.upscale(parent.id, 1, from('ben')));
    const variation = await finishedJob(harness, harness.service.vary(parent.id, 0, 'subtle', from('ben')));
    expect([upscale.id, upscale.row?.status, upscale.row?.width]).toEqual(['-upscale0001', 'succeeded', 2 * (parent.row?.width ?? 0)]);
    expect([variation.id, variation.row?.status, variation.row?.parentId]).toEqual(['-variation01', 'succeeded', '-N17_Bya5Fs2']);
  });
});
