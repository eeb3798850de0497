/**
 * Every button (and select menu) Darkroom puts under a message, as one union of targets with one
 * format/parse pair. Ids carry only ids; everything else is read from the database when the
 * button is pressed, so buttons keep working after restarts. Ids are checked on the way in: a
 * forged or unknown id parses to undefined. The wire forms (unchanged since the first release,
 * so old messages keep working):
 *
 * - a job's buttons: `<action>:<generationId>[:<imageIndex>]` (0-based; omitted for the whole job)
 * - the next history page: `history:<cursor>[:<user external id>]`
 * - the previous history page: `history-back[:<user external id>]`
 * - an image picker (a select menu whose value is the image index): `pick-upscale:<generationId>`, `pick-vary:<generationId>`
 * - an edit of one image (issue 15): `zoom2|zoom15|pan-left|pan-right|pan-up|pan-down|region:<generationId>:<imageIndex>`
 *   (`region` opens the 3×3 grid picker); one grid cell to repaint: `region-cell:<generationId>:<imageIndex>:<cell 1–9>`;
 *   the grid as a multi-select menu (its values are the cells): `pick-region:<generationId>:<imageIndex>`;
 *   Custom Zoom: `zoom-custom:<generationId>:<imageIndex>` (platforms with forms open one)
 * - a form (Discord modal) for an edit: `modal-zoom:<generationId>:<imageIndex>` (prompt + factor),
 *   `modal-region:<generationId>:<imageIndex>:<cells as digits, e.g. 159>` (a new prompt for the region)
 *
 * At most 100 characters (Discord's limit; Slack allows 255).
 */
import { formatHistoryCursor, parseHistoryCursor } from '../db/history-cursor.ts';
import type { HistoryCursor } from '../db/generation.repository.ts';

/** Edits of one image (issue 15): Zoom Out 2× / 1.5×, Pan, and Vary (Region)'s grid picker and cells. */
export const EDIT_ACTIONS = ['zoom2', 'zoom15', 'zoom-custom', 'pan-left', 'pan-right', 'pan-up', 'pan-down', 'region', 'region-cell'] as const;
export type EditAction = (typeof EDIT_ACTIONS)[number];

export const JOB_ACTIONS = ['reroll', 'upscale', 'vary', 'vary-strong', 'delete', 'cancel', ...EDIT_ACTIONS] as const;
export type JobAction = (typeof JOB_ACTIONS)[number];

/** A button on a job's message. */
export interface JobButton {
  action: JobAction;
  generationId: string;
  /** undefined = the whole job. */
  imageIndex: number | undefined;
  /** `region-cell` only: the grid cell 1–9 (left to right, top to bottom). */
  cell?: number | undefined;
}

/** Where a history listing goes on: the keyset cursor of the next page and the person filtered on. */
export interface HistoryPage {
  cursor: HistoryCursor;
  userExternalId: string | undefined;
}

export type ButtonTarget =
  | JobButton
  | ({ action: 'history-next' } & HistoryPage)
  | { action: 'history-back'; userExternalId: string | undefined }
  /** Which image of a grid to upscale or vary: a select menu, the picked index is its value. */
  | { action: 'pick'; pick: 'upscale' | 'vary'; generationId: string }
  /** Vary (Region)'s grid as a multi-select menu: the picked values are the cells 1–9. */
  | { action: 'pick-region'; generationId: string; imageIndex: number }
  /** The form of Custom Zoom (prompt + factor) and of Vary (Region) with a new prompt. */
  | { action: 'modal-zoom'; generationId: string; imageIndex: number }
  | { action: 'modal-region'; generationId: string; imageIndex: number; cells: number[] };

/** Button ids are this long at most. */
export const MAX_BUTTON_ID = 100;

/** Matches the start of every id above (a platform's listener filter); {@link parseButtonId} checks the rest. */
export const BUTTON_ID_PREFIX =
  /^(reroll|upscale|vary|vary-strong|delete|cancel|history|history-back|pick-upscale|pick-vary|pick-region|modal-zoom|modal-region|zoom2|zoom15|zoom-custom|pan-left|pan-right|pan-up|pan-down|region|region-cell)(:|$)/;

const JOB = /^(reroll|upscale|vary-strong|vary|delete|cancel):([A-Za-z0-9_-]{1,64})(?::([0-3]))?$/;
const HISTORY_NEXT = /^history:([0-9a-z]{1,12}\.[A-Za-z0-9_-]{1,64})(?::([A-Za-z0-9_.-]{1,40}))?$/;
const HISTORY_BACK = /^history-back(?::([A-Za-z0-9_.-]{1,40}))?$/;
const PICKER = /^pick-(upscale|vary):([A-Za-z0-9_-]{1,64})$/;
const EDIT = /^(zoom2|zoom15|zoom-custom|pan-left|pan-right|pan-up|pan-down|region):([A-Za-z0-9_-]{1,64}):([0-3])$/;
const REGION_CELL = /^region-cell:([A-Za-z0-9_-]{1,64}):([0-3]):([1-9])$/;
const REGION_PICKER = /^pick-region:([A-Za-z0-9_-]{1,64}):([0-3])$/;
const MODAL_ZOOM = /^modal-zoom:([A-Za-z0-9_-]{1,64}):([0-3])$/;
const MODAL_REGION = /^modal-region:([A-Za-z0-9_-]{1,64}):([0-3]):([1-9]{1,9})$/;

const withUser = (id: string, user: string | undefined) => (user === undefined ? id : `${id}:${user}`);

export function formatButtonId(target: ButtonTarget): string {
  let id: string;
  switch (target.action) {
    case 'history-next':
      id = withUser(`history:${formatHistoryCursor(target.cursor)}`, target.userExternalId);
      break;
    case 'history-back':
      id = withUser('history-back', target.userExternalId);
      break;
    case 'pick':
      id = `pick-${target.pick}:${target.generationId}`;
      break;
    case 'pick-region':
      id = `pick-region:${target.generationId}:${target.imageIndex}`;
      break;
    case 'modal-zoom':
      id = `modal-zoom:${target.generationId}:${target.imageIndex}`;
      break;
    case 'modal-region':
      id = `modal-region:${target.generationId}:${target.imageIndex}:${[...new Set(target.cells)].sort().join('')}`;
      break;
    case 'region-cell':
      id = `region-cell:${target.generationId}:${target.imageIndex ?? 0}:${target.cell ?? 5}`;
      break;
    default:
      id = target.imageIndex === undefined ? `${target.action}:${target.generationId}` : `${target.action}:${target.generationId}:${target.imageIndex}`;
  }
  if (id.length > MAX_BUTTON_ID) throw new Error(`button id too long: ${id.length} characters`);
  return id;
}

export function parseButtonId(id: string): ButtonTarget | undefined {
  const job = JOB.exec(id);
  if (job !== null) {
    const action = job[1] as JobAction;
    const imageIndex = job[3] === undefined ? undefined : Number(job[3]);
    const needsIndex = action === 'upscale' || action === 'vary' || action === 'vary-strong';
    if (needsIndex && imageIndex === undefined) return undefined;
    return { action, generationId: job[2] as string, imageIndex };
  }
  const next = HISTORY_NEXT.exec(id);
  if (next !== null) {
    const cursor = parseHistoryCursor(next[1] as string);
    return cursor === undefined ? undefined : { action: 'history-next', cursor, userExternalId: next[2] };
  }
  const back = HISTORY_BACK.exec(id);
  if (back !== null) return { action: 'history-back', userExternalId: back[1] };
  const edit = EDIT.exec(id);
  if (edit !== null) return { action: edit[1] as EditAction, generationId: edit[2] as string, imageIndex: Number(edit[3]) };
  const cell = REGION_CELL.exec(id);
  if (cell !== null) return { action: 'region-cell', generationId: cell[1] as string, imageIndex: Number(cell[2]), cell: Number(cell[3]) };
  const regionPicker = REGION_PICKER.exec(id);
  if (regionPicker !== null) return { action: 'pick-region', generationId: regionPicker[1] as string, imageIndex: Number(regionPicker[2]) };
  const modalZoom = MODAL_ZOOM.exec(id);
  if (modalZoom !== null) return { action: 'modal-zoom', generationId: modalZoom[1] as string, imageIndex: Number(modalZoom[2]) };
  const modalRegion = MODAL_REGION.exec(id);
  if (modalRegion !== null) {
    const cells = [...new Set([...(modalRegion[3] as string)].map(Number))].sort((a, b) => a - b);
    return { action: 'modal-region', generationId: modalRegion[1] as string, imageIndex: Number(modalRegion[2]), cells };
  }
  const picker = PICKER.exec(id);
  if (picker !== null) return { action: 'pick', pick: picker[1] as 'upscale' | 'vary', generationId: picker[2] as string };
  return undefined;
}

export function isJobButton(target: ButtonTarget | undefined): target is JobButton {
  return target !== undefined && (JOB_ACTIONS as readonly string[]).includes(target.action);
}

/** A job's button, or undefined for any other id (history paging, pickers, forged ids). */
export function parseJobButtonId(id: string): JobButton | undefined {
  const target = parseButtonId(id);
  return isJobButton(target) ? target : undefined;
}
