import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileSize } from './json-file.ts';

/** Characters {@link partFileFor} adds to a file name (a leading `.` and `.part`). */
export const PART_NAME_OVERHEAD = '..part'.length;

/**
 * Where the bytes of `target` collect until it is complete: `.<name>.part` next to it. Hidden, so
 * no file of a model can be named like it (the hub listing's hidden files are never pulled) and
 * the download of `x` never touches a listed `x.part`.
 */
export function partFileFor(target: string): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.part`);
}

/** One file to fetch into `target`, through {@link partFileFor}. */
export interface TransferRequest {
  url: string;
  /** Local file name the finished file gets. */
  target: string;
  /** Size the hub lists; the finished file must have exactly this many bytes. */
  expectedSize: number;
  token: string | undefined;
  fetch: typeof fetch;
  signal: AbortSignal | undefined;
  /** Attempts in total, each resuming where the previous stopped. */
  maxAttempts: number;
  /** Pause before attempt n is n × this. */
  retryDelayMs: number;
  /** Called with the number of bytes now on disk for this file. */
  onBytes: (fileBytes: number) => void;
}

export type TransferResult =
  | { kind: 'complete'; downloaded: number }
  | { kind: 'http'; status: number }
  | { kind: 'too_long'; received: number }
  | { kind: 'too_short'; received: number }
  | { kind: 'interrupted'; reason: string; connected: boolean };

/**
 * Downloads one file, resuming a part file left by an earlier attempt or run with an HTTP Range request.
 * A server that ignores Range (200) or answers a different range makes us start the file over, so the
 * part file is always a prefix of the real file. Aborts reject with the signal's reason and keep the part.
 */
export async function transferFile(request: TransferRequest): Promise<TransferResult> {
  const part = partFileFor(request.target);
  let downloaded = 0;
  let connected = false;
  let shortEnds = 0;
  let lastReason = 'no attempt made';
  for (let attempt = 1; attempt <= request.maxAttempts; attempt += 1) {
    if (attempt > 1) await pause(request.retryDelayMs * (attempt - 1), request.signal);
    let offset = (await fileSize(part)) ?? 0;
    if (offset > request.expectedSize) {
      await rm(part, { force: true });
      offset = 0;
    }
    request.onBytes(offset);
    if (offset === request.expectedSize) {
      await rename(part, request.target);
      return { kind: 'complete', downloaded };
    }
    const headers: Record<string, string> = {};
    if (request.token) headers['Authorization'] = `Bearer ${request.token}`;
    if (offset > 0) headers['Range'] = `bytes=${offset}-`;
    let response: Response;
    try {
      response = await request.fetch(request.url, { headers, signal: request.signal });
    } catch (error) {
      request.signal?.throwIfAborted();
      lastReason = describe(error);
      continue;
    }
    connected = true;
    if (response.status === 416) {
      await response.body?.cancel();
      await rm(part, { force: true });
      continue;
    }
    if (!response.ok) {
      await response.body?.cancel();
      return { kind: 'http', status: response.status };
    }
    const resumes = response.status === 206 && rangeStart(response.headers.get('content-range')) === offset;
    if (response.status === 206 && !resumes) {
      await response.body?.cancel();
      await rm(part, { force: true });
      lastReason = `server answered a different range (${response.headers.get('content-range') ?? 'none'})`;
      continue;
    }
    const start = resumes ? offset : 0;
    const outcome = await writeBody(response, part, start, request);
    downloaded += outcome.written;
    if (outcome.kind === 'too_long') return { kind: 'too_long', received: outcome.size };
    if (outcome.kind === 'error') {
      request.signal?.throwIfAborted();
      lastReason = outcome.reason;
      continue;
    }
    if (outcome.size === request.expectedSize) {
      await rename(part, request.target);
      return { kind: 'complete', downloaded };
    }
    shortEnds += 1;
    lastReason = `connection ended after ${outcome.size} of ${request.expectedSize} bytes`;
  }
  const size = (await fileSize(part)) ?? 0;
  if (shortEnds === request.maxAttempts) return { kind: 'too_short', received: size };
  return { kind: 'interrupted', reason: lastReason, connected };
}

type BodyOutcome =
  | { kind: 'ended'; size: number; written: number }
  | { kind: 'too_long'; size: number; written: number }
  | { kind: 'error'; reason: string; written: number };

async function writeBody(response: Response, part: string, start: number, request: TransferRequest): Promise<BodyOutcome> {
  const handle = await open(part, start > 0 ? 'a' : 'w');
  let size = start;
  let written = 0;
  try {
    if (!response.body) return { kind: 'ended', size, written };
    const reader = response.body.getReader();
    for (;;) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        return { kind: 'error', reason: describe(error), written };
      }
      if (chunk.done) return { kind: 'ended', size, written };
      if (size + chunk.value.byteLength > request.expectedSize) {
        await reader.cancel();
        return { kind: 'too_long', size: size + chunk.value.byteLength, written };
      }
      await handle.write(chunk.value);
      size += chunk.value.byteLength;
      written += chunk.value.byteLength;
      request.onBytes(size);
    }
  } finally {
    await handle.close();
  }
}

/** Start offset of a `Content-Range: bytes START-END/TOTAL` header. */
function rangeStart(header: string | null): number | undefined {
  const match = header?.match(/^bytes (\d+)-\d+\/(\d+|\*)$/);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}

function describe(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error.cause as { code?: unknown; message?: unknown } | undefined) ?? undefined;
    const detail = typeof cause?.code === 'string' ? cause.code : typeof cause?.message === 'string' ? cause.message : '';
    return detail ? `${error.message}: ${detail}` : error.message;
  }
  return String(error);
}

function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason as Error);
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
