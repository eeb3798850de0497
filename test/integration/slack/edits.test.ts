/**
 * The editing loop on Slack (issue 15), through Bolt against the fake Slack: a one-image result →
 * Zoom Out 2× → Pan right → Vary (Region) (the grid picker arrives privately, cell 5 pressed) →
 * each is its own job and status message with the right size and the editing buttons.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeImageEngine } from '../../support/generation/fake-image-engine.ts';
import { CHANNELS, PEOPLE, startSlackHarness, type SlackHarness } from './support/slack-harness.ts';
import { buttonsOf, ephemeralsTo, eventually, finishedResult, JobCursor, textOf } from './support/slack-results.ts';

const EDIT_LABELS = ['Vary (Strong)', 'Vary (Subtle)', 'Vary (Region)', 'Zoom Out 2×', 'Zoom Out 1.5×', '⬅️', '➡️', '⬆️', '⬇️'];

describe('edits on a Slack result', () => {
  let harness: SlackHarness;
  let cursor: JobCursor;

  beforeAll(async () => {
    const engine = new FakeImageEngine({ stepMs: 2, nsfwWord: undefined, failWord: undefined, onStep: undefined, truePixels: true });
    harness = await startSlackHarness({ mode: 'http', engine, models: [{ name: 'fake-photo', nativeWidth: 64, nativeHeight: 64, steps: 2, guidance: 5, scheduler: 'euler' }] });
    cursor = new JobCursor(harness);
  });
  afterAll(() => harness?.stop(true));

  async function next() {
    const job = await cursor.next();
    return { job, ...(await finishedResult(harness, job.id, 1)) };
  }

  function press(status: { ts: string }, actionId: string) {
    return harness.press({ user: PEOPLE.alice.id, channel: CHANNELS.general, messageTs: status.ts, actionId, value: actionId });
  }

  it('result → Zoom Out 2× → Pan right → Vary (Region) cell 5, each its own result of the right size', async () => {
    expect((await harness.slash({ command: '/imagine', text: 'a lighthouse --count 1 --steps 2', user: PEOPLE.alice.id, channel: CHANNELS.general })).status).toBe(200);
    const parent = await next();
    expect([parent.job.width, parent.job.height]).toEqual([64, 64]);
    const labels = buttonsOf(parent.status).map((button) => button.label);
    expect(labels).toEqual(['Upscale 1', ...EDIT_LABELS, '🔄 Reroll', '❌ Delete']);

    expect((await press(parent.status, `zoom2:${parent.job.id}:0`)).status).toBe(200);
    const zoom = await next();
    expect([zoom.job.kind, zoom.job.editKind, zoom.job.editFactor, zoom.job.parentId, zoom.job.width, zoom.job.height]).toEqual(['edit', 'zoom', 2, parent.job.id, 128, 128]);
    expect(textOf(zoom.status)).toContain('Blended on fake-photo');

    await press(zoom.status, `pan-right:${zoom.job.id}:0`);
    const pan = await next();
    expect([pan.job.editKind, pan.job.editDirection, pan.job.width, pan.job.height]).toEqual(['pan', 'right', 192, 128]);

    const before = ephemeralsTo(harness.fake, PEOPLE.alice.id).length;
    await press(pan.status, `region:${pan.job.id}:0`);
    const picker = await eventually(() => ephemeralsTo(harness.fake, PEOPLE.alice.id)[before], 'the grid picker');
    expect(picker.text).toContain('pick the part to repaint');
    await press(pan.status, `region-cell:${pan.job.id}:0:5`);
    const region = await next();
    expect([region.job.editKind, region.job.editCells, region.job.parentId, region.job.width, region.job.height]).toEqual(['region', [5], pan.job.id, 192, 128]);
    expect(buttonsOf(region.status).map((button) => button.label)).toEqual(['Upscale 1', ...EDIT_LABELS, '🔄 Reroll', '❌ Delete']);
    expect(harness.fake.workspace.violations).toEqual([]);
  });
});
