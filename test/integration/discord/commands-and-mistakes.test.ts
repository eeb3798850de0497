/**
 * Everyday commands and what happens when something is wrong: model autocomplete, /settings,
 * /show, /queue, NSFW channels, a person's mistakes (private explanations, no public leftovers),
 * direct messages by configuration, and a bug (a private apology whose reference id is in the log
 * next to the stack).
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StaticModelDirectory, type ModelDirectory, type ModelProfile } from '../../../src/generation/requests/index.ts';
import { SCENE } from '../../fakes/discord/index.ts';
import { GatedImageEngine } from '../../support/generation/gated-image-engine.ts';
import { FAKE_MODELS, DiscordHarness, fakeEngine } from './support/discord-harness.ts';
import { imagine } from './support/discord-actions.ts';
import { buttonLabels, embedFields, expectCleanTraffic, privateAnswer, publicMessages, result } from './support/discord-expect.ts';

/** Models for autocomplete: more than Discord's 25 choices. */
const MANY_MODELS: ModelProfile[] = [...FAKE_MODELS, ...Array.from({ length: 30 }, (_, n) => ({ ...FAKE_MODELS[0]!, name: `realistic-${String(n).padStart(2, '0')}` }))];

/** A model directory that can be made to fail, to cause a bug on purpose. */
class BreakableModels implements ModelDirectory {
  readonly defaultModel = 'photon';
  broken = false;
  readonly #inner = new StaticModelDirectory('photon', MANY_MODELS);

  async list(): Promise<readonly ModelProfile[]> {
    if (this.broken) throw new Error('model folder vanished');
    return this.#inner.list();
  }
}

describe('Discord commands and mistakes', { timeout: 150_000 }, () => {
  let harness: DiscordHarness;
  const models = new BreakableModels();
  const engine = new GatedImageEngine(fakeEngine(40));
  const logLines: string[] = [];

  beforeAll(async () => {
    const sink = new Writable({ write: (chunk: Buffer, _encoding, done) => (logLines.push(chunk.toString()), done()) });
    harness = await DiscordHarness.start({ models, engine, logger: pino({ level: 'warn' }, sink) });
  });
  afterEach(() => expectCleanTraffic(harness.fake));
  afterAll(async () => harness?.close());

  it('autocompletes models from the installed list, 25 at most', async () => {
    const all = (await harness.fake.autocomplete('imagine', { prompt: 'x', model: '' }, 'model', { user: SCENE.alice })) as Array<{ name: string; value: string }>;
    expect(all).toHaveLength(25);
    const some = (await harness.fake.autocomplete('imagine', { prompt: 'x', model: 'EPIC' }, 'model', { user: SCENE.alice })) as Array<{ name: string; value: string }>;
    expect(some).toEqual([{ name: 'epicrealism', value: 'epicrealism' }]);
  });

  it.each([
    ['a flag it does not know', { prompt: 'a cat --sharpness 9' }, /^Unknown option --sharpness\. Known options: .*--ar/],
    ['a flag with a bad value', { prompt: 'a cat --steps lots' }, /^Invalid --steps "lots": must be a whole number from 1 to 50\.$/],
    ['more steps than allowed', { prompt: 'a cat', steps: 80 }, /^Invalid steps "80": must be a whole number from 1 to 50\.$/],
    ['a model that is not installed', { prompt: 'a cat', model: 'sdxl-base' }, /^The model "sdxl-base" is not available here\. Available models: photon, epicrealism/],
  ])('explains %s privately and leaves nothing public', async (_name, options, expected) => {
    const interaction = harness.fake.slash('imagine', options, { user: SCENE.alice });
    expect((await privateAnswer(harness.fake, interaction)).content).toMatch(expected);
    expect(publicMessages(harness.fake, interaction)).toEqual([]);
  });

  it('/settings saves private defaults that the next /imagine uses', async () => {
    const saved = await privateAnswer(harness.fake, harness.fake.slash('settings', { steps: '3', model: 'epicrealism' }, { user: SCENE.bob }));
    expect(saved.content).toMatch(/^Saved\./);
    const { message } = await imagine(harness, SCENE.bob, 'a bridge');
    expect([embedFields(message)['Steps'], embedFields(message)['Model']]).toEqual(['3', 'epicrealism']);
    const shown = await privateAnswer(harness.fake, harness.fake.slash('settings', {}, { user: SCENE.bob }));
    expect(shown.content).toContain('steps: `3`');
  });

  it('/show posts a past result again with its buttons; an unknown id is explained privately', async () => {
    const original = await imagine(harness, SCENE.alice, 'a windmill', { count: 2, steps: 1 });
    const show = harness.fake.slash('show', { id: original.generationId }, { user: SCENE.bob });
    const reposted = await result(harness.fake, show);
    expect(reposted.id).not.toBe(original.message.id);
    expect(buttonLabels(reposted)).toEqual(buttonLabels(original.message));
    expect(reposted.attachments.map((file) => file.size)).toEqual(original.message.attachments.map((file) => file.size));
    const missing = harness.fake.slash('show', { id: 'nope123' }, { user: SCENE.bob });
    expect((await privateAnswer(harness.fake, missing)).content).toMatch(/does not exist/);
  });

  it('/queue lists the asker’s running and waiting jobs privately', async () => {
    expect((await privateAnswer(harness.fake, harness.fake.slash('queue', {}, { user: SCENE.carol }))).content).toBe('You have no jobs waiting or running.');
    // The first job is held running at a gate (not timed), so the second one is still waiting when /queue asks.
    engine.hold('a long job');
    try {
      const first = harness.fake.slash('imagine', { prompt: 'a long job', steps: 50 }, { user: SCENE.carol });
      await harness.fake.original(first, (message) => /developing|step/.test(message.content), 'the first job running');
      const second = harness.fake.slash('imagine', { prompt: 'the next job', steps: 50 }, { user: SCENE.carol });
      await harness.fake.original(second, (message) => message.content.includes('queued'), 'the second job queued');
      const listed = (await privateAnswer(harness.fake, harness.fake.slash('queue', {}, { user: SCENE.carol }))).content.split('\n');
      expect(listed[0]).toBe('**Your jobs**');
      expect(listed[1]).toMatch(/a long job · running, done in about \d+ s$/);
      expect(listed[2]).toMatch(/the next job · queued, position 1, done in about \d+ s$/);
      expect((await privateAnswer(harness.fake, harness.fake.slash('queue', {}, { user: SCENE.bob }))).content).toBe('You have no jobs waiting or running.');
    } finally {
      engine.open('a long job');
    }
  });

  it('blurs and spoilers flagged images outside NSFW channels, and shows them as they are in NSFW channels', async () => {
    const safe = await imagine(harness, SCENE.alice, 'nsfwword portrait', { count: 2, steps: 1 });
    expect(safe.message.attachments.every((file) => file.filename.startsWith('SPOILER_'))).toBe(true);
    expect(safe.message.content).toContain('flagged as possibly NSFW');
    expect((safe.message.embeds[0] as { image?: unknown }).image).toBeUndefined();

    const adult = await imagine(harness, SCENE.alice, 'nsfwword portrait', { count: 2, steps: 1 }, SCENE.nsfwChannel);
    expect(adult.message.attachments.some((file) => file.filename.startsWith('SPOILER_'))).toBe(false);
    expect(adult.message.content).not.toContain('flagged');
  });

  it('answers a bug with a private apology and a reference id that is in the log with the stack', async () => {
    models.broken = true;
    try {
      const interaction = harness.fake.slash('imagine', { prompt: 'a cat' }, { user: SCENE.alice });
      const apology = await privateAnswer(harness.fake, interaction);
      const referenceId = /reference: ([0-9a-f]{10})\.$/.exec(apology.content)?.[1];
      expect(referenceId).toBeDefined();
      expect(publicMessages(harness.fake, interaction)).toEqual([]);
      const logged = logLines.map((line) => JSON.parse(line) as { referenceId?: string; err?: { stack?: string } }).find((line) => line.referenceId === referenceId);
      expect(logged?.err?.stack).toContain('model folder vanished');
    } finally {
      models.broken = false;
    }
  });
});

describe('Discord direct messages', { timeout: 150_000 }, () => {
  let harness: DiscordHarness;
  beforeAll(async () => {
    // Commands registered globally (no guild ids), as DMs need.
    harness = await DiscordHarness.start({ allowDMs: false, guildIds: [] });
  });
  afterEach(() => expectCleanTraffic(harness.fake));
  afterAll(async () => harness?.close());

  it('are refused when the config does not allow them (a registration that has not caught up yet)', async () => {
    const imagineCommand = harness.fake.registered('global').find((command) => command.name === 'imagine') as { contexts?: number[] } | undefined;
    expect(imagineCommand?.contexts).toEqual([0]);
    const interaction = harness.fake.slash('imagine', { prompt: 'a cat' }, { user: SCENE.alice, channelId: SCENE.dmChannel });
    expect((await privateAnswer(harness.fake, interaction)).content).toBe('You cannot use Darkroom in direct messages here.');
  });

  it('are answered when allowed, with the everyday commands registered for DMs', async () => {
    harness.options.allowDMs = true;
    await harness.restart();
    const imagineCommand = harness.fake.registered('global').find((command) => command.name === 'imagine') as { contexts?: number[] } | undefined;
    expect(imagineCommand?.contexts).toEqual([0, 1]);
    const { message } = await imagine(harness, SCENE.alice, 'a paper boat', { steps: 1 }, SCENE.dmChannel);
    expect(message.channelId).toBe(SCENE.dmChannel);
  });
});
