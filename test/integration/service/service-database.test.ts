/**
 * The service on a real database (PGlite always; PostgreSQL when DATABASE_URL_TEST is set) with
 * the local image store in a temp folder and the fake engine: lineage of derived jobs, history
 * paging, usage summaries, quotas counted from the table, deletes.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, type Repositories } from '../../../src/db/index.ts';
import { PrismaUsageRepository } from '../../../src/db/usage.repository.ts';
import { LocalImageStore } from '../../../src/storage/index.ts';
import { dbTargets, type EmptyDatabase } from '../db/db-targets.ts';
import { createHarness, from, options } from '../../support/service/service-harness.ts';

for (const target of dbTargets) {
  describe.skipIf(target.skipReason !== '')(`generation service on ${target.name}${target.skipReason}`, () => {
    let handle: EmptyDatabase;
    let imagesDir: string;
    let harness: ReturnType<typeof createHarness>;
    let db: Repositories;

    beforeAll(async () => {
      handle = await target.openMigrated();
      imagesDir = await mkdtemp(path.join(tmpdir(), 'darkroom-service-'));
      const clock = { now: Date.UTC(2026, 2, 1, 9) };
      db = createRepositories(handle.database, () => new Date(clock.now));
      harness = createHarness({
        startAt: clock.now,
        real: { repositories: db, usage: new PrismaUsageRepository(handle.database.prisma), store: new LocalImageStore(imagesDir), engine: undefined, models: undefined },
        policy: { quotas: { default: { perHour: 40, perDay: null }, roles: {} } },
      });
      // Repositories and service share one manual clock.
      Object.defineProperty(clock, 'now', { get: () => harness.clock.now });
      await harness.service.start();
    });
    afterAll(async () => {
      await harness?.service.stop(AbortSignal.timeout(5_000));
      await handle?.dispose();
      await rm(imagesDir, { recursive: true, force: true });
    });

    async function finished(pending: Promise<{ ok: boolean }>) {
      const outcome = (await pending) as { ok: true; generation: { id: string } } | { ok: false; message: string };
      if (!outcome.ok) throw new Error(outcome.message);
      const event = await Promise.race([harness.recorder.waitFor('finished', outcome.generation.id), harness.recorder.waitFor('failed', outcome.generation.id)]);
      if (event.type === 'failed') throw new Error(`job failed: ${String(event.event['message'])}`);
      const row = await db.generations.get(outcome.generation.id);
      if (!row) throw new Error('missing row');
      return row;
    }

    it('keeps the lineage of reroll, variation and upscale in the rows', async () => {
      const parent = await finished(harness.service.imagine({ ...from('lin'), options: options('a mill by a river --count 2 --seed 11 --steps 6') }));
      const reroll = await finished(harness.service.reroll(parent.id, from('lin')));
      const subtle = await finished(harness.service.vary(parent.id, 1, 'subtle', from('lin')));
      const strong = await finished(harness.service.vary(subtle.id, 0, 'strong', from('lin')));
      const upscale = await finished(harness.service.upscale(strong.id, 1, from('lin')));
      expect([reroll.kind, reroll.parentId, reroll.parentImageIndex, reroll.strength]).toEqual(['reroll', parent.id, undefined, undefined]);
      expect([subtle.kind, subtle.parentId, subtle.parentImageIndex, subtle.strength]).toEqual(['variation', parent.id, 1, 0.35]);
      expect([strong.kind, strong.parentId, strong.parentImageIndex, strong.strength]).toEqual(['variation', subtle.id, 0, 0.65]);
      expect([upscale.kind, upscale.parentId, upscale.parentImageIndex, upscale.count]).toEqual(['upscale', strong.id, 1, 1]);
      expect(upscale.seed).toBe(strong.seed + 1);
      expect(new Set([parent.seed, reroll.seed, subtle.seed, strong.seed]).size).toBe(4);
      for (const row of [parent, reroll, subtle, strong]) expect(row.prompt).toBe('a mill by a river');
      for (const row of [reroll, subtle, strong]) expect(row.steps).toBe(6);
      // Every image is a real file in the store, and its bytes match the recorded hash.
      for (const image of [...parent.images, ...upscale.images]) {
        const bytes = await harness.realStore.get(image.fileKey);
        expect(bytes.length).toBe(image.bytes);
      }
    });

    it('pages history newest first without gaps or repeats', async () => {
      const ids: string[] = [];
      for (let n = 0; n < 23; n++) {
        const outcome = await harness.service.imagine({ ...from('pager'), options: options(`page test ${n} --count 1`) });
        if (!outcome.ok) throw new Error(outcome.message);
        ids.push(outcome.generation.id);
        // Every third job shares a timestamp with the previous one: ties are ordered by id.
        if (n % 3 !== 0) harness.clock.now += 1_000;
      }
      const me = { platform: 'discord' as const, externalId: 'pager', displayName: 'pager' };
      const seen: string[] = [];
      let after;
      const filter = { user: me, channelId: undefined, thisWorkspaceOnly: true, from: undefined, before: undefined, statuses: undefined };
      for (let pages = 0; pages < 10; pages++) {
        const page = await harness.moderation.history(from('pager'), filter, { limit: 5, after });
        if (!page.ok) throw new Error(page.message);
        seen.push(...page.items.map((item) => item.id));
        after = page.next;
        if (after === undefined) break;
      }
      expect(seen).toHaveLength(23);
      expect(new Set(seen).size).toBe(23);
      const rows = await Promise.all(seen.map((id) => db.generations.get(id)));
      const times = rows.map((row) => row?.queuedAt.getTime() ?? 0);
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      expect(new Set(seen)).toEqual(new Set(ids));
    });

    it('counts quotas from the table and summarises usage by person and day', async () => {
      const quota = createHarness({
        startAt: harness.clock.now,
        real: { repositories: db, usage: new PrismaUsageRepository(handle.database.prisma), store: harness.realStore, engine: undefined, models: undefined },
        policy: { quotas: { default: { perHour: 2, perDay: null }, roles: {} } },
      });
      const codes: string[] = [];
      for (let n = 0; n < 3; n++) {
        const outcome = await quota.service.imagine({ ...from('quota-person'), options: options('q --count 1') });
        codes.push(outcome.ok ? 'ok' : outcome.code);
      }
      expect(codes).toEqual(['ok', 'ok', 'quota_exceeded']);
      const usage = await harness.moderation.usage(from('mod', { moderator: true }), {
        user: { platform: 'discord', externalId: 'lin', displayName: 'lin' },
        channelId: undefined,
        thisWorkspaceOnly: true,
        from: undefined,
        before: undefined,
        statuses: undefined,
      });
      if (!usage.ok) throw new Error(usage.message);
      // lin: imagine (2 images) + reroll (2) + two variations (2 each) + upscale (1) = 5 jobs, 9 images.
      expect(usage.summary.totals).toMatchObject({ jobs: 5, images: 9, failures: 0, cancelled: 0 });
      expect(usage.summary.byUser.map((row) => [row.displayName, row.jobs])).toEqual([['lin', 5]]);
      expect(usage.summary.byDay).toEqual([expect.objectContaining({ day: '2026-03-01', jobs: 5 })]);
    });

    it('deletes an image: file gone, row marked, audit entry kept', async () => {
      const job = await finished(harness.service.imagine({ ...from('del'), options: options('to delete --count 2') }));
      const result = await harness.service.deleteImage(job.id, 0, from('del').requester, from('del').place, 'oops');
      expect(result).toEqual({ ok: true, deleted: [0] });
      expect(await harness.realStore.exists(job.images[0]?.fileKey ?? '')).toBe(false);
      expect(await harness.realStore.exists(job.images[1]?.fileKey ?? '')).toBe(true);
      const after = await db.generations.get(job.id);
      expect(after?.images[0]?.deletedAt).toBeInstanceOf(Date);
      const audit = await db.moderation.list({ workspaceId: undefined, actorId: undefined, targetUserId: undefined, limit: 5, beforeId: undefined });
      expect(audit[0]).toMatchObject({ action: 'delete', targetGenerationId: job.id, reason: 'oops' });
    });

    it('accepts a burst of first requests from a new person without a duplicate-user error', async () => {
      const outcomes = await Promise.all(
        Array.from({ length: 5 }, (_, n) => harness.service.imagine({ ...from('newcomer'), options: options(`burst ${n} --count 1`) })),
      );
      expect(outcomes.map((outcome) => outcome.ok)).toEqual([true, true, true, true, true]);
    });
  });
}
