/**
 * A waiting job's message follows the queue: "position 2" becomes "position 1" when the job
 * ahead finishes, before the job starts. The engine holds jobs at gates the test opens, so the
 * queue moves exactly when the test says, however loaded the machine is.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCENE } from '../../fakes/discord/index.ts';
import { GatedImageEngine } from '../../support/generation/gated-image-engine.ts';
import { DiscordHarness, fakeEngine } from './support/discord-harness.ts';
import { expectCleanTraffic, result } from './support/discord-expect.ts';

describe('Discord: queue positions while a job waits', { timeout: 120_000 }, () => {
  let harness: DiscordHarness;
  const engine = new GatedImageEngine(fakeEngine());

  beforeAll(async () => {
    harness = await DiscordHarness.start({ engine });
  });
  afterEach(() => expectCleanTraffic(harness.fake));
  afterAll(async () => harness?.close());

  it('"position 2" becomes "position 1" when the job ahead finishes', async () => {
    const { fake } = harness;
    engine.hold('first');
    engine.hold('second');
    const first = fake.slash('imagine', { prompt: 'first in line', steps: 2 }, { user: SCENE.alice });
    await fake.waitFor('the first job to run', () => (engine.waiting.has('first') ? true : undefined));
    const second = fake.slash('imagine', { prompt: 'second in line', steps: 2 }, { user: SCENE.bob });
    await fake.original(second, (message) => /position 1\b/.test(message.content), 'the second job at position 1');
    const third = fake.slash('imagine', { prompt: 'third in line', steps: 2 }, { user: SCENE.carol });
    await fake.original(third, (message) => /position 2\b/.test(message.content), 'the third job at position 2');

    engine.open('first');
    await result(fake, first);
    await fake.waitFor('the second job to run', () => (engine.waiting.has('second') ? true : undefined));
    const moved = await fake.original(third, (message) => /position 1\b/.test(message.content), 'the third job at position 1');
    expect(moved.content).toMatch(/third in line.*queued, position 1, done in about/);

    engine.open('second');
    const done = await result(fake, third);
    // Queued at 2, then 1, then running and done: never back to an older place.
    const places = done.revisions.map((revision) => /position (\d)/.exec(revision.content)?.[1]).filter((place) => place !== undefined).map(Number);
    expect(places[0]).toBe(2);
    expect(places.at(-1)).toBe(1);
    expect(places).toEqual([...places].sort((a, b) => b - a));
  });
});
