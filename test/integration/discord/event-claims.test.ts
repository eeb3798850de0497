/**
 * The Discord adapter acts on a reaction only when this process claims it: every bot process on
 * the database receives the same gateway event, so a 🔄 another process already claimed does
 * nothing here, while another person's 🔄 does. Real discord.js client, fake Discord, PGlite.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories } from '../../../src/db/index.ts';
import { systemClock } from '../../../src/db/domain.types.ts';
import { SCENE } from '../../fakes/discord/index.ts';
import { DiscordHarness } from './support/discord-harness.ts';
import { imagine } from './support/discord-actions.ts';
import { replyTo } from './support/discord-expect.ts';

describe('Discord reactions claimed across processes', () => {
  let harness: DiscordHarness;
  beforeAll(async () => {
    harness = await DiscordHarness.start();
  });
  afterAll(async () => harness?.close());

  it('ignores a 🔄 another process claimed and handles the next one', async () => {
    const parent = await imagine(harness, SCENE.alice, 'a dune at dusk', { steps: 2, count: 1 });
    // Another process saw bob's 🔄 first and claimed it.
    expect(await harness.service.claimEvent(`discord:reaction:${parent.message.id}:${SCENE.bob.id}:reroll`)).toBe(true);
    harness.fake.react(parent.message, '🔄', SCENE.bob);
    harness.fake.react(parent.message, '🔄', SCENE.carol);
    const rerolled = await replyTo(harness.fake, parent.message, (message) => message.embeds.length > 0);
    expect(rerolled.content.startsWith(`<@${SCENE.carol.id}> `)).toBe(true);

    // Once the adapter has finished all work it took on, there is still exactly one reroll.
    await harness.adapter.disconnect(AbortSignal.timeout(60_000));
    const page = await createRepositories(harness.database, systemClock).generations.history(
      { userId: undefined, workspaceId: undefined, channelId: undefined, queuedFrom: undefined, queuedBefore: undefined, statuses: undefined },
      { limit: 100, after: undefined },
    );
    expect(page.items.filter((row) => row.kind === 'reroll' && row.parentId === parent.generationId)).toHaveLength(1);
  });
});
