/**
 * Two Discord servers, one bot (issue 9): a member with Manage Messages in server A moderates
 * server A only. From A, a job of server B is "not found" (/show, so there is no copy to ❌), a
 * /ban applies in A only, and in B — where the same person is a plain member — ❌ and Cancel on
 * B's jobs are refused. A moderator banned in A cannot moderate there any more.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateOptions, GenerationRequest, GenerationResult, ImageEngine } from '../../../src/generation/engine.types.ts';
import { PERMISSIONS, SCENE, components, defaultScene, type FakeUser } from '../../fakes/discord/index.ts';
import { DiscordHarness, fakeEngine } from './support/discord-harness.ts';
import { imagine, row } from './support/discord-actions.ts';
import { buttonLabels, expectCleanTraffic, privateAnswer, replyTo, result } from './support/discord-expect.ts';

const GUILD_B = '100000000000000002';
const B_GENERAL = '200000000000000021';
const B_MODERATORS = '400000000000000021';
/** Moderates server B (Manage Messages there); a plain member of A. */
const BMOD: FakeUser = { id: '300000000000000021', username: 'bmod', bot: false };

/** The default scene plus server B, where everyone is a member and only bmod moderates. */
function twoServers() {
  const scene = defaultScene([BMOD]);
  const everyone = PERMISSIONS.viewChannel | PERMISSIONS.sendMessages | PERMISSIONS.useApplicationCommands;
  scene.guilds.push({
    id: GUILD_B,
    name: 'Server B',
    ownerId: '300000000000009998',
    roles: [
      { id: GUILD_B, name: '@everyone', permissions: everyone.toString() },
      { id: B_MODERATORS, name: 'B moderators', permissions: (everyone | PERMISSIONS.manageMessages).toString() },
    ],
    members: scene.users.map((user) => ({ userId: user.id, roleIds: user.id === BMOD.id ? [B_MODERATORS] : [] })),
  });
  scene.channels.push({ id: B_GENERAL, guildId: GUILD_B, name: 'b-general', nsfw: false });
  return scene;
}

/** The fake engine, holding jobs whose prompt says "held" until released (so one waits behind it). */
class HoldingEngine implements ImageEngine {
  readonly #inner = fakeEngine(5);
  #release!: () => void;
  readonly #released = new Promise<void>((resolve) => (this.#release = resolve));

  release(): void {
    this.#release();
  }

  async generate(request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    if (request.prompt.includes('held')) await this.#released;
    return this.#inner.generate(request, options);
  }

  upscale(png: Buffer, request: GenerationRequest, options: GenerateOptions): Promise<GenerationResult> {
    return this.#inner.upscale(png, request, options);
  }
}

const notFound = (id: string) => `That generation (${id}) does not exist any more; it may have been deleted.`;

describe('Discord: two servers', { timeout: 150_000 }, () => {
  let harness: DiscordHarness;
  const engine = new HoldingEngine();

  beforeAll(async () => {
    harness = await DiscordHarness.start({ engine, guildIds: [SCENE.guildId, GUILD_B], fake: { scene: twoServers() } });
  });
  afterEach(() => expectCleanTraffic(harness.fake));
  afterAll(async () => {
    engine.release();
    await harness?.close();
  });

  const run = (name: string, options: Parameters<DiscordHarness['fake']['slash']>[1], user: FakeUser, channelId = SCENE.general) =>
    privateAnswer(harness.fake, harness.fake.slash(name, options, { user, channelId }));

  it('/show of server B’s job from server A says "not found", exactly as an unknown id', async () => {
    const bobs = await imagine(harness, SCENE.bob, 'a lighthouse in server b', { steps: 2 }, B_GENERAL);
    expect((await run('show', { id: bobs.generationId }, SCENE.mod)).content).toBe(notFound(bobs.generationId));
    expect((await run('show', { id: 'nosuchjob123' }, SCENE.mod)).content).toBe(notFound('nosuchjob123'));
    // In server B it shows, with its buttons.
    const shown = await result(harness.fake, harness.fake.slash('show', { id: bobs.generationId }, { user: BMOD, channelId: B_GENERAL }));
    expect(buttonLabels(shown)).toContain('❌');
    expect(harness.fake.world.channelMessages(SCENE.general).some((message) => message.content.includes('lighthouse in server b'))).toBe(false);
  });

  it('a moderator of A is a plain member in B: ❌ and Cancel on B’s jobs are refused, B’s moderator may', async () => {
    const done = await imagine(harness, SCENE.bob, 'a harbour in server b', { steps: 2 }, B_GENERAL);
    harness.fake.react(done.message, '❌', SCENE.mod);
    const refusal = await replyTo(harness.fake, done.message, (message) => message.content.includes('Only the person who made it or a moderator'));
    expect(refusal.content.startsWith(`<@${SCENE.mod.id}> `)).toBe(true);
    expect((await privateAnswer(harness.fake, harness.fake.press(done.message, { label: '❌' }, SCENE.mod))).content).toMatch(/^Only the person who made it or a moderator can /);
    expect((await row(harness, done.generationId)).images.every((image) => image.deletedAt === undefined)).toBe(true);

    // One job held running, a second waiting behind it, both in B.
    const first = harness.fake.slash('imagine', { prompt: 'a held sunrise', steps: 2 }, { user: SCENE.bob, channelId: B_GENERAL });
    await harness.fake.original(first, (message) => buttonLabels(message).includes('Cancel'), 'the held job');
    const second = harness.fake.slash('imagine', { prompt: 'a waiting moon', steps: 2 }, { user: SCENE.bob, channelId: B_GENERAL });
    const waiting = await harness.fake.original(second, (message) => buttonLabels(message).includes('Cancel'), 'the waiting job');
    const waitingId = /^cancel:([\w-]+)$/.exec(components(waiting)[0]?.customId ?? '')?.[1] ?? '';
    const refused = await privateAnswer(harness.fake, harness.fake.press(waiting, { label: 'Cancel' }, SCENE.mod));
    expect(refused.content).toMatch(/^Only the person who made it or a moderator can cancel/);
    expect((await row(harness, waitingId)).status).toBe('queued');
    expect((await privateAnswer(harness.fake, harness.fake.press(waiting, { label: 'Cancel' }, BMOD))).content).toBe('Cancelled.');
    expect((await row(harness, waitingId)).status).toBe('cancelled');
    engine.release();
    await result(harness.fake, first);
  });

  it('/ban in server A bans there only; "everywhere" is for admins', async () => {
    expect((await run('ban', { user: SCENE.carol, reason: 'spam' }, SCENE.mod)).content).toBe('carol is banned here.');
    const refused = await run('imagine', { prompt: 'a cat' }, SCENE.carol);
    expect(refused.content).toBe('You are banned from using Darkroom here: spam');
    // In server B carol is not banned.
    await imagine(harness, SCENE.carol, 'a cat in server b', { steps: 2 }, B_GENERAL);
    expect((await run('ban', { user: SCENE.carol, reason: 'spam', scope: 'global' }, SCENE.mod)).content).toBe('Only an admin can ban people everywhere.');
    expect((await run('unban', { user: SCENE.carol }, SCENE.mod)).content).toBe('carol is no longer banned here.');
  });

  it('a moderator banned in server A cannot moderate there, though Discord still says Manage Messages', async () => {
    const alices = await imagine(harness, SCENE.alice, 'a quiet street', { steps: 2 });
    // helper moderates A by a configured role; mod has Manage Messages in A.
    expect((await run('ban', { user: SCENE.mod, reason: 'abused ❌' }, SCENE.helper)).content).toBe('mod is banned here.');
    expect((await privateAnswer(harness.fake, harness.fake.press(alices.message, { label: '❌' }, SCENE.mod))).content).toMatch(/^Only the person who made it or a moderator can /);
    expect((await run('ban', { user: SCENE.alice, reason: 'revenge' }, SCENE.mod)).content).toBe('Only a moderator can ban people.');
    expect((await run('history', {}, SCENE.mod)).content).toMatch(/^Only a moderator can /);
    expect((await row(harness, alices.generationId)).images.every((image) => image.deletedAt === undefined)).toBe(true);
    expect((await run('unban', { user: SCENE.mod }, SCENE.helper)).content).toBe('mod is no longer banned here.');
  });
});
