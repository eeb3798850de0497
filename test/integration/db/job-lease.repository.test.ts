/**
 * Job leases on the real databases: a claim is one conditional UPDATE (of many concurrent
 * claims exactly one wins), only the owner renews or releases, and recovery takes only jobs
 * whose owner is gone, failing those that were running every time their process died.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Repositories } from '../../../src/db/index.ts';
import { createRepositories } from '../../../src/db/index.ts';
import { dbTargets, type EmptyDatabase } from './db-targets.ts';

const rules = (ownerIsDead: (owner: string) => boolean) => ({
  maxAttempts: 2,
  failure: (attempts: number) => ({ code: 'crash_loop', message: `died ${attempts} times` }),
  ownerIsDead,
  self: 'the-recovering-process',
});

for (const target of dbTargets) {
  describe.skipIf(target.skipReason !== '')(`JobLeaseRepository on ${target.name}${target.skipReason}`, () => {
    let handle: EmptyDatabase;
    let repos: Repositories;
    let clock = Date.UTC(2026, 5, 1, 12);

    beforeAll(async () => {
      handle = await target.openMigrated();
      repos = createRepositories(handle.database, () => new Date(clock));
    });
    afterAll(() => handle?.dispose());

    async function newJob(): Promise<string> {
      const user = await repos.users.upsert({ platform: 'discord', externalId: 'lease-user', displayName: 'L' });
      const job = await repos.generations.create({
        userId: user.id, workspaceId: undefined, channelId: 'c', kind: 'imagine', parentId: undefined, parentImageIndex: undefined,
        prompt: 'p', negativePrompt: '', seed: 1, steps: 4, guidance: 1, scheduler: 'lcm', width: 512, height: 512, model: 'm', count: 1,
        strength: undefined, chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined },
      });
      return job.id;
    }

    it('lets exactly one of many concurrent claims win', async () => {
      const id = await newJob();
      const claims = await Promise.all(Array.from({ length: 8 }, (_, n) => repos.jobLeases.claim(id, `owner-${n}`, 60_000)));
      expect(claims.filter((attempt) => attempt === 1)).toHaveLength(1);
      expect(claims.filter((attempt) => attempt === undefined)).toHaveLength(7);
      const winner = `owner-${claims.indexOf(1)}`;
      expect(await repos.jobLeases.get(id)).toMatchObject({ status: 'running', attempts: 1, owner: winner, expiresAt: new Date(clock + 60_000) });
      expect(await repos.jobLeases.renew(id, 'someone-else', 60_000)).toBe(false);
      expect(await repos.jobLeases.renew(id, winner, 90_000)).toBe(true);
      expect((await repos.jobLeases.get(id))?.expiresAt).toEqual(new Date(clock + 90_000));
      expect(await repos.jobLeases.release(id, 'someone-else')).toBe(false);
      expect(await repos.jobLeases.release(id, winner)).toBe(true);
      expect(await repos.jobLeases.get(id)).toMatchObject({ status: 'queued', attempts: 0, owner: undefined, expiresAt: undefined });
    });

    it('recovers only abandoned jobs, and fails a job on its second crash', async () => {
      const live = await newJob();
      const expired = await newJob();
      const dead = await newJob();
      await repos.jobLeases.claim(live, 'alive', 60_000);
      await repos.jobLeases.claim(expired, 'gone-quiet', 1_000);
      await repos.jobLeases.claim(dead, 'killed', 60_000);
      clock += 5_000;
      const first = await repos.jobLeases.recoverAbandoned(rules((owner) => owner === 'killed'));
      expect(new Set(first.requeued)).toEqual(new Set([expired, dead]));
      expect(first.failed).toEqual([]);
      expect((await repos.jobLeases.get(live))?.status).toBe('running');
      // The dead job's second run dies too: now it is failed, not queued again.
      expect(await repos.jobLeases.claim(dead, 'killed-again', 60_000)).toBe(2);
      const second = await repos.jobLeases.recoverAbandoned(rules((owner) => owner === 'killed-again'));
      expect(second).toEqual({ requeued: [], failed: [{ id: dead, attempts: 2 }] });
      const row = await repos.generations.get(dead);
      expect([row?.status, row?.errorCode, row?.errorMessage]).toEqual(['failed', 'crash_loop', 'died 2 times']);
    });
  });
}
