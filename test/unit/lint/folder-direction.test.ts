/**
 * The folder rules of eslint.config.js, as `npm run lint` applies them: a chat adapter may not
 * reach the engine's insides or the database, src/images may not import src/generation, and each
 * heavy package keeps its one importer. Linted as text (no type information needed for this rule).
 */
import { describe, expect, it } from 'vitest';
import { refusals } from './lint-probe.ts';

describe('folder direction in lint', () => {
  it('refuses a chat adapter importing the pipeline, onnx, schedulers or the database', async () => {
    expect(await refusals('src/bots/discord/probe.ts', '../../db/database.ts')).toEqual([expect.stringContaining('A chat adapter (src/bots) may not import')]);
    expect(await refusals('src/bots/slack/probe.ts', '../../generation/pipeline/diffusion-engine.ts')).toHaveLength(1);
    expect(await refusals('src/bots/probe.ts', '../generation/schedulers/scheduler-registry.ts')).toHaveLength(1);
    expect(await refusals('src/bots/discord/probe.ts', '../../generation/onnx/index.ts')).toHaveLength(1);
  });

  it('lets an adapter use the commands and the generation rooms, and its own SDK', async () => {
    expect(await refusals('src/bots/discord/probe.ts', '../../generation/requests/scheduler-names.ts')).toEqual([]);
    expect(await refusals('src/bots/slack/probe.ts', '../../commands/index.ts')).toEqual([]);
    expect(await refusals('src/bots/discord/probe.ts', 'discord.js')).toEqual([]);
  });

  it('refuses src/images importing src/generation, and keeps sharp in src/images', async () => {
    expect(await refusals('src/images/probe.ts', '../generation/engine.types.ts')).toEqual([expect.stringContaining('src/images sits below src/generation')]);
    expect(await refusals('src/images/probe.ts', 'sharp')).toEqual([]);
    expect(await refusals('src/images/probe.ts', 'discord.js')).toEqual([expect.stringContaining('Only src/bots/discord/ may import discord.js')]);
    expect(await refusals('src/generation/pipeline/probe.ts', 'sharp')).toEqual([expect.stringContaining('Only src/images/ may import sharp')]);
  });
});
