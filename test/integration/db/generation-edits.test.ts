/**
 * Lineage of edits (issue 15): an `edit` child row keeps its operation (zoom factor, pan
 * direction, region cells, remix strength), its parent image, and the mask key once it succeeds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewGeneration, Repositories } from '../../../src/db/index.ts';
import { createRepositories } from '../../../src/db/index.ts';
import { dbTargets, type EmptyDatabase } from './db-targets.ts';

for (const target of dbTargets) {
  describe.skipIf(target.skipReason !== '')(`edit generations on ${target.name}${target.skipReason}`, () => {
    let handle: EmptyDatabase;
    let repos: Repositories;

    beforeAll(async () => {
      handle = await target.openMigrated();
      repos = createRepositories(handle.database, () => new Date('2026-12-07T12:00:00.000Z'));
    });
    afterAll(() => handle?.dispose());

    function job(userId: string, overrides: Partial<NewGeneration>): NewGeneration {
      return {
        userId,
        workspaceId: undefined,
        channelId: 'chan',
        kind: 'imagine',
        parentId: undefined,
        parentImageIndex: undefined,
        prompt: 'a lighthouse at dusk',
        negativePrompt: '',
        seed: 7,
        steps: 4,
        guidance: 1,
        scheduler: 'lcm',
        width: 512,
        height: 512,
        model: 'sd-turbo',
        count: 1,
        strength: undefined,
        chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined },
        ...overrides,
      };
    }

    it('stores each edit kind with its parameters and parent, and the mask key on success', async () => {
      const user = await repos.users.upsert({ platform: 'discord', externalId: 'editor', displayName: 'E' });
      const parent = await repos.generations.create(job(user.id, {}));
      expect(parent.edit).toBeUndefined();
      const edits = [
        { edit: { kind: 'zoom', factor: 1.5 }, strength: undefined },
        { edit: { kind: 'pan', direction: 'left' }, strength: undefined },
        { edit: { kind: 'region', cells: [5, 9] }, strength: 0.8 },
        { edit: { kind: 'remix' }, strength: 0.35 },
      ] as const;
      for (const { edit, strength } of edits) {
        const child = await repos.generations.create(
          job(user.id, { kind: 'edit', parentId: parent.id, parentImageIndex: 0, edit: edit.kind === 'region' ? { kind: 'region', cells: [...edit.cells] } : edit, strength }),
        );
        const stored = await repos.generations.get(child.id);
        expect(stored).toMatchObject({ kind: 'edit', parentId: parent.id, parentImageIndex: 0, strength, maskKey: undefined });
        expect(stored?.edit).toEqual(edit);
      }
      const region = (await repos.generations.listUnfinished()).find((row) => row.edit?.kind === 'region');
      expect(region).toBeDefined();
      await repos.generations.markRunning(region!.id);
      const image = { index: 0, fileKey: 'k/0.png', width: 512, height: 512, sha256: 'a'.repeat(64), bytes: 10, nsfw: undefined };
      expect(await repos.generations.markSucceeded(region!.id, { images: [image], gpuMs: 5, maskKey: 'k/mask.png' })).toBe(true);
      expect((await repos.generations.get(region!.id))?.maskKey).toBe('k/mask.png');
    });
  });
}
