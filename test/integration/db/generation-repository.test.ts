import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Generation, Repositories } from '../../../src/db/index.ts';
import { createRepositories, formatHistoryCursor, parseHistoryCursor } from '../../../src/db/index.ts';
import type { HistoryQuery, NewGeneration } from '../../../src/db/index.ts';
import { dbTargets, type EmptyDatabase } from './db-targets.ts';

/** A clock the test moves by hand (forwards or backwards). */
function manualClock(start: string) {
  let current = new Date(start).getTime();
  return {
    now: () => new Date(current),
    set: (iso: string) => {
      current = new Date(iso).getTime();
    },
  };
}

const noFilter: HistoryQuery = {
  userId: undefined,
  workspaceId: undefined,
  channelId: undefined,
  queuedFrom: undefined,
  queuedBefore: undefined,
  statuses: undefined,
};

/** The documented order, derived independently: queuedAt descending, then id ascending. */
function newestFirst(items: Generation[]): string[] {
  return [...items]
    .sort((a, b) => b.queuedAt.getTime() - a.queuedAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((item) => item.id);
}

for (const target of dbTargets) {
  describe.skipIf(target.skipReason !== '')(`GenerationRepository on ${target.name}${target.skipReason}`, () => {
    let handle: EmptyDatabase;
    let repos: Repositories;
    const clock = manualClock('2024-06-01T12:00:00.000Z');

    beforeAll(async () => {
      handle = await target.openMigrated();
      repos = createRepositories(handle.database, clock.now);
    });
    afterAll(() => handle?.dispose());

    async function newJob(userId: string, overrides: Partial<NewGeneration>): Promise<Generation> {
      return repos.generations.create({
        userId,
        workspaceId: undefined,
        channelId: 'chan-a',
        kind: 'imagine',
        parentId: undefined,
        parentImageIndex: undefined,
        prompt: 'a red bicycle leaning on a wall',
        negativePrompt: '',
        seed: 12345,
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
      });
    }

    it('pages history newest first with a keyset cursor: no gaps, no repeats, even across ties and new jobs', async () => {
      const user = await repos.users.upsert({ platform: 'discord', externalId: 'pager', displayName: 'P' });
      const other = await repos.users.upsert({ platform: 'discord', externalId: 'other', displayName: 'O' });
      const workspace = await repos.workspaces.upsert({ platform: 'discord', externalId: 'g1', name: 'G' });
      // Out of order on purpose, with several jobs sharing one millisecond.
      const stamps = ['10:05', '10:01', '10:03', '10:03', '10:03', '10:09', '10:02', '10:03', '10:07', '10:00', '10:05'];
      const mine: Generation[] = [];
      for (const [i, stamp] of stamps.entries()) {
        clock.set(`2024-06-01T${stamp}:00.000Z`);
        const channelId = i % 2 === 0 ? 'chan-a' : 'chan-b';
        mine.push(await newJob(user.id, { channelId, workspaceId: i < 6 ? workspace.id : undefined }));
        await newJob(other.id, { channelId });
      }

      const query = { ...noFilter, userId: user.id };
      const first = await repos.generations.history(query, { limit: 4, after: undefined });
      expect(first.items.map((item) => item.id)).toEqual(newestFirst(mine).slice(0, 4));
      expect(first.next).toBeDefined();

      // A job arriving between pages must not shift the pages already being read.
      clock.set('2024-06-01T11:00:00.000Z');
      await newJob(user.id, {});

      const seen = first.items.map((item) => item.id);
      let next = first.next;
      while (next) {
        // The cursor survives a trip through a chat button id.
        const cursor = parseHistoryCursor(formatHistoryCursor(next));
        const page = await repos.generations.history(query, { limit: 4, after: cursor });
        seen.push(...page.items.map((item) => item.id));
        next = page.next;
      }
      expect(seen).toEqual(newestFirst(mine));

      const channelB = await repos.generations.history({ ...query, channelId: 'chan-b' }, { limit: 100, after: undefined });
      expect(channelB.items.map((item) => item.id)).toEqual(newestFirst(mine.filter((g) => g.channelId === 'chan-b')));
      expect(channelB.next).toBeUndefined();

      const inWorkspace = await repos.generations.history(
        { ...noFilter, workspaceId: workspace.id },
        { limit: 100, after: undefined },
      );
      expect(inWorkspace.items.map((item) => item.id)).toEqual(newestFirst(mine.filter((g) => g.workspaceId)));

      const from = new Date('2024-06-01T10:02:00.000Z');
      const before = new Date('2024-06-01T10:05:00.000Z');
      const window = await repos.generations.history(
        { ...query, queuedFrom: from, queuedBefore: before },
        { limit: 100, after: undefined },
      );
      const expected = mine.filter((g) => g.queuedAt >= from && g.queuedAt < before);
      expect(window.items.map((item) => item.id)).toEqual(newestFirst(expected));
      expect(expected.length).toBe(5);
    });

    it('gives restart recovery every unfinished job in creation order, whatever the clock said', async () => {
      const user = await repos.users.upsert({ platform: 'slack', externalId: 'recover', displayName: 'R' });
      const created: Generation[] = [];
      // The clock runs backwards: queuedAt order is the reverse of creation order.
      for (const minute of ['50', '40', '30', '20', '10']) {
        clock.set(`2024-07-01T09:${minute}:00.000Z`);
        created.push(await newJob(user.id, { channelId: 'recovery' }));
      }
      const [a, b, c, d, e] = created.map((job) => job.id) as [string, string, string, string, string];
      expect(await repos.generations.markRunning(b)).toBe(true);
      expect(await repos.generations.markRunning(c)).toBe(true);
      expect(await repos.generations.markSucceeded(c, { images: [], gpuMs: 10 })).toBe(true);
      expect(await repos.generations.markCancelled(d)).toBe(true);

      expect(await repos.generations.requeueInterrupted()).toEqual([b]);
      const interrupted = await repos.generations.get(b);
      expect(interrupted).toMatchObject({ status: 'queued', startedAt: undefined });

      const unfinished = (await repos.generations.listUnfinished()).filter((job) => job.channelId === 'recovery');
      expect(unfinished.map((job) => job.id)).toEqual([a, b, e]);
    });

    it('moves jobs only along allowed transitions and stores images with success', async () => {
      const user = await repos.users.upsert({ platform: 'discord', externalId: 'life', displayName: 'L' });
      clock.set('2024-08-01T00:00:00.000Z');
      const job = await newJob(user.id, { count: 2, seed: 4_294_967_295 });
      expect(job).toMatchObject({ status: 'queued', seed: 4_294_967_295, startedAt: undefined });

      expect(await repos.generations.markSucceeded(job.id, { images: [], gpuMs: 1 })).toBe(false);
      clock.set('2024-08-01T00:00:01.000Z');
      expect(await repos.generations.markRunning(job.id)).toBe(true);
      expect(await repos.generations.markRunning(job.id)).toBe(false);
      clock.set('2024-08-01T00:00:09.000Z');
      const image = (index: number) => ({
        index,
        fileKey: `k/${job.id}-${index}.png`,
        width: 512,
        height: 512,
        sha256: String(index).repeat(64),
        bytes: 1000 + index,
        nsfw: index === 0 ? undefined : false,
      });
      expect(await repos.generations.markSucceeded(job.id, { images: [image(1), image(0)], gpuMs: 8000 })).toBe(true);
      expect(await repos.generations.markCancelled(job.id)).toBe(false);
      expect(await repos.generations.markFailed(job.id, { code: 'x', message: 'y' })).toBe(false);

      const stored = await repos.generations.get(job.id);
      expect(stored).toMatchObject({
        status: 'succeeded',
        startedAt: new Date('2024-08-01T00:00:01.000Z'),
        finishedAt: new Date('2024-08-01T00:00:09.000Z'),
        gpuMs: 8000,
      });
      expect(stored?.images.map((img) => [img.index, img.fileKey, img.nsfw])).toEqual([
        [0, image(0).fileKey, undefined],
        [1, image(1).fileKey, false],
      ]);

      // Cancelled while running: the late success is refused and leaves no images behind.
      const cancelled = await newJob(user.id, {});
      await repos.generations.markRunning(cancelled.id);
      expect(await repos.generations.markCancelled(cancelled.id)).toBe(true);
      expect(await repos.generations.markSucceeded(cancelled.id, { images: [image(0)], gpuMs: 1 })).toBe(false);
      expect((await repos.generations.get(cancelled.id))?.images).toEqual([]);

      // A success whose images cannot be stored is rolled back whole: still running, no images.
      const clash = await newJob(user.id, {});
      await repos.generations.markRunning(clash.id);
      await expect(
        repos.generations.markSucceeded(clash.id, { images: [image(0), image(0)], gpuMs: 1 }),
      ).rejects.toThrow();
      expect(await repos.generations.get(clash.id)).toMatchObject({ status: 'running', images: [], gpuMs: undefined });
      expect(await repos.generations.markSucceeded(clash.id, { images: [image(0)], gpuMs: 2 })).toBe(true);

      const failed = await newJob(user.id, {});
      expect(await repos.generations.markFailed(failed.id, { code: 'model_missing', message: 'no unet' })).toBe(true);
      expect(await repos.generations.get(failed.id)).toMatchObject({ status: 'failed', errorCode: 'model_missing' });

      expect(await repos.generations.get('nope')).toBeUndefined();
      await expect(newJob(user.id, { seed: 2 ** 32 })).rejects.toThrow(RangeError);
    });

    it('remembers where a job lives in chat', async () => {
      const user = await repos.users.upsert({ platform: 'slack', externalId: 'chat', displayName: 'C' });
      const job = await newJob(user.id, {
        chat: { messageId: undefined, interactionToken: undefined, threadTs: '1700000000.000100' },
      });
      const chat = { messageId: '1700000001.000200', interactionToken: undefined, threadTs: '1700000000.000100' };
      expect(await repos.generations.updateChatLocation(job.id, chat)).toBe(true);
      expect((await repos.generations.get(job.id))?.chat).toEqual(chat);
    });
  });
}
