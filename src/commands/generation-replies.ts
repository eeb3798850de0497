/**
 * The messages of a job's life, platform-free: accepted (position, ETA), started, progress
 * (step i/N, ETA, small preview), finished (grid or image, U/V/🔄/❌ buttons), failed, cancelled.
 * Adapters post the first and edit it with the following ones.
 */
import type { Generation } from '../db/domain.types.ts';
import type { QueuePosition } from '../generation/queue/generation-queue.ts';
import type { Accepted, Delivery } from '../generation/jobs/job.types.ts';
import type { JobOwner } from '../generation/requests/request.types.ts';
import { formatButtonId, type JobAction } from './button-ids.ts';
import { mention, withoutMentionMarks, type MentionedPerson } from './mentions.ts';
import type { FinishedResult, Reply, ReplyAttachment, ReplyButton, ReplyJob } from './reply.types.ts';

/** "about 40 s", "about 3 min", "about 2 h". */
export function formatEta(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000));
  if (seconds < 90) return `about ${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `about ${minutes} min`;
  return `about ${Math.round(minutes / 60)} h`;
}

const KIND_LABEL: Record<Generation['kind'], string> = {
  imagine: '',
  reroll: ' (reroll)',
  variation: ' (variation)',
  upscale: ' (upscale)',
  edit: ' (edit)',
};

const EDIT_LABEL = { zoom: ' (zoom out)', pan: ' (pan)', region: ' (vary region)', remix: ' (remix)' } as const;

function kindLabel(generation: Generation): string {
  return generation.kind === 'edit' && generation.edit !== undefined ? EDIT_LABEL[generation.edit.kind] : KIND_LABEL[generation.kind];
}

/** Warnings shown under a message; the rest are counted (a pasted prompt can cause hundreds). */
export const MAX_WARNINGS_SHOWN = 5;

/** `**prompt**` shortened for a message headline. */
function headline(generation: Generation): string {
  const clean = withoutMentionMarks(generation.prompt);
  const prompt = clean.length > 180 ? `${clean.slice(0, 177)}…` : clean;
  return `**${prompt.replace(/\*/g, '')}**${kindLabel(generation)}`;
}

/** The headline with whom the job is for (a mention each adapter renders). */
function titled(generation: Generation, owner: MentionedPerson): string {
  return `${headline(generation)} for ${mention(owner)}`;
}

/** Warning lines, at most {@link MAX_WARNINGS_SHOWN}, then how many more there were. */
export function warningLines(warnings: readonly string[]): string[] {
  const shown = warnings.slice(0, MAX_WARNINGS_SHOWN).map((warning) => `⚠️ ${warning}`);
  const more = warnings.length - shown.length;
  return more > 0 ? [...shown, `⚠️ …and ${more} more warning${more === 1 ? '' : 's'}.`] : shown;
}

function cancelRow(generation: Generation): ReplyButton[][] {
  return [[{ id: formatButtonId({ action: 'cancel', generationId: generation.id, imageIndex: undefined }), label: 'Cancel', style: 'secondary' }]];
}

function reply(job: ReplyJob, text: string, attachments: ReplyAttachment[], buttons: ReplyButton[][], result: FinishedResult | undefined): Reply {
  return { visibility: 'public', text, attachments, buttons, refusal: undefined, result, job };
}

const at = (generation: Generation, state: ReplyJob['state'], step = 0): ReplyJob => ({ generationId: generation.id, state, step });

function queuedText(generation: Generation, position: QueuePosition, owner: MentionedPerson): string {
  if (position.position === 0) return `${titled(generation, owner)}: starting now`;
  if (position.noWorkerFor !== undefined) {
    return `${titled(generation, owner)}: queued, position ${position.position}, waiting: no worker has model ${position.noWorkerFor}`;
  }
  return `${titled(generation, owner)}: queued, position ${position.position}, done in ${formatEta(position.etaMs)}`;
}

/** The first answer to an accepted request; `owner` is the person who asked (the job is theirs). */
export function acceptedReply(accepted: Accepted, owner: MentionedPerson): Reply {
  const lines = [queuedText(accepted.generation, accepted.position, owner), ...warningLines(accepted.warnings)];
  return reply(at(accepted.generation, 'accepted'), lines.join('\n'), [], cancelRow(accepted.generation), undefined);
}

/** A queued event (also after a restart: "back in the queue"). */
export function queuedReply(generation: Generation, owner: JobOwner, position: QueuePosition, recovered: boolean): Reply {
  const note = recovered ? '\nDarkroom restarted; your job is back in the queue.' : '';
  return reply(at(generation, 'queued'), `${queuedText(generation, position, owner)}${note}`, [], cancelRow(generation), undefined);
}

export function startedReply(generation: Generation, owner: JobOwner): Reply {
  return reply(at(generation, 'started'), `${titled(generation, owner)}: developing…`, [], cancelRow(generation), undefined);
}

export function progressReply(generation: Generation, owner: JobOwner, step: number, totalSteps: number, etaMs: number, preview: Buffer | undefined): Reply {
  const attachments = preview === undefined ? [] : [{ name: `${generation.id}-preview.jpg`, bytes: preview, spoiler: false, description: 'Preview' }];
  return reply(at(generation, 'progress', step), `${titled(generation, owner)}: step ${step}/${totalSteps}, done in ${formatEta(etaMs)}`, attachments, cancelRow(generation), undefined);
}

/** The result: one picture (grid for 2+ images), with upscale / vary / reroll / delete buttons. */
export function finishedReply(generation: Generation, owner: JobOwner, delivery: Delivery, warnings: readonly string[]): Reply {
  const size = `${generation.width}×${generation.height}`;
  const lines = [titled(generation, owner), `seed ${generation.seed} · ${generation.model} · ${size} · ${generation.steps} steps`];
  const lineage = editLineage(generation);
  if (lineage !== undefined) lines.push(lineage);
  const blurred = delivery.images.some((image) => image.blurred);
  if (blurred) lines.push('Some images were flagged as possibly NSFW and are blurred here.');
  if (delivery.withheld) lines.push(delivery.withheld.message);
  lines.push(...warningLines(warnings));
  const picture = delivery.grid ?? delivery.images[0]?.png;
  const attachments: ReplyAttachment[] =
    picture === undefined ? [] : [{ name: `${generation.id}.png`, bytes: picture, spoiler: blurred, description: generation.prompt.slice(0, 1000) }];
  return reply(at(generation, 'finished'), lines.join('\n'), attachments, resultButtons(generation, delivery), { generation, delivery });
}

/** What an edit did and to which image (lineage, issue 15): "Zoom Out 2× of `abc` image 1". */
function editLineage(generation: Generation): string | undefined {
  const { edit, parentId, parentImageIndex } = generation;
  if (generation.kind !== 'edit' || edit === undefined || parentId === undefined) return undefined;
  const what =
    edit.kind === 'zoom' ? `Zoom Out ${edit.factor}×` : edit.kind === 'pan' ? `Pan ${edit.direction}` : edit.kind === 'region' ? `Vary (Region) on part ${edit.cells.join(', ')}` : 'Remix';
  return `${what} of \`${parentId}\` image ${(parentImageIndex ?? 0) + 1}`;
}

const button = (id: string, label: string, style: ReplyButton['style'] = 'secondary'): ReplyButton => ({ id, label, style });

/**
 * The editing rows under a single image (an upscale, an edit, a one-image job; issue 15): Vary
 * (Strong / Subtle / Region), Zoom Out 2× / 1.5×, and Pan in four directions.
 */
function editRows(generationId: string, imageIndex: number): ReplyButton[][] {
  const id = (action: JobAction) => formatButtonId({ action, generationId, imageIndex });
  return [
    [
      button(id('vary-strong'), 'Vary (Strong)'),
      button(id('vary'), 'Vary (Subtle)'),
      button(id('region'), 'Vary (Region)'),
      button(id('zoom2'), 'Zoom Out 2×'),
      button(id('zoom15'), 'Zoom Out 1.5×'),
    ],
    [button(id('pan-left'), '⬅️'), button(id('pan-right'), '➡️'), button(id('pan-up'), '⬆️'), button(id('pan-down'), '⬇️'), button(id('zoom-custom'), 'Custom Zoom')],
  ];
}

/** Vary (Region)'s picker, privately: the 3×3 grid of cells over the image (buttons 1–9), and the same as a multi-select menu. */
export function regionPickerReply(generationId: string, imageIndex: number): Reply {
  const cells = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const rows = [0, 1, 2].map((row) => cells.slice(row * 3, row * 3 + 3).map((cell) => button(formatButtonId({ action: 'region-cell', generationId, imageIndex, cell }), String(cell))));
  const text = [
    `**Vary (Region)** of image ${imageIndex + 1} of \`${generationId}\`: pick the part to repaint.`,
    'The image is cut in a 3×3 grid: 1 2 3 on top, 4 5 6 in the middle, 7 8 9 at the bottom.',
  ].join('\n');
  return { visibility: 'private', text, attachments: [], buttons: rows, refusal: undefined, result: undefined, regionPicker: { generationId, imageIndex } };
}

function resultButtons(generation: Generation, delivery: Delivery): ReplyButton[][] {
  const id = generation.id;
  const indexes = delivery.images.map((image) => image.index);
  const rows: ReplyButton[][] = [];
  if (indexes.length > 0 && generation.kind !== 'upscale') {
    rows.push(indexes.map((index) => ({ id: formatButtonId({ action: 'upscale', generationId: id, imageIndex: index }), label: `U${index + 1}`, style: 'secondary' as const })));
  }
  const single = indexes.length === 1 && generation.count === 1 ? indexes[0] : undefined;
  if (single !== undefined) {
    rows.push(...editRows(id, single));
  } else if (indexes.length > 0) {
    rows.push(indexes.map((index) => ({ id: formatButtonId({ action: 'vary', generationId: id, imageIndex: index }), label: `V${index + 1}`, style: 'secondary' as const })));
  }
  rows.push([
    { id: formatButtonId({ action: 'reroll', generationId: id, imageIndex: undefined }), label: '🔄', style: 'primary' },
    { id: formatButtonId({ action: 'delete', generationId: id, imageIndex: undefined }), label: '❌', style: 'danger' },
  ]);
  return rows;
}

export function failedReply(generation: Generation, owner: JobOwner, message: string): Reply {
  return reply(at(generation, 'failed'), `${titled(generation, owner)}: failed. ${message}`, [], [], undefined);
}

export function cancelledReply(generation: Generation, owner: JobOwner, by: 'owner' | 'moderator'): Reply {
  return reply(at(generation, 'cancelled'), `${titled(generation, owner)}: cancelled${by === 'moderator' ? ' by a moderator' : ''}.`, [], [], undefined);
}
