import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repositories, UserSettings } from '../../../src/db/index.ts';
import { createRepositories } from '../../../src/db/index.ts';
import { dbTargets, type EmptyDatabase } from './db-targets.ts';

const T0 = new Date('2024-09-01T08:00:00.000Z');

for (const target of dbTargets) {
  describe.skipIf(target.skipReason !== '')(`repositories on ${target.name}${target.skipReason}`, () => {
    let handle: EmptyDatabase;
    let repos: Repositories;
    let now = T0;

    beforeAll(async () => {
      handle = await target.openMigrated();
      repos = createRepositories(handle.database, () => now);
    });
    afterAll(() => handle?.dispose());

    it('upserts people by platform account and bans / unbans them', async () => {
      const first = await repos.users.upsert({ platform: 'discord', externalId: '111', displayName: 'Old name' });
      const again = await repos.users.upsert({ platform: 'discord', externalId: '111', displayName: 'New name' });
      expect(again.id).toBe(first.id);
      expect(again.displayName).toBe('New name');
      expect(await repos.users.findByExternalId('slack', '111')).toBeUndefined();

      now = new Date('2024-09-02T00:00:00.000Z');
      const banned = await repos.users.ban(first.id, 'spamming /imagine');
      expect(banned).toMatchObject({ banned: true, bannedReason: 'spamming /imagine', bannedAt: now });
      expect(await repos.users.isBanned('discord', '111')).toBe(true);
      expect(await repos.users.isBanned('slack', '111')).toBe(false);
      expect(await repos.users.isBanned('discord', 'never-seen')).toBe(false);

      const unbanned = await repos.users.unban(first.id);
      expect(unbanned).toMatchObject({ banned: false, bannedReason: undefined, bannedAt: undefined });
      expect(await repos.users.isBanned('discord', '111')).toBe(false);
      expect((await repos.users.setRole(first.id, 'moderator')).role).toBe('moderator');
      expect((await repos.users.get(first.id))?.role).toBe('moderator');
    });

    it('keeps workspace settings as JSON objects', async () => {
      const workspace = await repos.workspaces.upsert({ platform: 'slack', externalId: 'T01', name: 'Team' });
      expect(workspace.settings).toEqual({});
      const saved = await repos.workspaces.saveSettings(workspace.id, { nsfwAllowed: false, models: ['sd-turbo'] });
      expect((await repos.workspaces.get(saved.id))?.settings).toEqual({ nsfwAllowed: false, models: ['sd-turbo'] });
      const renamed = await repos.workspaces.upsert({ platform: 'slack', externalId: 'T01', name: 'Team 2' });
      expect(renamed).toMatchObject({ id: workspace.id, name: 'Team 2', settings: saved.settings });
    });

    it('blocks terms per workspace and globally, refusing duplicates after normalization', async () => {
      const moderator = await repos.users.upsert({ platform: 'discord', externalId: 'mod', displayName: 'M' });
      const guild = await repos.workspaces.upsert({ platform: 'discord', externalId: 'guild', name: 'G' });
      const other = await repos.workspaces.upsert({ platform: 'discord', externalId: 'other', name: 'O' });

      const global = await repos.blockedTerms.add({ workspaceId: undefined, term: 'Gore', createdById: moderator.id });
      expect(global).toMatchObject({ ok: true, term: { normalizedTerm: 'gore', workspaceId: undefined } });
      const duplicate = await repos.blockedTerms.add({ workspaceId: undefined, term: '  GORE ', createdById: undefined });
      expect(duplicate).toMatchObject({ ok: false, code: 'already_blocked', existing: { term: 'Gore' } });
      // Full-width letters and doubled spaces are the same term.
      expect(await repos.blockedTerms.add({ workspaceId: guild.id, term: 'Ｂｌｏｏｄ  Bath', createdById: undefined })).toMatchObject({
        ok: true,
        term: { normalizedTerm: 'blood bath' },
      });
      expect(await repos.blockedTerms.add({ workspaceId: guild.id, term: 'blood bath', createdById: undefined })).toMatchObject({
        ok: false,
        code: 'already_blocked',
      });
      // The same text in another scope is a separate entry.
      expect((await repos.blockedTerms.add({ workspaceId: guild.id, term: 'gore', createdById: undefined })).ok).toBe(true);
      expect(await repos.blockedTerms.add({ workspaceId: guild.id, term: '   ', createdById: undefined })).toEqual({
        ok: false,
        code: 'empty_term',
      });

      const terms = async (list: Promise<{ normalizedTerm: string; workspaceId: string | undefined }[]>) =>
        (await list).map((term) => `${term.workspaceId === undefined ? 'global' : 'local'}:${term.normalizedTerm}`);
      expect(await terms(repos.blockedTerms.list(undefined))).toEqual(['global:gore']);
      expect(await terms(repos.blockedTerms.listEffective(guild.id))).toEqual([
        'global:gore',
        'local:blood bath',
        'local:gore',
      ]);
      expect(await terms(repos.blockedTerms.listEffective(other.id))).toEqual(['global:gore']);
      expect(await terms(repos.blockedTerms.listEffective(undefined))).toEqual(['global:gore']);

      expect(await repos.blockedTerms.remove(guild.id, 'GORE')).toBe(true);
      expect(await repos.blockedTerms.remove(guild.id, 'gore')).toBe(false);
      expect(await terms(repos.blockedTerms.list(undefined))).toEqual(['global:gore']);
    });

    it('marks an image deleted once, remembering who deleted it', async () => {
      const owner = await repos.users.upsert({ platform: 'slack', externalId: 'owner', displayName: 'O' });
      const moderator = await repos.users.upsert({ platform: 'slack', externalId: 'moderator', displayName: 'M' });
      const job = await repos.generations.create({
        userId: owner.id,
        workspaceId: undefined,
        channelId: 'D1',
        kind: 'imagine',
        parentId: undefined,
        parentImageIndex: undefined,
        prompt: 'p',
        negativePrompt: '',
        seed: 7,
        steps: 1,
        guidance: 1,
        scheduler: 'euler',
        width: 64,
        height: 64,
        model: 'm',
        count: 1,
        strength: undefined,
        chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined },
      });
      await repos.generations.markRunning(job.id);
      const file = { index: 0, fileKey: 'a.png', width: 64, height: 64, sha256: 'f'.repeat(64), bytes: 10, nsfw: true };
      await repos.generations.markSucceeded(job.id, { images: [file], gpuMs: undefined });

      now = new Date('2024-09-03T00:00:00.000Z');
      expect(await repos.images.markDeleted(job.id, 0, moderator.id)).toBe(true);
      now = new Date('2024-09-04T00:00:00.000Z');
      expect(await repos.images.markDeleted(job.id, 0, owner.id)).toBe(false);
      expect(await repos.images.markDeleted(job.id, 5, owner.id)).toBe(false);
      expect(await repos.images.get(job.id, 0)).toMatchObject({
        deletedAt: new Date('2024-09-03T00:00:00.000Z'),
        deletedById: moderator.id,
        nsfw: true,
      });
    });

    it('lists the audit log newest first, filtered and paged', async () => {
      const actor = await repos.users.upsert({ platform: 'discord', externalId: 'auditor', displayName: 'A' });
      const target1 = await repos.users.upsert({ platform: 'discord', externalId: 't1', displayName: 'T1' });
      const target2 = await repos.users.upsert({ platform: 'discord', externalId: 't2', displayName: 'T2' });
      const entry = (targetUserId: string, action: 'ban' | 'unban') => ({
        actorId: actor.id,
        action,
        workspaceId: undefined,
        targetUserId,
        targetGenerationId: undefined,
        reason: `${action} ${targetUserId}`,
        details: { via: 'slash' },
      });
      const a = await repos.moderation.record(entry(target1.id, 'ban'));
      const b = await repos.moderation.record(entry(target2.id, 'ban'));
      const c = await repos.moderation.record(entry(target1.id, 'unban'));
      expect(a).toMatchObject({ action: 'ban', details: { via: 'slash' }, createdAt: now });

      const byActor = { workspaceId: undefined, actorId: actor.id, targetUserId: undefined, beforeId: undefined };
      expect((await repos.moderation.list({ ...byActor, limit: 10 })).map((x) => x.id)).toEqual([c.id, b.id, a.id]);
      expect((await repos.moderation.list({ ...byActor, limit: 2, beforeId: c.id })).map((x) => x.id)).toEqual([
        b.id,
        a.id,
      ]);
      const aboutTarget1 = await repos.moderation.list({ ...byActor, targetUserId: target1.id, limit: 10 });
      expect(aboutTarget1.map((x) => x.action)).toEqual(['unban', 'ban']);
    });

    it('saves and replaces personal settings', async () => {
      const user = await repos.users.upsert({ platform: 'slack', externalId: 'settings', displayName: 'S' });
      expect(await repos.userSettings.get(user.id)).toBeUndefined();
      const full: UserSettings = {
        negativePrompt: 'watermark',
        aspect: '16:9',
        steps: 30,
        guidance: 5.5,
        model: 'juggernaut',
        scheduler: 'dpmpp-2m',
        count: 4,
      };
      expect(await repos.userSettings.save(user.id, full)).toEqual(full);
      expect(await repos.userSettings.get(user.id)).toEqual(full);
      const cleared = { ...full, negativePrompt: undefined, count: undefined };
      await repos.userSettings.save(user.id, cleared);
      expect(await repos.userSettings.get(user.id)).toEqual(cleared);
    });
  });
}
