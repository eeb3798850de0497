/**
 * A finished job's message made to fit the upload limit. Tried from the fullest to the leanest:
 * the result as rendered (grid or image PNG plus the originals) when it fits; else the picture
 * as compressed WebP plus as many original PNGs as still fit, with a note; else no files at all
 * (text, details and buttons), with a note. The message is never left without its result.
 */
import type { APIEmbed } from 'discord.js';
import { refuse } from '../../generation/requests/refusal.ts';
import { truncate, type FilePayload, type MessagePayload } from './reply-payload.ts';

/** Room kept for the multipart framing, the JSON payload and the headers. */
export const UPLOAD_OVERHEAD_BYTES = 64 * 1024;
const MAX_CONTENT = 2000;

/** Lossy bytes of a picture within a budget, or undefined when it cannot be made that small. */
export type CompactPicture = (png: Buffer, maxBytes: number) => Promise<Buffer | undefined>;

export interface FittedResult {
  payload: MessagePayload;
  /** Bytes of files it carries. */
  bytes: number;
  /** How it was fitted (for the log). */
  fit: 'full' | 'preview' | 'none';
}

const sizeOf = (files: readonly FilePayload[]): number => files.reduce((total, file) => total + file.attachment.length, 0);

/** The result payload within `budgetBytes` of files (see the module comment). */
export async function fitResult(payload: MessagePayload, budgetBytes: number, limitBytes: number, compact: CompactPicture): Promise<FittedResult> {
  const full = sizeOf(payload.files);
  if (full <= budgetBytes) return { payload, bytes: full, fit: 'full' };
  const [picture, ...originals] = payload.files;
  const small = picture === undefined || budgetBytes <= 0 ? undefined : await compact(picture.attachment, budgetBytes);
  if (picture === undefined || small === undefined) {
    return { payload: withNote({ ...payload, files: [], embeds: payload.embeds.map((embed) => withPicture(embed, undefined)) }, limitBytes, 'none'), bytes: 0, fit: 'none' };
  }
  const name = picture.name.replace(/\.png$/i, '') + '.webp';
  const files: FilePayload[] = [{ ...picture, attachment: small, name }];
  let room = budgetBytes - small.length;
  for (const original of originals) {
    if (original.attachment.length > room) continue;
    files.push(original);
    room -= original.attachment.length;
  }
  const embeds = payload.embeds.map((embed) => withPicture(embed, embed.image === undefined ? undefined : name));
  return { payload: withNote({ ...payload, files, embeds }, limitBytes, 'preview'), bytes: sizeOf(files), fit: 'preview' };
}

function withPicture(embed: APIEmbed, name: string | undefined): APIEmbed {
  const { image: _image, ...rest } = embed;
  return name === undefined ? rest : { ...rest, image: { url: `attachment://${name}` } };
}

function withNote(payload: MessagePayload, limitBytes: number, shown: 'preview' | 'none'): MessagePayload {
  const note = refuse('upload_too_large', { limitBytes, shown }).message;
  return { ...payload, content: `${truncate(payload.content, MAX_CONTENT - note.length - 3)}\n⚠️ ${note}` };
}
