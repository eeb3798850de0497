/**
 * Several jobs in one channel, against a fake Discord that enforces Discord's limits, including
 * the channel-wide edit limit that every message of a channel shares whichever interaction token
 * edits it. People notice 429s as progress that stalls and results that come late; the fake
 * counts every 429 it answers, so nothing here is timed.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DISCORD_LIKE_RULES, SCENE } from '../../fakes/discord/index.ts';
import { DiscordHarness, fakeEngine } from './support/discord-harness.ts';
import { expectCleanTraffic, result } from './support/discord-expect.ts';

describe('Discord: several jobs in one channel', { timeout: 180_000 }, () => {
  let harness: DiscordHarness;

  beforeAll(async () => {
    harness = await DiscordHarness.start({ engine: fakeEngine(20), fake: { rateLimits: DISCORD_LIKE_RULES } });
  });
  afterEach(() => expectCleanTraffic(harness.fake));
  afterAll(async () => harness?.close());

  it('4 jobs started together in one channel reach their results with 0 × 429', async () => {
    const people = [SCENE.alice, SCENE.bob, SCENE.carol, SCENE.helper];
    const interactions = people.map((user, n) => harness.fake.slash('imagine', { prompt: `a burst photo ${n}`, steps: 30, count: 1 }, { user }));
    const results = await Promise.all(interactions.map((interaction) => result(harness.fake, interaction)));
    expect(results.map((message) => message.channelId)).toEqual(people.map(() => SCENE.general));
    expect(harness.fake.world.rateLimitHits).toEqual([]);
  });
});
