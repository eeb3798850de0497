import { describe, expect, it } from 'vitest';
import { PolicyCache } from '../../../src/generation/requests/policy-cache.ts';
import { WhoResolver, scopeOf } from '../../../src/generation/requests/who.ts';
import type { Requester, RequestPlace } from '../../../src/generation/requests/request.types.ts';
import { memoryRepositories } from '../../support/service/memory-repositories.ts';

const limits = { default: { maxSteps: 50, maxPixels: 1024 * 1024, maxCount: 4, allowedModels: [] }, roles: {}, workspaces: {} };
const requester = (externalId: string, platformModerator: boolean): Requester => ({ identity: { platform: 'discord', externalId, displayName: externalId }, platformModerator });
const guild = (externalId: string): RequestPlace['workspace'] => ({ platform: 'discord', externalId, name: externalId });

function setUp() {
  const repositories = memoryRepositories(() => new Date(0));
  const cache = new PolicyCache({ ttlMs: 60_000, now: () => 0, maxEntries: 100 });
  const who = new WhoResolver({ users: repositories.users, workspaces: repositories.workspaces, workspaceBans: repositories.workspaceBans, limits, cache });
  return { repositories, cache, who };
}

describe('WhoResolver', () => {
  it('moderates only where the platform or the operator says so, and not in DMs unless admin', async () => {
    const { repositories, who } = setUp();
    expect((await who.resolve(requester('mod', true), guild('a'))).moderates).toBe(true);
    expect((await who.resolve(requester('mod', false), guild('b'))).moderates).toBe(false);
    const inDm = await who.resolve(requester('mod', true), undefined);
    expect([inDm.role, inDm.moderates]).toEqual(['moderator', false]);
    const root = await repositories.users.upsert({ platform: 'discord', externalId: 'root', displayName: 'root' });
    await repositories.users.setRole(root.id, 'admin');
    expect((await who.resolve(requester('root', false), undefined)).moderates).toBe(true);
  });

  it('applies a workspace ban in that workspace only, an operator ban everywhere; banned people do not moderate', async () => {
    const { repositories, cache, who } = setUp();
    const mallory = await who.resolve(requester('mallory', true), guild('a'));
    await repositories.workspaceBans.ban({ workspaceId: mallory.workspace?.id ?? '', userId: mallory.user.id, reason: 'abuse', bannedById: undefined });
    // The "not banned" answer was cached for this workspace; a ban made through the service drops it.
    cache.workspaceBans.delete(PolicyCache.workspaceBanKey(mallory.workspace?.id ?? '', mallory.user.id));
    const inA = await who.resolve(requester('mallory', true), guild('a'));
    expect([inA.ban, inA.moderates]).toEqual([{ scope: 'workspace', reason: 'abuse' }, false]);
    const inB = await who.resolve(requester('mallory', true), guild('b'));
    expect([inB.ban, inB.moderates]).toEqual([undefined, true]);
    await repositories.users.ban(mallory.user.id, 'operator');
    cache.users.clear();
    for (const place of [guild('a'), guild('b'), undefined]) expect((await who.resolve(requester('mallory', true), place)).ban).toEqual({ scope: 'everywhere', reason: 'operator' });
  });

  it('scopes lookups to the request’s workspace; in DMs to your own jobs (admins: every DM job)', async () => {
    const { repositories, who } = setUp();
    const inA = await who.resolve(requester('erin', false), guild('a'));
    expect(scopeOf(inA)).toEqual({ workspaceId: inA.workspace?.id, userId: undefined });
    const inDm = await who.resolve(requester('erin', true), undefined);
    expect(scopeOf(inDm)).toEqual({ workspaceId: undefined, userId: inDm.user.id });
    const root = await repositories.users.upsert({ platform: 'discord', externalId: 'root', displayName: 'root' });
    await repositories.users.setRole(root.id, 'admin');
    expect(scopeOf(await who.resolve(requester('root', false), undefined))).toEqual({ workspaceId: undefined, userId: undefined });
  });
});
