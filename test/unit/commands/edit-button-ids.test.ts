/** The edit buttons' ids (issue 15): round trips, Discord's 100-character limit, forged ids refused. */
import { describe, expect, it } from 'vitest';
import { BUTTON_ID_PREFIX, MAX_BUTTON_ID, formatButtonId, parseButtonId, type ButtonTarget } from '../../../src/commands/button-ids.ts';
import { commandForButton } from '../../../src/commands/command-handlers.ts';

const ID = 'Ab3_-xYz0123';

describe('edit button ids', () => {
  it('round-trip every edit target and fit in 100 characters', () => {
    const targets: ButtonTarget[] = [
      ...(['zoom2', 'zoom15', 'zoom-custom', 'pan-left', 'pan-right', 'pan-up', 'pan-down', 'region'] as const).map((action) => ({ action, generationId: ID, imageIndex: 2 })),
      { action: 'region-cell', generationId: ID, imageIndex: 0, cell: 5 },
      { action: 'pick-region', generationId: ID, imageIndex: 1 },
      { action: 'modal-zoom', generationId: ID, imageIndex: 0 },
      { action: 'modal-region', generationId: ID, imageIndex: 3, cells: [1, 5, 9] },
    ];
    for (const target of targets) {
      const id = formatButtonId(target);
      expect(id.length).toBeLessThanOrEqual(MAX_BUTTON_ID);
      expect(BUTTON_ID_PREFIX.test(id)).toBe(true);
      expect(parseButtonId(id)).toEqual(target);
    }
  });

  it('refuse forged ids: no image index, a cell outside 1–9, an image index above 3', () => {
    for (const id of [`zoom2:${ID}`, `region-cell:${ID}:0:0`, `region-cell:${ID}:0:10`, `pan-left:${ID}:4`, `modal-region:${ID}:0:`, `zoom3:${ID}:0`]) {
      expect(parseButtonId(id)).toBeUndefined();
    }
  });

  it('map to the edits they name', () => {
    expect(commandForButton({ action: 'zoom15', generationId: ID, imageIndex: 1 })).toEqual({ name: 'edit', generationId: ID, imageIndex: 1, edit: { kind: 'zoom', factor: 1.5 } });
    expect(commandForButton({ action: 'pan-up', generationId: ID, imageIndex: 0 })).toEqual({ name: 'edit', generationId: ID, imageIndex: 0, edit: { kind: 'pan', direction: 'up' } });
    expect(commandForButton({ action: 'region-cell', generationId: ID, imageIndex: 0, cell: 7 })).toEqual({ name: 'edit', generationId: ID, imageIndex: 0, edit: { kind: 'region', cells: [7] } });
    expect(commandForButton({ action: 'region', generationId: ID, imageIndex: 2 })).toEqual({ name: 'region-picker', generationId: ID, imageIndex: 2 });
  });
});
