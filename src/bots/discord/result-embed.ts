/**
 * A finished job's details as a Discord embed (prompt, negative prompt, seed, model, scheduler,
 * steps, guidance, size, time, generation id) showing the grid, and the originals attached next
 * to it when there are several images, so each can be opened at full size.
 */
import type { APIEmbed } from 'discord.js';
import type { FinishedResult } from '../../commands/index.ts';

/** A file attached to a Discord message (what discord.js takes in `files`). */
export interface FilePayload {
  attachment: Buffer;
  name: string;
  description: string;
}

const FIELD_MAX = 1024;
const DESCRIPTION_MAX = 4096;

function clip(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit - 1)}…`;
}

function seconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms / 1000)} s`;
}

/** The grid (or single image) file first, then each original when there are several. */
export function resultFiles(result: FinishedResult, replyFiles: FilePayload[]): FilePayload[] {
  const { generation, delivery } = result;
  if (delivery.images.length < 2) return replyFiles;
  const originals = delivery.images.map((image) => ({
    attachment: image.png,
    name: `${image.blurred ? 'SPOILER_' : ''}${generation.id}-${image.index + 1}.png`,
    description: `Image ${image.index + 1}, seed ${image.seed}`,
  }));
  return [...replyFiles, ...originals].slice(0, 10);
}

export function resultEmbed(result: FinishedResult, pictureName: string | undefined): APIEmbed {
  const { generation, delivery } = result;
  const first = delivery.images[0];
  const width = first?.width ?? generation.width;
  const height = first?.height ?? generation.height;
  const lastSeed = generation.seed + Math.max(0, generation.count - 1);
  const took =
    generation.startedAt !== undefined && generation.finishedAt !== undefined
      ? generation.finishedAt.getTime() - generation.startedAt.getTime()
      : generation.gpuMs;
  const fields = [
    { name: 'Negative prompt', value: clip(generation.negativePrompt === '' ? '—' : generation.negativePrompt, FIELD_MAX), inline: false },
    { name: 'Seed', value: generation.count > 1 ? `${generation.seed}–${lastSeed}` : String(generation.seed), inline: true },
    { name: 'Model', value: clip(generation.model, FIELD_MAX), inline: true },
    { name: 'Scheduler', value: generation.scheduler, inline: true },
    { name: 'Steps', value: String(generation.steps), inline: true },
    { name: 'Guidance', value: String(generation.guidance), inline: true },
    { name: 'Size', value: `${width}×${height}`, inline: true },
    { name: 'Time', value: took === undefined ? '—' : seconds(took), inline: true },
    { name: 'ID', value: `\`${generation.id}\``, inline: true },
  ];
  // A spoilered picture stays out of the embed, which would show it unblurred-looking and unhidden.
  const showPicture = pictureName !== undefined && !pictureName.startsWith('SPOILER_');
  return {
    title: generation.kind === 'imagine' ? 'Result' : generation.kind === 'variation' ? 'Variation' : generation.kind === 'upscale' ? 'Upscale' : 'Reroll',
    description: clip(generation.prompt, DESCRIPTION_MAX),
    fields,
    ...(showPicture ? { image: { url: `attachment://${pictureName}` } } : {}),
    footer: { text: `Generation ${generation.id}` },
    timestamp: (generation.finishedAt ?? generation.queuedAt).toISOString(),
  };
}
