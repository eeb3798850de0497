/**
 * The repositories tenancy rests on, on each database tier: workspace bans (one per person and
 * workspace, replaced on a second ban, gone with the workspace) and `getInScope`, which finds a
 * job only in its own workspace (DM jobs only in the DM scope, optionally one person's).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, type Repositories } from '../../../src/db/index.ts';
import { dbTargets, type EmptyDatabase } from './db-targets.ts';

for (const target of dbTargets) {
  describe.skipIf(target.skipReason !== '')(`tenancy repositories on ${target.name}${target.skipReason}`, () => {
    let handle: EmptyDatabase;
    let db: Repositories;

    beforeAll(async () => {
      handle = await target.openMigrated();
      db = createRepositories(handle.database, () => new Date(Date.UTC(2026, 11, 7, 12)));
    });
    afterAll(() => handle?.dispose());

    const job = (userId: string, workspaceId: string | undefined) =>
      db.generations.create({
        userId, workspaceId, channelId: 'c', kind: 'imagine', parentId: undefined, parentImageIndex: undefined, prompt: 'p', negativePrompt: '',
        seed: 1, steps: 1, guidance: 1, scheduler: 'default', width: 64, height: 64, model: 'm', count: 1, strength: undefined,
        chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined },
      });

    it('keeps one ban per person and workspace; a second ban replaces the reason; unban says whether there was one', async () => {
      const [a, b] = await Promise.all([db.workspaces.upsert({ platform: 'discord', externalId: 'ga', name: 'A' }), db.workspaces.upsert({ platform: 'discord', externalId: 'gb', name: 'B' })]);
      const [mod, carol] = await Promise.all([db.users.upsert({ platform: 'discord', externalId: 'm', displayName: 'm' }), db.users.upsert({ platform: 'discord', externalId: 'c', displayName: 'c' })]);
      await db.workspaceBans.ban({ workspaceId: a.id, userId: carol.id, reason: 'spam', bannedById: mod.id });
      expect(await db.workspaceBans.ban({ workspaceId: a.id, userId: carol.id, reason: 'more spam', bannedById: undefined })).toMatchObject({ reason: 'more spam', bannedById: undefined });
      expect(await db.workspaceBans.find(a.id, carol.id)).toMatchObject({ workspaceId: a.id, userId: carol.id, reason: 'more spam' });
      expect(await db.workspaceBans.find(b.id, carol.id)).toBeUndefined();
      expect((await db.users.get(carol.id))?.banned).toBe(false);
      expect(await db.workspaceBans.unban(a.id, carol.id)).toBe(true);
      expect(await db.workspaceBans.unban(a.id, carol.id)).toBe(false);
      expect(await db.workspaceBans.find(a.id, carol.id)).toBeUndefined();
    });

    it('finds a job by id only in its own scope', async () => {
      const [a, b] = await Promise.all([db.workspaces.upsert({ platform: 'slack', externalId: 'TA', name: 'A' }), db.workspaces.upsert({ platform: 'slack', externalId: 'TB', name: 'B' })]);
      const [erin, frank] = await Promise.all([db.users.upsert({ platform: 'slack', externalId: 'E', displayName: 'e' }), db.users.upsert({ platform: 'slack', externalId: 'F', displayName: 'f' })]);
      const inA = await job(erin.id, a.id);
      const inDm = await job(erin.id, undefined);
      const found = (id: string, workspaceId: string | undefined, userId: string | undefined = undefined) => db.generations.getInScope(id, { workspaceId, userId }).then((row) => row?.id);
      expect(await found(inA.id, a.id)).toBe(inA.id);
      expect(await found(inA.id, b.id)).toBeUndefined();
      expect(await found(inA.id, undefined)).toBeUndefined();
      expect(await found(inDm.id, undefined, erin.id)).toBe(inDm.id);
      expect(await found(inDm.id, undefined, frank.id)).toBeUndefined();
      expect(await found(inDm.id, undefined)).toBe(inDm.id);
      expect(await found(inDm.id, a.id)).toBeUndefined();
      expect(await found('nosuchjob123', a.id)).toBeUndefined();
    });
  });
}
