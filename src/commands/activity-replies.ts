/**
 * History, usage and moderation answers as text. A history page with more after it says where
 * the next starts (`Reply.nextPage`) and ends with a "More" button whose id carries that keyset
 * cursor (and the person filtered on), so paging needs no server state.
 */
import type { Generation, GenerationWithImages, UserSettings } from '../db/domain.types.ts';
import type { QueuePosition } from '../generation/queue/generation-queue.ts';
import { formatEta } from './generation-replies.ts';
import type { HistoryCursor } from '../db/generation.repository.ts';
import { formatButtonId } from './button-ids.ts';
import type { UsageSummary, UsageTotals } from '../db/usage.repository.ts';
import { mention, withoutMentionMarks, type MentionedPerson } from './mentions.ts';
import { textReply, type Reply } from './reply.types.ts';

function shortPrompt(prompt: string): string {
  const clean = withoutMentionMarks(prompt);
  return clean.length > 60 ? `${clean.slice(0, 57)}…` : clean;
}

/**
 * One page of history, newest first. `owners` (by user id) adds who made each job, for
 * moderators looking at other people's jobs; undefined = the asker's own jobs.
 */
export function historyReply(
  items: readonly GenerationWithImages[],
  next: HistoryCursor | undefined,
  userExternalId: string | undefined,
  owners: ReadonlyMap<string, MentionedPerson> | undefined = undefined,
): Reply {
  if (items.length === 0) return textReply('No jobs found.', 'private');
  const lines = items.map((item) => {
    const images = item.images.filter((image) => image.deletedAt === undefined).length;
    const when = item.queuedAt.toISOString().slice(0, 16).replace('T', ' ');
    const owner = owners?.get(item.userId);
    const by = owner === undefined ? '' : ` · by ${mention(owner)}`;
    return `\`${item.id}\` ${when} UTC${by} · ${item.status} · ${item.kind} · ${images} image${images === 1 ? '' : 's'} · ${shortPrompt(item.prompt)}`;
  });
  const reply = textReply(lines.join('\n'), 'private');
  if (next === undefined) return reply;
  const nextPage = { cursor: next, userExternalId };
  return { ...reply, nextPage, buttons: [[{ id: formatButtonId({ action: 'history-next', ...nextPage }), label: 'More', style: 'secondary' }]] };
}

/** /queue: the asker's waiting and running jobs; `position` undefined = just left the queue. */
export function queueReply(jobs: ReadonlyArray<{ generation: Generation; position: QueuePosition | undefined }>): Reply {
  if (jobs.length === 0) return textReply('You have no jobs waiting or running.', 'private');
  const lines = jobs.map(({ generation, position }) => {
    const where =
      position === undefined
        ? generation.status
        : position.position === 0
          ? `running, done in ${formatEta(position.etaMs)}`
          : `queued, position ${position.position}, done in ${formatEta(position.etaMs)}`;
    return `\`${generation.id}\` ${shortPrompt(generation.prompt)} · ${where}`;
  });
  return textReply(['**Your jobs**', ...lines].join('\n'), 'private');
}

function totalsText(totals: UsageTotals): string {
  return `${totals.jobs} jobs · ${totals.images} images · ${totals.gpuSeconds.toFixed(1)} GPU s · ${totals.failures} failed · ${totals.cancelled} cancelled`;
}

export function usageReply(summary: UsageSummary, days: number): Reply {
  const lines = [`**Last ${days} day${days === 1 ? '' : 's'}:** ${totalsText(summary.totals)}`];
  if (summary.byUser.length > 0) lines.push('', '**By person**', ...summary.byUser.slice(0, 20).map((row) => `${row.displayName}: ${totalsText(row)}`));
  if (summary.byDay.length > 0) lines.push('', '**By day (UTC)**', ...summary.byDay.map((row) => `${row.day}: ${totalsText(row)}`));
  return textReply(lines.join('\n'), 'private');
}

export function settingsReply(settings: UserSettings | undefined, saved: boolean): Reply {
  const value = (text: string | number | undefined) => (text === undefined ? 'server default' : `\`${text}\``);
  const lines = [
    saved ? 'Saved. Your defaults for /imagine:' : 'Your defaults for /imagine:',
    `model: ${value(settings?.model)}`,
    `aspect: ${value(settings?.aspect)}`,
    `steps: ${value(settings?.steps)}`,
    `guidance: ${value(settings?.guidance)}`,
    `count: ${value(settings?.count)}`,
    `scheduler: ${value(settings?.scheduler)}`,
    `negative: ${value(settings?.negativePrompt)}`,
    'Set an option to `default` to clear it.',
  ];
  return textReply(lines.join('\n'), 'private');
}
