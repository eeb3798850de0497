import { describe, expect, it } from 'vitest';
import { createHarness, from, options } from '../../support/service/service-harness.ts';

const target = (externalId: string) => ({ platform: 'discord' as const, externalId, displayName: externalId });
const audit = (harness: ReturnType<typeof createHarness>) =>
  harness.repositories.moderation.list({ workspaceId: undefined, actorId: undefined, targetUserId: undefined, limit: 50, beforeId: undefined });

describe('ModerationService', () => {
  it('lets moderators ban and unban, records who, whom and why, and a ban stops requests', async () => {
    const harness = createHarness();
    const refused = await harness.moderation.ban(target('bob'), 'workspace', from('alice'), 'spam');
    expect(refused.ok ? undefined : refused.message).toBe('Only a moderator can ban people.');
    const banned = await harness.moderation.ban(target('bob'), 'workspace', from('mod', { moderator: true }), 'spam');
    // A moderator's ban is a ban in their workspace, not the operator-level one.
    expect(banned.ok && banned.user.banned).toBe(false);
    const blocked = await harness.service.imagine({ ...from('bob'), options: options('a cat') });
    expect(blocked.ok ? undefined : blocked.message).toBe('You are banned from using Darkroom here: spam');
    await harness.moderation.unban(target('bob'), 'workspace', from('mod', { moderator: true }), 'appeal accepted');
    expect((await harness.service.imagine({ ...from('bob'), options: options('a cat') })).ok).toBe(true);
    const entries = await audit(harness);
    const mod = await harness.repositories.users.findByExternalId('discord', 'mod');
    const bob = await harness.repositories.users.findByExternalId('discord', 'bob');
    expect(entries.map((entry) => [entry.action, entry.actorId, entry.targetUserId, entry.reason])).toEqual([
      ['unban', mod?.id, bob?.id, 'appeal accepted'],
      ['ban', mod?.id, bob?.id, 'spam'],
    ]);
    expect(entries.every((entry) => entry.createdAt instanceof Date && entry.workspaceId !== undefined)).toBe(true);
  });

  it('does not let a moderator ban themselves or an admin', async () => {
    const harness = createHarness();
    const self = await harness.moderation.ban(target('mod'), 'workspace', from('mod', { moderator: true }), undefined);
    expect(self.ok ? undefined : self.message).toBe('You cannot ban yourself.');
    const admin = await harness.repositories.users.upsert(target('root'));
    await harness.repositories.users.setRole(admin.id, 'admin');
    const byMod = await harness.moderation.ban(target('root'), 'workspace', from('mod', { moderator: true }), undefined);
    expect(byMod.ok ? undefined : byMod.message).toBe('Only an admin can ban an admin.');
  });

  it('manages the workspace block list (moderators) and the global one (admins)', async () => {
    const harness = createHarness({ policy: { blockedTerms: ['gore'] } });
    const mod = from('mod', { moderator: true });
    expect((await harness.moderation.blockTerm('clown', 'workspace', from('alice'), undefined)).ok).toBe(false);
    expect(await harness.moderation.blockTerm('Clown', 'workspace', mod, 'scary')).toEqual({ ok: true, added: true, term: 'Clown' });
    expect(await harness.moderation.blockTerm('clown', 'workspace', mod, undefined)).toEqual({ ok: true, added: false, term: 'clown' });
    const global = await harness.moderation.blockTerm('mime', 'global', mod, undefined);
    expect(global.ok ? undefined : global.message).toBe('Only an admin can change the global blocked terms.');
    const listed = await harness.moderation.listTerms(mod);
    expect(listed.ok && [listed.config, listed.workspace.map((term) => term.term)]).toEqual([['gore'], ['Clown']]);
    const refused = await harness.service.imagine({ ...from('alice'), options: options('a sad clown') });
    expect(refused.ok ? undefined : refused.code).toBe('blocked_term');
    expect(await harness.moderation.unblockTerm('CLOWN', 'workspace', mod, undefined)).toEqual({ ok: true, removed: true });
    expect((await harness.service.imagine({ ...from('alice'), options: options('a sad clown') })).ok).toBe(true);
    expect((await audit(harness)).map((entry) => [entry.action, entry.details])).toEqual([
      ['unblock_term', { term: 'CLOWN', scope: 'workspace' }],
      ['block_term', { term: 'Clown', scope: 'workspace' }],
    ]);
  });

  it('shows people their own history only; moderators see anyone’s', async () => {
    const harness = createHarness();
    for (const person of ['alice', 'bob', 'alice']) await harness.service.imagine({ ...from(person), options: options(`by ${person}`) });
    const filter = { channelId: undefined, thisWorkspaceOnly: true, from: undefined, before: undefined, statuses: undefined };
    const own = await harness.moderation.history(from('alice'), { ...filter, user: target('alice') }, { limit: 10, after: undefined });
    expect(own.ok && own.items.map((item) => item.prompt)).toEqual(['by alice', 'by alice']);
    const others = await harness.moderation.history(from('alice'), { ...filter, user: target('bob') }, { limit: 10, after: undefined });
    expect(others.ok ? undefined : others.code).toBe('forbidden');
    const byMod = await harness.moderation.history(from('mod', { moderator: true }), { ...filter, user: target('bob') }, { limit: 10, after: undefined });
    expect(byMod.ok && byMod.items.map((item) => item.prompt)).toEqual(['by bob']);
  });
});
