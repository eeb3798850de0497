/**
 * Expected refusals: every reason Darkroom says "no" to a person, with a stable code, the
 * facts behind it, and the one table of words a person reads. Bugs are not refusals: they are
 * exceptions, answered with an `internal` refusal that carries a reference id for the logs.
 */
import { randomBytes } from 'node:crypto';

export const REFUSAL_CODES = [
  'queue_full',
  'rate_limited',
  'quota_exceeded',
  'blocked_term',
  'banned',
  'invalid_option',
  'model_unavailable',
  'nsfw_withheld',
  'not_found',
  'forbidden',
  'too_large',
  'crash_loop',
  'storage_unavailable',
  'model_broken',
  'upload_too_large',
  'internal',
] as const;
export type RefusalCode = (typeof REFUSAL_CODES)[number];

/** The facts each refusal carries (for the message, and for adapters that want more). */
export interface RefusalDetails {
  queue_full: { scope: 'user' | 'everyone'; limit: number };
  rate_limited: { retryAfterMs: number };
  quota_exceeded: { period: 'hour' | 'day'; limit: number; retryAfterMs: number };
  blocked_term: { term: string; field: 'prompt' | 'negative prompt' };
  banned: { reason: string | undefined };
  /** `expected` completes "must be …" (value) or lists what exists (unknown). */
  invalid_option:
    | { problem: 'value'; option: string; value: string; expected: string }
    | { problem: 'missing'; option: string; expected: string }
    | { problem: 'unknown'; option: string; known: readonly string[] }
    /** A control or broken character (`U+0000`); the text itself is not echoed. */
    | { problem: 'characters'; option: string; character: string };
  model_unavailable: { model: string; available: readonly string[] };
  nsfw_withheld: { count: number };
  not_found: { what: 'generation' | 'image'; id: string };
  forbidden: { action: string; allowed: 'owner or moderator' | 'moderator' | 'admin' | 'no one' };
  /** A derived job's output (not its source) is larger than the limits here. */
  too_large: { kind: 'upscale' | 'variation' | 'reroll' | 'edit'; width: number; height: number; maxPixels: number; maxSide: number };
  /** The job was running each of the `attempts` times the process died; it is not run again. */
  crash_loop: { attempts: number };
  /** The image store refused a write or delete (full or read-only disk): an operator fault. */
  storage_unavailable: { action: 'save the images' | 'delete the image' | 'read the image' };
  /** The model's files are there but do not load (truncated or damaged). */
  model_broken: { model: string; available: readonly string[] };
  /**
   * A result is larger than the chat's upload limit: `preview` = a compressed picture is shown
   * instead of (some of) the full-size PNGs; `none` = no picture could be posted at all.
   */
  upload_too_large: { limitBytes: number; shown: 'preview' | 'none' };
  internal: { referenceId: string };
}

/** A refusal value: `code` is stable, `message` is what the person reads. */
export type Refusal<C extends RefusalCode = RefusalCode> = {
  [K in C]: { ok: false; code: K; message: string; details: RefusalDetails[K] };
}[C];

/** Either a value or a refusal; check `ok`. */
export type Refusable<T> = ({ ok: true } & T) | Refusal;

/** "45 seconds", "12 minutes", "3 hours" (rounded up, so "try again in" is never too early). */
export function formatWait(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms / 1000));
  if (seconds < 90) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 90) return `${minutes} minutes`;
  const hours = Math.ceil(minutes / 60);
  return `${hours} hours`;
}

/** "10 MiB", "512 KiB". */
function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${Number((bytes / (1024 * 1024)).toFixed(1))} MiB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KiB`;
}

function listOf(items: readonly string[]): string {
  return items.length === 0 ? 'none' : items.join(', ');
}

/** Typed text echoed in a refusal, without control or invisible characters (no ESC sequences, no U+202E). */
function echoed(text: string): string {
  return text.replace(/\p{Cc}|\p{Cf}/gu, '');
}

/** The one table of user-facing words, one entry per code. */
const MESSAGES: { [K in RefusalCode]: (details: RefusalDetails[K]) => string } = {
  queue_full: (d) =>
    d.scope === 'user'
      ? `You already have ${d.limit} job${d.limit === 1 ? '' : 's'} waiting. Wait until one starts (or cancel one), then try again.`
      : `The queue is full (${d.limit} jobs waiting). Please try again in a few minutes.`,
  rate_limited: (d) => `Darkroom is getting more requests than it can take right now. Try again in ${formatWait(d.retryAfterMs)}.`,
  quota_exceeded: (d) =>
    `You have reached your limit of ${d.limit} job${d.limit === 1 ? '' : 's'} per ${d.period}. Try again in ${formatWait(d.retryAfterMs)}.`,
  blocked_term: (d) => `Your ${d.field} contains a blocked term ("${d.term}"). Please rephrase it and try again.`,
  banned: (d) => `You are banned from using Darkroom here${d.reason ? `: ${d.reason}` : '.'}`,
  invalid_option: (d) => {
    switch (d.problem) {
      case 'value':
        return `Invalid ${echoed(d.option)} "${echoed(d.value)}": must be ${d.expected}.`;
      case 'missing':
        return `${d.option} needs a value: ${d.expected}.`;
      case 'unknown':
        return `Unknown option ${echoed(d.option)}. Known options: ${listOf(d.known)}.`;
      case 'characters':
        return `The ${d.option} contains a control character (${d.character}) that cannot be used. Remove it and try again.`;
    }
  },
  model_unavailable: (d) => `The model "${d.model}" is not available here. Available models: ${listOf(d.available)}.`,
  nsfw_withheld: (d) =>
    `${d.count} image${d.count === 1 ? ' was' : 's were'} withheld: the safety checker flagged ${d.count === 1 ? 'it' : 'them'} and this channel is not marked NSFW.`,
  not_found: (d) => `That ${d.what} (${d.id}) does not exist any more; it may have been deleted.`,
  forbidden: (d) => {
    if (d.allowed === 'no one') return `You cannot ${d.action}.`;
    const who = { 'owner or moderator': 'the person who made it or a moderator', moderator: 'a moderator', admin: 'an admin' }[d.allowed];
    return `Only ${who} can ${d.action}.`;
  },
  too_large: (d) =>
    `${{ upscale: 'Upscaling', variation: 'A variation', reroll: 'A reroll', edit: 'This edit' }[d.kind]} would make a ${d.width}×${d.height} image ` +
    `(${(d.width * d.height).toLocaleString('en-US')} pixels), larger than allowed here: at most ${d.maxPixels.toLocaleString('en-US')} pixels ` +
    `and ${d.maxSide} pixels a side.`,
  crash_loop: (d) =>
    `This job stopped Darkroom ${d.attempts === 2 ? 'twice' : `${d.attempts} times`} while it ran, so it will not be run again. ` +
    'Try a smaller size or fewer images, and tell an admin if it happens again.',
  storage_unavailable: (d) =>
    `Darkroom could not ${d.action}: its image storage is not available right now (the disk may be full or read-only). ` +
    'Please try again later; an admin can find the cause in the log.',
  model_broken: (d) =>
    `The model "${d.model}" is installed but its files are damaged, so it cannot run until an admin downloads it again. ` +
    `Available models: ${listOf(d.available)}.`,
  upload_too_large: (d) =>
    d.shown === 'preview'
      ? `The full-size PNGs are larger than this server's upload limit (${formatBytes(d.limitBytes)}), so a compressed picture is shown.`
      : `The images are larger than this server's upload limit (${formatBytes(d.limitBytes)}) and could not be posted here; the buttons still work.`,
  internal: (d) => `Sorry, something went wrong on our side. If it keeps happening, tell an admin this reference: ${d.referenceId}.`,
};

/** The words a person reads for a refusal. */
export function refusalMessage<C extends RefusalCode>(code: C, details: RefusalDetails[C]): string {
  return MESSAGES[code](details);
}

/** Builds a refusal value with its message from the table. */
export function refuse<C extends RefusalCode>(code: C, details: RefusalDetails[C]): Refusal<C> {
  return { ok: false, code, message: refusalMessage(code, details), details } as Refusal<C>;
}

/** A short id that ties an apology in chat to the log line with the details. */
export function newReferenceId(): string {
  return randomBytes(5).toString('hex');
}

/** True for refusal values (anything with `ok: false` and a known code). */
export function isRefusal(value: unknown): value is Refusal {
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { ok?: unknown }).ok === false &&
    REFUSAL_CODES.includes((value as { code?: unknown }).code as RefusalCode)
  );
}
