/**
 * Two Darkroom processes on one database (PGlite here, PostgreSQL when DATABASE_URL_TEST is set),
 * as two service instances with their own queues and owner ids: the second one's start-up
 * recovery leaves the first one's running job alone, takes over a job whose lease expired, and
 * one reaction delivered to both processes makes one reroll.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories } from '../../../src/db/index.ts';
import { PrismaUsageRepository } from '../../../src/db/usage.repository.ts';
import type { GenerateOptions, GenerationRequest, GenerationResult, ImageEngine } from '../../../src/generation/engine.types.ts';
import { JOB_LEASE_MS, type JobLeaseSettings } from '../../../src/generation/jobs/job-lease.ts';
import { LocalImageStore } from '../../../src/storage/index.ts';
import { FakeImageEngine } from '../../support/generation/fake-image-engine.ts';
import { createHarness, from, options } from '../../support/service/service-harness.ts';
import { dbTargets, type EmptyDatabase } from '../db/db-targets.ts';

/** The fake engine, held at the start of each run until the test opens the gate. */
class GatedEngine implements ImageEngine {
  readonly inner = new FakeImageEngine({ stepMs: 1, nsfwWord: undefined, failWord: undefined, onStep: undefined });
  #open!: () => void;
  readonly #gate = new Promise<void>((resolve) => (this.#open = resolve));

  open(): void {
    this.#open();
  }

  async generate(request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    await this.#gate;
    return this.inner.generate(request, options);
  }

  async upscale(png: Buffer, request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    await this.#gate;
    return this.inner.upscale(png, request, options);
  }
}

/**
 * An owner id as a process on its own host writes it. The "processes" of this file share one
 * pid, which the same-host liveness check would (rightly) read as a restarted process.
 */
let hosts = 0;
const otherHostOwner = () => `test-host-${++hosts}/${process.pid}/${randomBytes(4).toString('hex')}`;

for (const target of dbTargets) {
  describe.skipIf(target.skipReason !== '')(`two processes on one ${target.name} database${target.skipReason}`, () => {
    let handle: EmptyDatabase;
    let imagesDir: string;
    const stops: Array<() => Promise<void>> = [];

    beforeAll(async () => {
      handle = await target.openMigrated();
      imagesDir = await mkdtemp(path.join(tmpdir(), 'darkroom-two-processes-'));
    });
    afterAll(async () => {
      for (const stop of stops.reverse()) await stop();
      await handle?.dispose();
      if (imagesDir) await rm(imagesDir, { recursive: true, force: true });
    });

    /** One "process": its own repositories clock, queue, registry and owner id on the shared database. */
    async function startProcess(engine: ImageEngine, clockOffsetMs = 0, lease: JobLeaseSettings = { owner: otherHostOwner(), durationMs: JOB_LEASE_MS, renewEveryMs: 15_000 }) {
      const repositories = createRepositories(handle.database, () => new Date(Date.now() + clockOffsetMs));
      const harness = createHarness({
        lease,
        startAt: Date.now(),
        real: { repositories, usage: new PrismaUsageRepository(handle.database.prisma), store: new LocalImageStore(imagesDir), engine, models: undefined },
      });
      await harness.service.start();
      stops.push(() => harness.service.stop(AbortSignal.timeout(5_000)));
      return { harness, repositories };
    }

    async function accepted(pending: Promise<{ ok: boolean }>): Promise<string> {
      const outcome = (await pending) as { ok: true; generation: { id: string } } | { ok: false; message: string };
      if (!outcome.ok) throw new Error(outcome.message);
      return outcome.generation.id;
    }

    it("leaves the first process's running job alone at the second one's start", async () => {
      const gated = new GatedEngine();
      const first = await startProcess(gated);
      const id = await accepted(first.harness.service.imagine({ ...from('ann'), options: options('a lighthouse --count 1') }));
      await first.harness.recorder.waitFor('started', id);
      const lease = await first.repositories.jobLeases.get(id);
      expect([lease?.status, lease?.attempts]).toEqual(['running', 1]);

      const second = await startProcess(new FakeImageEngine({ stepMs: 1, nsfwWord: undefined, failWord: undefined, onStep: undefined }));
      // Not re-queued, not started, its message not turned back to "queued".
      expect(second.harness.recorder.of(id)).toEqual([]);
      expect((await second.repositories.jobLeases.get(id))?.owner).toBe(lease?.owner);

      gated.open();
      await first.harness.recorder.waitFor('finished', id);
      const row = await first.repositories.generations.get(id);
      expect([row?.status, row?.images.length]).toEqual(['succeeded', 1]);
      expect(gated.inner.completed).toHaveLength(1);
      expect(second.harness.recorder.of(id)).toEqual([]);
    });

    it('takes over a running job whose lease expired, and the old owner records nothing', async () => {
      const gated = new GatedEngine();
      const stalled = await startProcess(gated);
      const id = await accepted(stalled.harness.service.imagine({ ...from('ben'), options: options('a windmill --count 1') }));
      await stalled.harness.recorder.waitFor('started', id);
      // A process whose clock is past the lease: to it, the owner stopped renewing long ago.
      const later = await startProcess(new FakeImageEngine({ stepMs: 1, nsfwWord: undefined, failWord: undefined, onStep: undefined }), JOB_LEASE_MS + 60_000);
      await later.harness.recorder.waitFor('finished', id);
      expect(later.harness.recorder.of(id).map((event) => event.type)).toEqual(['queued', 'started', 'finished']);
      expect((await later.repositories.jobLeases.get(id))?.attempts).toBe(2);

      // The stalled owner wakes up: its lease is gone, so it neither records nor announces a result.
      gated.open();
      await expect.poll(() => gated.inner.completed.length).toBe(1);
      await stalled.harness.service.stop(AbortSignal.timeout(5_000));
      expect(stalled.harness.recorder.typesOf(id)).toEqual(['queued', 'started']);
      const row = await later.repositories.generations.get(id);
      expect([row?.status, row?.images.length]).toEqual(['succeeded', 1]);
    });

    it('takes over, while it runs, the job of a process that died on another host', async () => {
      // Short leases, so this process looks for abandoned jobs every 300 ms.
      const survivor = await startProcess(new FakeImageEngine({ stepMs: 1, nsfwWord: undefined, failWord: undefined, onStep: undefined }), 0, {
        owner: otherHostOwner(),
        durationMs: 300,
        renewEveryMs: 100,
      });
      // A job another host claimed with a 200 ms lease and then never renewed: that process died.
      const user = await survivor.repositories.users.upsert({ platform: 'discord', externalId: 'dee', displayName: 'dee' });
      const job = await survivor.repositories.generations.create({
        userId: user.id, workspaceId: undefined, channelId: 'c', kind: 'imagine', parentId: undefined, parentImageIndex: undefined,
        prompt: 'a ferry', negativePrompt: '', seed: 7, steps: 2, guidance: 1, scheduler: 'lcm', width: 512, height: 512, model: 'lcm-dreamshaper-v7',
        count: 1, strength: undefined, chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined },
      });
      expect(await survivor.repositories.jobLeases.claim(job.id, 'another-host/4242/deadbeef', 200)).toBe(1);
      await survivor.harness.recorder.waitFor('finished', job.id);
      expect(survivor.harness.recorder.typesOf(job.id)).toEqual(['queued', 'started', 'finished']);
      expect(await survivor.repositories.jobLeases.get(job.id)).toMatchObject({ status: 'succeeded', attempts: 2 });
    });

    it('turns one reaction seen by both processes into one reroll', async () => {
      const engine = () => new FakeImageEngine({ stepMs: 1, nsfwWord: undefined, failWord: undefined, onStep: undefined });
      const [one, two] = [await startProcess(engine()), await startProcess(engine())];
      const parent = await accepted(one.harness.service.imagine({ ...from('cat'), options: options('a barn --count 1') }));
      await one.harness.recorder.waitFor('finished', parent);
      // What each adapter does with the same 🔄 event: claim it, and act only if the claim is theirs.
      const key = `discord:reaction:msg-1:user-cat:🔄`;
      const react = async (process: typeof one) => ((await process.harness.service.claimEvent(key)) ? process.harness.service.reroll(parent, from('cat')) : undefined);
      const outcomes = await Promise.all([react(one), react(two)]);
      expect(outcomes.filter((outcome) => outcome?.ok === true)).toHaveLength(1);
      expect(outcomes.filter((outcome) => outcome === undefined)).toHaveLength(1);
      const children = await one.repositories.generations.history(
        { userId: undefined, workspaceId: undefined, channelId: undefined, queuedFrom: undefined, queuedBefore: undefined, statuses: undefined },
        { limit: 100, after: undefined },
      );
      expect(children.items.filter((row) => row.parentId === parent && row.kind === 'reroll')).toHaveLength(1);
      // Another event (another person's 🔄) is its own claim.
      expect(await two.harness.service.claimEvent('discord:reaction:msg-1:user-dan:🔄')).toBe(true);
    });

    it('prunes old claims so the same key can be claimed again after a day', async () => {
      const repositories = createRepositories(handle.database, () => new Date(Date.now() - 2 * 86_400_000));
      expect(await repositories.chatEvents.claim('slack:event:Ev-old', 'someone')).toBe(true);
      expect(await repositories.chatEvents.claim('slack:event:Ev-old', 'someone-else')).toBe(false);
      expect(await repositories.chatEvents.pruneOlderThan(new Date(Date.now() - 86_400_000))).toBeGreaterThanOrEqual(1);
      expect(await repositories.chatEvents.claim('slack:event:Ev-old', 'someone-else')).toBe(true);
    });
  });
}
