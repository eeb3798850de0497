/**
 * Results as large as real SDXL ones (four 1024² images and a 2048² grid, about 25 MB of PNG)
 * against a fake Discord that enforces the upload limit and answers 40005 like Discord. The
 * result must fit the server's limit, say so, and never leave the message at its last progress.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StaticModelDirectory } from '../../../src/generation/requests/index.ts';
import { SCENE, components, type StoredMessage } from '../../fakes/discord/index.ts';
import { NoisyImageEngine } from '../../support/generation/noisy-image-engine.ts';
import { DiscordHarness, fakeEngine, type DiscordHarnessOptions } from './support/discord-harness.ts';
import { expectCleanTraffic, result } from './support/discord-expect.ts';

const MIB = 1024 * 1024;
const BIG_MODEL = { name: 'big', nativeWidth: 1024, nativeHeight: 1024, steps: 2, guidance: 5, scheduler: 'euler' as const };

const bytesOf = (message: StoredMessage) => message.attachments.reduce((total, attachment) => total + attachment.size, 0);
const labels = (message: StoredMessage) => components(message).map((component) => component.label);

function start(fake: Partial<DiscordHarnessOptions['fake']>): Promise<DiscordHarness> {
  return DiscordHarness.start({ engine: new NoisyImageEngine(fakeEngine()), models: new StaticModelDirectory('big', [BIG_MODEL]), fake });
}

describe('Discord results over the upload limit', { timeout: 180_000 }, () => {
  describe('an unboosted server (10 MiB)', () => {
    let harness: DiscordHarness;
    beforeAll(async () => {
      harness = await start({});
    });
    afterEach(() => expectCleanTraffic(harness.fake));
    afterAll(async () => harness?.close());

    it('posts a compressed grid and the originals that fit, says why, and keeps every button', async () => {
      const interaction = harness.fake.slash('imagine', { prompt: 'a heavy result', count: 4, steps: 2 }, { user: SCENE.alice });
      const message = await result(harness.fake, interaction);
      expect(harness.fake.world.uploadRefusals).toEqual([]);
      expect(message.attachments[0]?.filename).toMatch(/\.webp$/);
      expect((message.embeds[0] as { image?: { url: string } }).image?.url).toBe(`attachment://${message.attachments[0]?.filename}`);
      expect(bytesOf(message)).toBeLessThanOrEqual(10 * MIB);
      // Some full-size originals still fit next to the compressed grid.
      expect(message.attachments.filter((attachment) => attachment.filename.endsWith('.png')).length).toBeGreaterThan(0);
      expect(message.content).toContain("larger than this server's upload limit (10 MiB), so a compressed picture is shown");
      expect(labels(message)).toEqual(expect.arrayContaining(['U1', 'U4', 'V1', 'V4', '🔄', '❌']));
    });
  });

  describe('a server whose real limit is lower than Discord documents (1 MiB)', () => {
    let harness: DiscordHarness;
    beforeAll(async () => {
      harness = await start({ uploadLimitBytes: 1 * MIB });
    });
    afterEach(() => expectCleanTraffic(harness.fake));
    afterAll(async () => harness?.close());

    it('after 40005 tries smaller until Discord takes it; the message shows the result, not its last progress', async () => {
      const interaction = harness.fake.slash('imagine', { prompt: 'heavier than allowed', count: 4, steps: 2 }, { user: SCENE.alice });
      const message = await result(harness.fake, interaction);
      expect(harness.fake.world.uploadRefusals.length).toBeGreaterThan(0);
      expect(bytesOf(message)).toBeLessThanOrEqual(1 * MIB);
      expect(message.content).toMatch(/upload limit/);
      expect(message.content).not.toMatch(/step \d+\/\d+|developing/);
      expect(labels(message)).toEqual(expect.arrayContaining(['U1', '🔄', '❌']));

      // The refusal is remembered for this server: the next result fits at the first try.
      const refusals = harness.fake.world.uploadRefusals.length;
      const next = await result(harness.fake, harness.fake.slash('imagine', { prompt: 'heavy again', count: 4, steps: 2 }, { user: SCENE.bob }));
      expect(harness.fake.world.uploadRefusals.length).toBe(refusals);
      expect(bytesOf(next)).toBeLessThanOrEqual(1 * MIB);
    });
  });
});

describe('Discord: a result that cannot be posted for another reason', { timeout: 120_000 }, () => {
  let harness: DiscordHarness;
  beforeAll(async () => {
    harness = await DiscordHarness.start();
  });
  afterEach(() => expectCleanTraffic(harness.fake));
  afterAll(async () => harness?.close());

  it('replaces the progress with the result text, the buttons and an apology instead of staying stuck', async () => {
    // The bot may not attach files here any more: every edit with files is refused.
    harness.fake.world.faults.push({ when: (request) => request.method === 'PATCH' && request.files > 0, status: 403, code: 50013, message: 'Missing Permissions', times: 100 });
    const interaction = harness.fake.slash('imagine', { prompt: 'no files allowed', count: 2, steps: 2 }, { user: SCENE.alice });
    const message = await harness.fake.original(interaction, (shown) => /could not be posted/.test(shown.content), 'the result without its images');
    expect(message.content).toMatch(/no files allowed.*\n.*seed/);
    expect(message.content).toMatch(/reference: [0-9a-f]{10}/);
    expect(message.content).not.toMatch(/step \d+\/\d+|developing/);
    expect(message.attachments).toEqual([]);
    expect(labels(message)).toEqual(expect.arrayContaining(['U1', 'U2', 'V1', '🔄', '❌']));
  });
});
