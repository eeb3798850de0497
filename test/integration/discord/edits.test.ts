/**
 * Midjourney's editing loop on Discord (issue 15), pressed by a person in the fake Discord: a
 * one-image result → Zoom Out 2× → ➡️ (Pan right) → Vary (Region) on cell 5 through the grid
 * picker → each arrives as its own result message with the right size and the editing buttons;
 * after a restart the first result's buttons still work (ids only, everything from the db).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SCENE, components } from '../../fakes/discord/index.ts';
import { FakeImageEngine } from '../../support/generation/fake-image-engine.ts';
import { seedMigratedDataDir } from '../../support/pglite-template.ts';
import { DiscordHarness } from './support/discord-harness.ts';
import { generationIdOf, imagine, row } from './support/discord-actions.ts';
import { buttonLabels, embedFields, expectCleanTraffic, privateAnswer, result } from './support/discord-expect.ts';

const EDIT_BUTTONS = ['Vary (Strong)', 'Vary (Subtle)', 'Vary (Region)', 'Zoom Out 2×', 'Zoom Out 1.5×', '⬅️', '➡️', '⬆️', '⬇️', 'Custom Zoom'];

describe('Discord edits: Zoom Out, Pan, Vary (Region)', { timeout: 180_000 }, () => {
  let harness: DiscordHarness;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'darkroom-discord-edits-'));
    seedMigratedDataDir(dataDir);
    const engine = new FakeImageEngine({ stepMs: 5, nsfwWord: undefined, failWord: undefined, onStep: undefined, truePixels: true });
    harness = await DiscordHarness.start({ engine, dataDir });
  });
  afterEach(() => expectCleanTraffic(harness.fake));
  afterAll(async () => {
    await harness?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('result → Zoom Out 2× → Pan right → Vary (Region) cell 5: each its own message, right size, editing buttons; still works after a restart', async () => {
    const parent = await imagine(harness, SCENE.alice, 'a lighthouse on a cliff', { count: 1, steps: 2 });
    expect(embedFields(parent.message)['Size']).toBe('64×64');
    expect(buttonLabels(parent.message)).toEqual(['U1', ...EDIT_BUTTONS, '🔄', '❌']);
    // Discord's limits: at most 5 rows of at most 5.
    expect(parent.message.components.length).toBeLessThanOrEqual(5);

    const zoomed = await result(harness.fake, harness.fake.press(parent.message, { label: 'Zoom Out 2×' }, SCENE.alice));
    expect(zoomed.id).not.toBe(parent.message.id);
    expect(embedFields(zoomed)['Size']).toBe('128×128');
    expect(zoomed.content).toContain('(zoom out)');
    expect(zoomed.content).toContain('Blended on photon');
    expect(zoomed.content).toContain(`Zoom Out 2× of \`${parent.generationId}\` image 1`);
    expect(buttonLabels(zoomed)).toEqual(['U1', ...EDIT_BUTTONS, '🔄', '❌']);
    const zoom = await row(harness, generationIdOf(zoomed));
    expect([zoom.kind, zoom.edit, zoom.parentId, zoom.parentImageIndex]).toEqual(['edit', { kind: 'zoom', factor: 2 }, parent.generationId, 0]);
    expect(zoom.maskKey).toBeDefined();

    const panned = await result(harness.fake, harness.fake.press(zoomed, { label: '➡️' }, SCENE.alice));
    expect(embedFields(panned)['Size']).toBe('192×128');
    const pan = await row(harness, generationIdOf(panned));
    expect([pan.edit, pan.parentId]).toEqual([{ kind: 'pan', direction: 'right' }, zoom.id]);

    const picker = await privateAnswer(harness.fake, harness.fake.press(panned, { label: 'Vary (Region)' }, SCENE.alice));
    expect(picker.content).toContain('pick the part to repaint');
    expect(buttonLabels(picker)).toEqual(['1', '2', '3', '4', '5', '6', '7', '8', '9', `pick-region:${pan.id}:0`]);
    const region = await result(harness.fake, harness.fake.press(picker, { label: '5' }, SCENE.alice));
    expect(embedFields(region)['Size']).toBe('192×128');
    const regionRow = await row(harness, generationIdOf(region));
    expect([regionRow.edit, regionRow.parentId, regionRow.strength]).toEqual([{ kind: 'region', cells: [5] }, pan.id, 1]);

    // Cell 5 with a new prompt: picked in the multi-select menu, then the form asks for the prompt.
    const menu = components(picker).find((component) => component.customId.startsWith('pick-region:'));
    const picked = harness.fake.select(picker, menu?.customId ?? '', ['5'], SCENE.alice);
    const withPrompt = await result(harness.fake, await harness.fake.submitModal(picked, { prompt: 'a red door' }, SCENE.alice));
    const withPromptRow = await row(harness, generationIdOf(withPrompt));
    expect([withPromptRow.edit, withPromptRow.prompt, withPromptRow.width, withPromptRow.height]).toEqual([{ kind: 'region', cells: [5] }, 'a red door', 192, 128]);
    expect(withPrompt.content).toContain('**a red door** (vary region)');
    // Several cells at once, keeping the prompt (the form left empty).
    const several = await result(harness.fake, await harness.fake.submitModal(harness.fake.select(picker, menu?.customId ?? '', ['1', '9'], SCENE.alice), {}, SCENE.alice));
    expect((await row(harness, generationIdOf(several))).edit).toEqual({ kind: 'region', cells: [1, 9] });
    expect((await row(harness, generationIdOf(several))).prompt).toBe('a lighthouse on a cliff');

    // Custom Zoom: a form with a new prompt and the factor.
    const custom = await result(harness.fake, await harness.fake.submitModal(harness.fake.press(parent.message, { label: 'Custom Zoom' }, SCENE.alice), { prompt: 'a lighthouse in a storm', factor: '1.25' }, SCENE.alice));
    expect(embedFields(custom)['Size']).toBe('80×80');
    expect((await row(harness, generationIdOf(custom))).prompt).toBe('a lighthouse in a storm');
    const badFactor = harness.fake.press(parent.message, { label: 'Custom Zoom' }, SCENE.alice);
    const refused = await privateAnswer(harness.fake, await harness.fake.submitModal(badFactor, { factor: '10' }, SCENE.alice));
    expect(refused.content).toContain('zoom factor must be more than 1 and at most 4');

    // A restart: the first result's buttons carry only ids and still work.
    await harness.restart();
    const after = await result(harness.fake, harness.fake.press(parent.message, { label: '⬆️' }, SCENE.alice));
    expect(embedFields(after)['Size']).toBe('64×96');
    expect((await row(harness, generationIdOf(after))).edit).toEqual({ kind: 'pan', direction: 'up' });
  });

  it("another person's edit is theirs; a multi-image grid keeps its U/V rows without editing buttons", async () => {
    const grid = await imagine(harness, SCENE.alice, 'two boats', { count: 2, steps: 2 });
    expect(buttonLabels(grid.message)).toEqual(['U1', 'U2', 'V1', 'V2', '🔄', '❌']);
    const upscaled = await result(harness.fake, harness.fake.press(grid.message, { label: 'U2' }, SCENE.bob));
    expect(buttonLabels(upscaled)).toEqual(EDIT_BUTTONS.concat(['🔄', '❌']));
    const bobsZoom = await result(harness.fake, harness.fake.press(upscaled, { label: 'Zoom Out 1.5×' }, SCENE.bob));
    expect(embedFields(bobsZoom)['Size']).toBe('192×192');
  });
});
