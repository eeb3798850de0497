/**
 * /imagine end to end with nothing faked but Discord: the real discord.js client against the
 * fake Discord, the real service, PGlite, the local image store and the real diffusion engine on
 * the shared tiny SD 1.5 fixture (random weights, real architecture).
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRepositories, systemClock } from '../../../src/db/index.ts';
import { loadModelCatalog } from '../../../src/generation/models/model-catalog.ts';
import { DiffusionEngine } from '../../../src/generation/pipeline/diffusion-engine.ts';
import { InstalledModelDirectory } from '../../../src/generation/requests/index.ts';
import { decodeImage, readPngParameters } from '../../../src/images/index.ts';
import { SCENE } from '../../fakes/discord/index.ts';
import { projectRoot, sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { DiscordHarness } from './support/discord-harness.ts';
import { buttonLabels, embedFields, expectCleanTraffic, result } from './support/discord-expect.ts';

const modelsDir = sharedPath('fixtures', 'models');

describe.skipIf(!modelsDir)('Discord /imagine with the real engine on tiny-sd15' + sharedSkipReason, { timeout: 150_000 }, () => {
  let harness: DiscordHarness;
  let engine: DiffusionEngine;

  beforeAll(async () => {
    const catalog = await loadModelCatalog(path.join(projectRoot, 'config', 'models.yaml'));
    const locations = { catalog, modelsDir: modelsDir as string };
    engine = new DiffusionEngine({ locations, provider: 'cpu', threads: 1, cfgBatching: 'batched', cachedPipelines: 1, upscaler: undefined, logger: undefined });
    // tiny-sd15 has no config files, so its native size is SD 1.5's 512²; a 64² pixel budget keeps CPU time small.
    const limits = { default: { maxSteps: 50, maxPixels: 64 * 64, maxCount: 4, allowedModels: [] }, roles: {}, workspaces: {} };
    const models = new InstalledModelDirectory('tiny-sd15', locations, 60_000, Date.now);
    harness = await DiscordHarness.start({ engine, models, policy: { previews: true, progressIntervalMs: 50, limits } });
  });
  afterAll(async () => {
    await harness?.close();
    await engine?.close();
  });

  it('answers with a grid and the originals as attachments, an embed with every setting, and U/V/🔄/❌ buttons', async () => {
    const { fake } = harness;
    const interaction = fake.slash('imagine', { prompt: 'a lighthouse at dusk --no fog', count: 2, seed: 1234, steps: 3, model: 'tiny-sd15', scheduler: 'euler' }, { user: SCENE.alice });
    const message = await result(fake, interaction);
    expect(interaction.callbackType).toBe(5);

    // One grid of two 64×64 images side by side, then each original at full size.
    expect(message.attachments.map((file) => file.filename)).toEqual([expect.stringMatching(/^[\w-]+\.png$/), expect.stringMatching(/-1\.png$/), expect.stringMatching(/-2\.png$/)]);
    const [grid, first, second] = await Promise.all(message.attachments.map((file) => decodeImage(file.bytes)));
    expect([first?.width, first?.height, second?.width, second?.height]).toEqual([64, 64, 64, 64]);
    expect(grid?.width).toBe(128);
    // The originals are the stored PNGs, with A1111 parameters naming their seeds.
    expect(await readPngParameters(message.attachments[1]!.bytes)).toContain('Seed: 1234');
    expect(await readPngParameters(message.attachments[2]!.bytes)).toContain('Seed: 1235');

    const generationId = /`([\w-]+)`/.exec(embedFields(message)['ID'] ?? '')?.[1];
    expect(embedFields(message)).toMatchObject({
      'Negative prompt': 'fog',
      Seed: '1234–1235',
      Model: 'tiny-sd15',
      Scheduler: 'euler',
      Steps: '3',
      Size: '64×64',
      ID: `\`${generationId}\``,
    });
    expect(embedFields(message)['Time']).toMatch(/^\d+(\.\d)? s$/);
    expect((message.embeds[0] as { description: string; image: { url: string } }).description).toBe('a lighthouse at dusk');
    expect((message.embeds[0] as { image: { url: string } }).image.url).toBe(`attachment://${message.attachments[0]!.filename}`);
    expect(buttonLabels(message)).toEqual(['U1', 'U2', 'V1', 'V2', '🔄', '❌']);
    const row = await createRepositories(harness.database, systemClock).generations.get(generationId ?? '');
    expect(row?.chat.messageId).toBe(message.id);

    // The message went through its life: deferred, then queued/running text, then the result.
    expect(message.revisions[0]?.content).toBe('');
    expect(message.revisions.at(-1)?.content).toContain(`**a lighthouse at dusk** for <@${SCENE.alice.id}>`);
    expectCleanTraffic(fake);
  });
});
