/**
 * One workspace's members never reach another workspace's data (issue 9), on a real database
 * (PGlite always; PostgreSQL when it answers) with the local image store and the fake engine:
 * two Discord guilds, a moderator of one of them, people banned here or everywhere, and DMs.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, type GenerationWithImages, type Repositories } from '../../../src/db/index.ts';
import { PrismaUsageRepository } from '../../../src/db/usage.repository.ts';
import type { RequestFrom } from '../../../src/generation/requests/request.types.ts';
import { LocalImageStore } from '../../../src/storage/index.ts';
import { dbTargets, type EmptyDatabase } from '../db/db-targets.ts';
import { createHarness, from, options } from '../../support/service/service-harness.ts';

/** A person in guild A (`guild-a`) or guild B (`guild-b`). */
const inA = (person: string, moderator = false) => from(person, { guild: 'guild-a', moderator });
const inB = (person: string, moderator = false) => from(person, { guild: 'guild-b', moderator });
/** A person in a direct message with the bot (no workspace). */
function inDm(person: string, moderator = false): RequestFrom {
  const request = from(person, { moderator });
  return { ...request, place: { ...request.place, workspace: undefined, channelId: `dm-${person}` } };
}
const person = (externalId: string) => ({ platform: 'discord' as const, externalId, displayName: externalId });
const notFound = (id: string) => `That generation (${id}) does not exist any more; it may have been deleted.`;
const messageOf = (outcome: { ok: boolean; message?: string }) => (outcome.ok ? 'ok' : outcome.message);

for (const target of dbTargets) {
  describe.skipIf(target.skipReason !== '')(`tenant isolation on ${target.name}${target.skipReason}`, () => {
    let handle: EmptyDatabase;
    let imagesDir: string;
    let harness: ReturnType<typeof createHarness>;
    let db: Repositories;

    beforeAll(async () => {
      handle = await target.openMigrated();
      imagesDir = await mkdtemp(path.join(tmpdir(), 'darkroom-tenancy-'));
      const clock = { now: Date.UTC(2026, 11, 7, 9) };
      db = createRepositories(handle.database, () => new Date(clock.now));
      harness = createHarness({
        startAt: clock.now,
        real: { repositories: db, usage: new PrismaUsageRepository(handle.database.prisma), store: new LocalImageStore(imagesDir), engine: undefined, models: undefined },
        policy: { blockedTerms: ['gore'] },
      });
      Object.defineProperty(clock, 'now', { get: () => harness.clock.now });
      await harness.service.start();
    });
    afterAll(async () => {
      await harness?.service.stop(AbortSignal.timeout(5_000));
      await handle?.dispose();
      await rm(imagesDir, { recursive: true, force: true });
    });

    async function finished(request: RequestFrom, prompt: string): Promise<GenerationWithImages> {
      const outcome = await harness.service.imagine({ ...request, options: options(prompt) });
      if (!outcome.ok) throw new Error(outcome.message);
      const event = await Promise.race([harness.recorder.waitFor('finished', outcome.generation.id), harness.recorder.waitFor('failed', outcome.generation.id)]);
      if (event.type === 'failed') throw new Error(`job failed: ${String(event.event['message'])}`);
      const row = await db.generations.get(outcome.generation.id);
      if (row === undefined) throw new Error('missing row');
      return row;
    }

    /** A queued row of guild B that no queue runs (a job waiting behind others). */
    async function queuedInB(owner: string): Promise<string> {
      const [user, workspace] = await Promise.all([db.users.upsert(person(owner)), db.workspaces.upsert({ platform: 'discord', externalId: 'guild-b', name: 'Guild' })]);
      const row = await db.generations.create({
        userId: user.id, workspaceId: workspace.id, channelId: 'channel-1', kind: 'imagine', parentId: undefined, parentImageIndex: undefined,
        prompt: 'a waiting job', negativePrompt: '', seed: 7, steps: 4, guidance: 7, scheduler: 'default', width: 64, height: 64,
        model: 'lcm-dreamshaper-v7', count: 1, strength: undefined, chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined },
      });
      return row.id;
    }

    it('answers "not found" to a moderator of guild A for every action on guild B’s job, exactly as for an unknown id', async () => {
      const job = await finished(inB('bob'), 'a lighthouse in guild b --count 2');
      const waiting = await queuedInB('bob');
      const auditBefore = await db.moderation.list({ workspaceId: undefined, actorId: undefined, targetUserId: undefined, limit: 100, beforeId: undefined });
      const mod = inA('mod-a', true);
      const attempts = {
        show: await harness.service.show(job.id, mod),
        deleteImage: await harness.service.deleteImage(job.id, 0, mod.requester, mod.place, 'spam'),
        deleteJob: await harness.service.deleteGeneration(job.id, mod.requester, mod.place, undefined),
        cancel: await harness.service.cancel(waiting, mod.requester, mod.place),
        deleteWaiting: await harness.service.deleteGeneration(waiting, mod.requester, mod.place, undefined),
        reroll: await harness.service.reroll(job.id, mod),
        vary: await harness.service.vary(job.id, 1, 'strong', mod),
        upscale: await harness.service.upscale(job.id, 0, mod),
      };
      for (const [action, outcome] of Object.entries(attempts)) {
        const id = action === 'cancel' || action === 'deleteWaiting' ? waiting : job.id;
        expect([action, outcome.ok ? 'ok' : outcome.code, messageOf(outcome)]).toEqual([action, 'not_found', notFound(id)]);
      }
      // An id that never existed reads the same.
      expect(messageOf(await harness.service.show('nosuchjob123', mod))).toBe(notFound('nosuchjob123'));
      // Nothing in guild B changed: images, files, the waiting job, the audit log.
      const after = await db.generations.get(job.id);
      expect(after?.images.map((image) => image.deletedAt)).toEqual([undefined, undefined]);
      for (const image of job.images) expect(await harness.realStore.exists(image.fileKey)).toBe(true);
      expect((await db.generations.get(waiting))?.status).toBe('queued');
      expect(await db.moderation.list({ workspaceId: undefined, actorId: undefined, targetUserId: undefined, limit: 100, beforeId: undefined })).toEqual(auditBefore);
      // Even its owner does not see it from another guild; in guild B a moderator acts on it.
      expect(messageOf(await harness.service.show(job.id, inA('bob')))).toBe(notFound(job.id));
      expect(await harness.service.deleteImage(job.id, 0, inB('mod-b', true).requester, inB('mod-b', true).place, 'spam')).toEqual({ ok: true, deleted: [0] });
      expect((await harness.service.cancel(waiting, inB('mod-b', true).requester, inB('mod-b', true).place)).ok).toBe(true);
    });

    it('bans in one guild only; only admins ban everywhere (DMs too); a banned moderator cannot moderate', async () => {
      const modA = inA('mod-a', true);
      expect(messageOf(await harness.moderation.ban(person('carol'), 'workspace', modA, 'spam'))).toBe('ok');
      const carol = await db.users.findByExternalId('discord', 'carol');
      const guildA = await db.workspaces.findByExternalId('discord', 'guild-a');
      expect(await db.workspaceBans.find(guildA?.id ?? '', carol?.id ?? '')).toMatchObject({ reason: 'spam' });
      expect(carol?.banned).toBe(false);
      expect(messageOf(await harness.service.imagine({ ...inA('carol'), options: options('a cat') }))).toBe('You are banned from using Darkroom here: spam');
      // Same process, same policy cache: the ban of guild A is not one of guild B or of DMs.
      expect((await harness.service.imagine({ ...inB('carol'), options: options('a cat --count 1') })).ok).toBe(true);
      expect((await harness.service.imagine({ ...inDm('carol'), options: options('a cat --count 1') })).ok).toBe(true);

      // Everywhere: not for moderators, and nobody moderates in a DM but admins.
      expect(messageOf(await harness.moderation.ban(person('dave'), 'global', modA, 'spam'))).toBe('Only an admin can ban people everywhere.');
      expect(messageOf(await harness.moderation.ban(person('dave'), 'workspace', inDm('mod-a', true), 'spam'))).toBe('Only a moderator can ban people.');
      const admin = await db.users.upsert(person('root'));
      await db.users.setRole(admin.id, 'admin');
      expect(messageOf(await harness.moderation.ban(person('dave'), 'global', inDm('root'), 'operator ban'))).toBe('ok');
      expect((await db.users.findByExternalId('discord', 'dave'))?.banned).toBe(true);
      for (const place of [inA('dave'), inB('dave'), inDm('dave')]) {
        expect(messageOf(await harness.service.imagine({ ...place, options: options('a cat') }))).toBe('You are banned from using Darkroom here: operator ban');
      }

      // Mallory moderates guild A (the platform says so) but is banned there.
      const victim = await finished(inA('victim'), 'a harbour --count 1');
      expect(messageOf(await harness.moderation.ban(person('mallory'), 'workspace', modA, 'abuse'))).toBe('ok');
      const mallory = inA('mallory', true);
      expect(messageOf(await harness.moderation.ban(person('victim'), 'workspace', mallory, undefined))).toBe('Only a moderator can ban people.');
      expect(messageOf(await harness.service.deleteImage(victim.id, 0, mallory.requester, mallory.place, undefined))).toBe('Only the person who made it or a moderator can delete this image.');
      expect(messageOf(await harness.moderation.blockTerm('harbour', 'workspace', mallory, undefined))).toBe('Only a moderator can change the blocked terms.');
      expect(messageOf(await harness.moderation.history(mallory, { user: undefined, channelId: undefined, thisWorkspaceOnly: true, from: undefined, before: undefined, statuses: undefined }, { limit: 5, after: undefined }))).toBe(
        "Only a moderator can see other people's activity.",
      );
      expect((await db.generations.get(victim.id))?.images[0]?.deletedAt).toBeUndefined();
      // Where Mallory is not banned, the same rights work.
      expect(messageOf(await harness.moderation.blockTerm('kraken', 'workspace', inB('mallory', true), undefined))).toBe('ok');
    });

    it('history, usage and the audit log cover only the request’s guild; in DMs people see their own jobs', async () => {
      const inGuildA = await finished(inA('erin'), 'erin in a --count 1');
      const inGuildB = await finished(inB('erin'), 'erin in b --count 1');
      await harness.moderation.blockTerm('octopus', 'workspace', inB('mod-b', true), 'b only');
      const everyone = { user: undefined, channelId: undefined, thisWorkspaceOnly: true, from: undefined, before: undefined, statuses: undefined };
      const history = await harness.moderation.history(inA('mod-a', true), { ...everyone, user: person('erin') }, { limit: 50, after: undefined });
      expect(history.ok && history.items.map((item) => item.id)).toEqual([inGuildA.id]);
      const all = await harness.moderation.history(inA('mod-a', true), everyone, { limit: 100, after: undefined });
      const guildA = await db.workspaces.findByExternalId('discord', 'guild-a');
      expect(all.ok && all.items.every((item) => item.workspaceId === guildA?.id)).toBe(true);
      const usage = await harness.moderation.usage(inA('mod-a', true), { ...everyone, user: person('erin') });
      expect(usage.ok && usage.summary.totals.jobs).toBe(1);
      const audit = await harness.moderation.audit(inA('mod-a', true), { limit: 100, beforeId: undefined });
      expect(audit.ok && audit.entries.length > 0 && audit.entries.every((entry) => entry.workspaceId === guildA?.id)).toBe(true);
      expect(audit.ok && audit.entries.some((entry) => entry.details['term'] === 'octopus')).toBe(false);
      // A configured moderator in a DM is a person like any other there.
      expect(messageOf(await harness.moderation.history(inDm('mod-a', true), everyone, { limit: 5, after: undefined }))).toBe("Only a moderator can see other people's activity.");
      expect(messageOf(await harness.moderation.audit(inDm('mod-a', true), { limit: 5, beforeId: undefined }))).toBe('Only a moderator can read the audit log.');

      const dmJob = await finished(inDm('erin'), 'erin in a dm --count 1');
      expect((await harness.service.show(dmJob.id, inDm('erin'))).ok).toBe(true);
      expect(messageOf(await harness.service.show(dmJob.id, inDm('frank', true)))).toBe(notFound(dmJob.id));
      expect(messageOf(await harness.service.show(inGuildB.id, inDm('erin')))).toBe(notFound(inGuildB.id));
      // Admins moderate DMs.
      expect((await harness.service.show(dmJob.id, inDm('root'))).ok).toBe(true);
    });

    it('refuses control characters before anything is stored, naming the field, instead of failing in PostgreSQL', async () => {
      // What happened before: PostgreSQL refuses NUL in text, and the request failed as a bug.
      const user = await db.users.upsert(person('nul'));
      await expect(
        db.generations.create({
          userId: user.id, workspaceId: undefined, channelId: 'c', kind: 'imagine', parentId: undefined, parentImageIndex: undefined,
          prompt: 'a cat\u0000', negativePrompt: '', seed: 1, steps: 4, guidance: 7, scheduler: 'default', width: 64, height: 64,
          model: 'm', count: 1, strength: undefined, chat: { messageId: undefined, interactionToken: undefined, threadTs: undefined },
        }),
      ).rejects.toThrow();
      const attempts = [
        ['prompt', await harness.service.imagine({ ...inA('nul'), options: options('a cat\u0000 on a mat') })],
        ['--no', await harness.service.imagine({ ...inA('nul'), options: options('a cat --no dogs\u0000') })],
        ['prompt', await harness.service.imagine({ ...inA('nul'), options: options('a cat \u001b[31mred\u001b[0m') })],
        ['negative', await harness.service.saveSettings(inA('nul'), { negative: { label: 'negative', text: 'blurry\u0000' } })],
        ['aspect', await harness.service.saveSettings(inA('nul'), { aspect: { label: 'aspect', text: '16:9\u0000' } })],
        ['term', await harness.moderation.blockTerm('bad\u0000word', 'workspace', inA('mod-a', true), undefined)],
        ['reason', await harness.moderation.ban(person('zed'), 'workspace', inA('mod-a', true), 'spam\u0085')],
      ] as const;
      for (const [field, outcome] of attempts) {
        expect(outcome.ok ? 'ok' : [outcome.code, outcome.message]).toEqual([
          'invalid_option',
          expect.stringMatching(new RegExp(`^The ${field} contains a control character \\(U\\+00(00|1B|85)\\) that cannot be used\\. Remove it and try again\\.$`)),
        ]);
      }
      const rowsAfter = await harness.moderation.history(inA('nul'), { user: person('nul'), channelId: undefined, thisWorkspaceOnly: false, from: undefined, before: undefined, statuses: undefined }, { limit: 10, after: undefined });
      expect(rowsAfter.ok && rowsAfter.items.length).toBe(0);
      expect(await db.userSettings.get(user.id)).toBeUndefined();
      expect(await db.users.findByExternalId('discord', 'zed')).toBeUndefined();
      // A name the platform sends is cleaned, not refused: the person can still use Darkroom.
      const odd = inA('odd');
      const named = { ...odd, requester: { ...odd.requester, identity: { ...odd.requester.identity, displayName: 'O\u0000dd\u202E' } } };
      expect((await harness.service.imagine({ ...named, options: options('a cat --count 1') })).ok).toBe(true);
      expect((await db.users.findByExternalId('discord', 'odd'))?.displayName).toBe('Odd');
    });

    it('removes invisible and right-to-left characters before the prompt is stored or echoed; nothing visible is no prompt', async () => {
      const accepted = await harness.service.imagine({ ...inA('rtl'), options: options('a \u202Ecat\u202C on a\u200B mat --no dog\u2066s\u2069 --count 1') });
      expect(accepted.ok && [accepted.generation.prompt, accepted.generation.negativePrompt]).toEqual(['a cat on a mat', 'dogs']);
      for (const prompt of ['\u200B\u2060\u00AD', '\u202E \u3164 \u2800', '\uFEFF']) {
        expect(messageOf(await harness.service.imagine({ ...inA('rtl'), options: options(prompt) }))).toBe('prompt needs a value: describe the picture you want.');
      }
    });

    it('blocks terms hidden with invisible characters or attention markup, in prompt and negative prompt', async () => {
      const mod = inA('mod-a', true);
      expect(await harness.moderation.blockTerm('nude', 'workspace', mod, undefined)).toEqual({ ok: true, added: true, term: 'nude' });
      // The same term typed with a zero-width space is the same term.
      expect(await harness.moderation.blockTerm('nu\u200Bde', 'workspace', mod, undefined)).toEqual({ ok: true, added: false, term: 'nude' });
      for (const prompt of ['a n\u200Bude figure', 'a nu\u00ADde figure', 'a nu\u2060de figure', 'a nu()de figure', '(nu)(de:1.0) figure', 'a figure --no n\uFEFFude']) {
        const outcome = await harness.service.imagine({ ...inA('sneaky'), options: options(prompt) });
        expect([prompt, outcome.ok ? 'ok' : outcome.code]).toEqual([prompt, 'blocked_term']);
      }
      // Config terms too; and guild B never blocked "nude".
      expect(messageOf(await harness.service.imagine({ ...inB('sneaky'), options: options('g\u200Bore') }))).toBe('Your prompt contains a blocked term ("gore"). Please rephrase it and try again.');
      expect((await harness.service.imagine({ ...inB('sneaky'), options: options('a n\u200Bude figure --count 1') })).ok).toBe(true);
    });
  });
}
