/**
 * The main path with nothing faked but Slack: /imagine over signed HTTP → the real diffusion
 * engine on the tiny SD 1.5 fixture (random weights, real architecture) → PNGs with their
 * generation parameters, uploaded into the status message's thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DiffusionEngine } from '../../../src/generation/pipeline/diffusion-engine.ts';
import { decodeImage, readPngParameters } from '../../../src/images/index.ts';
import { sharedPath, sharedSkipReason } from '../../support/shared-dir.ts';
import { CHANNELS, PEOPLE, startSlackHarness, type SlackHarness } from './support/slack-harness.ts';
import { buttonsOf, finishedResult, nthJob, textOf } from './support/slack-results.ts';

const model = sharedPath('fixtures', 'models', 'tiny-sd15');

describe.skipIf(!model)('/imagine in Slack on the real engine (tiny SD 1.5 fixture)' + sharedSkipReason, () => {
  let harness: SlackHarness;
  let engine: DiffusionEngine;

  beforeAll(async () => {
    engine = new DiffusionEngine({
      locations: undefined,
      provider: 'cpu',
      threads: 1,
      cfgBatching: 'batched',
      cachedPipelines: 1,
      upscaler: undefined,
      logger: undefined,
    });
    harness = await startSlackHarness({
      mode: 'http',
      engine,
      models: [{ name: model!, nativeWidth: 64, nativeHeight: 64, steps: 2, guidance: 7, scheduler: 'euler' }],
    });
  });
  afterAll(async () => {
    await harness?.stop(true);
    await engine?.close();
  });

  it('develops the image and posts it with its parameters and buttons', async () => {
    const ack = await harness.slash({ command: '/imagine', text: 'a photo of a lighthouse --count 1 --steps 2 --seed 7 --no fog', user: PEOPLE.alice.id, channel: CHANNELS.general });
    expect(ack.status).toBe(200);
    const job = await nthJob(harness, 1);
    const { status, files } = await finishedResult(harness, job.id, 1);
    const png = files[0]!.bytes!;
    const image = await decodeImage(png);
    expect([image.width, image.height]).toEqual([64, 64]);
    const parameters = await readPngParameters(png);
    expect(parameters).toContain('a photo of a lighthouse');
    expect(parameters).toContain('Negative prompt: fog');
    expect(parameters).toContain('Seed: 7');
    expect(textOf(status)).toContain(`*a photo of a lighthouse* for <@${PEOPLE.alice.id}>`);
    expect(buttonsOf(status).map((button) => button.label)).toEqual(['Upscale 1', 'Vary (Strong)', 'Vary (Subtle)', 'Vary (Region)', 'Zoom Out 2×', 'Zoom Out 1.5×', '⬅️', '➡️', '⬆️', '⬇️', '🔄 Reroll', '❌ Delete']);
    expect(harness.fake.workspace.violations).toEqual([]);
  });
});
