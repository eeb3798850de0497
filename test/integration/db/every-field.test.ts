/**
 * Every model and every field through the generated Prisma client, on a database built only
 * from the committed migrations: what is written must read back unchanged. A column the
 * migrations forgot, or typed too narrowly (seed 2^32-1, ms timestamps, nested JSON), fails here.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PrismaClient } from '../../../src/db/database.ts';
import { dbTargets, type EmptyDatabase } from './db-targets.ts';

const at = (iso: string) => new Date(iso);

for (const target of dbTargets) {
  describe.skipIf(target.skipReason !== '')(`every field on ${target.name}${target.skipReason}`, () => {
    let handle: EmptyDatabase;
    let prisma: PrismaClient;

    beforeAll(async () => {
      handle = await target.openMigrated();
      prisma = handle.database.prisma;
    });
    afterAll(() => handle?.dispose());

    it('round-trips users, workspaces, settings, generations, images, audit entries and blocked terms', async () => {
      const user = {
        id: 'user-1',
        platform: 'slack' as const,
        externalId: 'U0123ABC',
        displayName: 'Ada Lovelace ✨',
        role: 'moderator' as const,
        banned: true,
        bannedReason: 'spam',
        bannedAt: at('2024-05-06T07:08:09.123Z'),
        createdAt: at('2024-01-02T03:04:05.678Z'),
      };
      expect(await prisma.user.create({ data: user })).toEqual(user);
      expect(await prisma.user.findUniqueOrThrow({ where: { id: user.id } })).toEqual(user);

      const workspace = {
        id: 'ws-1',
        platform: 'discord' as const,
        externalId: '123456789012345678',
        name: 'Photo club',
        settings: { nsfw: false, maxCount: 4, nested: { models: ['a', 'b'], ratio: 1.5, none: null } },
        createdAt: at('2024-01-01T00:00:00.001Z'),
      };
      await prisma.workspace.create({ data: workspace });
      expect(await prisma.workspace.findUniqueOrThrow({ where: { id: workspace.id } })).toEqual(workspace);

      const settings = {
        id: 'settings-1',
        userId: user.id,
        negativePrompt: 'blurry, lowres',
        aspect: '3:2',
        steps: 28,
        guidance: 6.5,
        model: 'epicrealism',
        scheduler: 'dpmpp-2m',
        count: 2,
        updatedAt: at('2024-02-03T04:05:06.789Z'),
      };
      await prisma.userSettings.create({ data: settings });
      const storedSettings = await prisma.userSettings.findUniqueOrThrow({ where: { userId: user.id } });
      // @updatedAt is set by the client on write; every other field must be what we wrote.
      expect({ ...storedSettings, updatedAt: settings.updatedAt }).toEqual(settings);

      const parent = {
        id: 'parent_gen01',
        userId: user.id,
        workspaceId: workspace.id,
        channelId: 'C999',
        kind: 'imagine' as const,
        prompt: 'a lighthouse at dawn, 35mm',
        negativePrompt: 'cartoon',
        seed: 4_294_967_295n,
        steps: 30,
        guidance: 7.25,
        scheduler: 'euler-ancestral',
        width: 768,
        height: 512,
        model: 'realistic-vision',
        count: 4,
        status: 'succeeded' as const,
        queuedAt: at('2024-03-01T10:00:00.000Z'),
        startedAt: at('2024-03-01T10:00:01.250Z'),
        finishedAt: at('2024-03-01T10:00:31.999Z'),
        gpuMs: 30_123,
        messageId: '1712345678.000100',
        threadTs: '1712345000.000001',
      };
      await prisma.generation.create({ data: parent });
      const child = {
        id: 'child-gen_02',
        userId: user.id,
        workspaceId: null,
        channelId: 'D42',
        kind: 'variation' as const,
        parentId: parent.id,
        parentImageIndex: 3,
        prompt: parent.prompt,
        negativePrompt: '',
        seed: 0n,
        steps: 20,
        guidance: 1,
        scheduler: 'lcm',
        width: 512,
        height: 768,
        model: 'sd-turbo',
        count: 1,
        strength: 0.35,
        status: 'failed' as const,
        errorCode: 'out_of_memory',
        errorMessage: 'allocation of 2 GiB failed',
        queuedAt: at('2024-03-02T00:00:00.500Z'),
        startedAt: null,
        finishedAt: at('2024-03-02T00:00:02.000Z'),
        gpuMs: null,
        messageId: null,
        interactionToken: 'aW50ZXJhY3Rpb246MTIz',
        threadTs: null,
      };
      await prisma.generation.create({ data: child });
      const storedParent = await prisma.generation.findUniqueOrThrow({ where: { id: parent.id } });
      expect(storedParent).toMatchObject({ ...parent, parentId: null, parentImageIndex: null, strength: null });
      expect(storedParent).toMatchObject({ errorCode: null, errorMessage: null, interactionToken: null });
      expect(typeof storedParent.queueOrder).toBe('bigint');
      const storedChild = await prisma.generation.findUniqueOrThrow({ where: { id: child.id } });
      expect(storedChild).toMatchObject(child);
      expect(storedChild.queueOrder).toBeGreaterThan(storedParent.queueOrder);

      const image = {
        id: 'image-1',
        generationId: parent.id,
        index: 3,
        fileKey: '2024/03/parent_gen01-3.png',
        width: 768,
        height: 512,
        sha256: 'a'.repeat(64),
        bytes: 1_234_567,
        nsfw: false,
        createdAt: at('2024-03-01T10:00:32.000Z'),
        deletedAt: at('2024-03-05T00:00:00.000Z'),
        deletedById: user.id,
      };
      const unchecked = { ...image, id: 'image-0', index: 0, nsfw: null, deletedAt: null, deletedById: null };
      await prisma.image.createMany({ data: [image, unchecked] });
      const images = await prisma.image.findMany({ where: { generationId: parent.id }, orderBy: { index: 'asc' } });
      expect(images).toEqual([unchecked, image]);

      const action = {
        actorId: user.id,
        action: 'delete' as const,
        workspaceId: workspace.id,
        targetUserId: user.id,
        targetGenerationId: parent.id,
        reason: 'reported by members',
        details: { imageIndex: 3, via: 'button' },
        createdAt: at('2024-03-05T00:00:00.000Z'),
      };
      // The id is a sequence, left to the database.
      const { id: actionId } = await prisma.moderationAction.create({ data: action });
      expect(await prisma.moderationAction.findUniqueOrThrow({ where: { id: actionId } })).toEqual({ id: actionId, ...action });

      const term = {
        id: 'term-1',
        workspaceId: workspace.id,
        term: '  Gore ',
        normalizedTerm: 'gore',
        createdById: user.id,
        createdAt: at('2024-03-06T00:00:00.000Z'),
      };
      const globalTerm = { ...term, id: 'term-2', workspaceId: null, createdById: null };
      await prisma.blockedTerm.createMany({ data: [term, globalTerm] });
      expect(await prisma.blockedTerm.findMany({ orderBy: { id: 'asc' } })).toEqual([term, globalTerm]);
    });

    it('fills the documented defaults', async () => {
      const user = await prisma.user.create({ data: { platform: 'discord', externalId: '42', displayName: 'x' } });
      expect(user).toMatchObject({ role: 'user', banned: false, bannedReason: null, bannedAt: null });
      expect(user.id).toMatch(/^c[a-z0-9]{20,}$/);
      const workspace = await prisma.workspace.create({ data: { platform: 'slack', externalId: 'T1', name: 'n' } });
      expect(workspace.settings).toEqual({});
      const generation = await prisma.generation.create({
        data: {
          userId: user.id,
          channelId: 'c',
          kind: 'imagine',
          prompt: 'p',
          negativePrompt: '',
          seed: 1n,
          steps: 1,
          guidance: 1,
          scheduler: 'euler',
          width: 64,
          height: 64,
          model: 'm',
          count: 1,
        },
      });
      // A short id for chat buttons: 12 URL-safe characters.
      expect(generation.id).toMatch(/^[A-Za-z0-9_-]{12}$/);
      expect(generation.status).toBe('queued');
      expect(Math.abs(generation.queuedAt.getTime() - Date.now())).toBeLessThan(60_000);
      const action = await prisma.moderationAction.create({ data: { actorId: user.id, action: 'ban' } });
      expect(action.details).toEqual({});
    });

    it('refuses what the constraints forbid', async () => {
      const user = await prisma.user.create({ data: { platform: 'discord', externalId: 'dup', displayName: 'a' } });
      await expect(
        prisma.user.create({ data: { platform: 'discord', externalId: 'dup', displayName: 'b' } }),
      ).rejects.toMatchObject({ code: 'P2002' });
      // Same external id on the other platform is another person.
      await prisma.user.create({ data: { platform: 'slack', externalId: 'dup', displayName: 'c' } });
      // Global blocked terms are unique too, although workspace_id is NULL.
      await prisma.blockedTerm.create({ data: { term: 'x', normalizedTerm: 'x', createdById: user.id } });
      await expect(prisma.blockedTerm.create({ data: { term: 'X', normalizedTerm: 'x' } })).rejects.toMatchObject({
        code: 'P2002',
      });
    });
  });
}
