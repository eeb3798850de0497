/**
 * Reads a request body the way Discord does: JSON, or multipart/form-data with the JSON in the
 * `payload_json` field and the files in `files[n]` parts. Checks the rules the spec cannot
 * express: each `attachments[].id` that is new must have its `files[id]` part, and each file part
 * must be claimed by an attachment entry.
 */
import type { IncomingMessage } from 'node:http';

export interface FilePart {
  /** `files[0]` */
  field: string;
  /** The n of `files[n]`. */
  index: string;
  filename: string;
  contentType: string;
  bytes: Buffer;
}

export interface ReadBody {
  kind: 'json' | 'multipart' | 'none';
  /** The JSON body (for multipart: the parsed payload_json). */
  json: unknown;
  files: FilePart[];
  problems: string[];
}

async function readRaw(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function readBody(request: IncomingMessage): Promise<ReadBody> {
  const raw = await readRaw(request);
  const contentType = request.headers['content-type'] ?? '';
  if (raw.length === 0) return { kind: 'none', json: undefined, files: [], problems: [] };
  if (contentType.startsWith('application/json')) {
    try {
      return { kind: 'json', json: JSON.parse(raw.toString('utf8')), files: [], problems: [] };
    } catch {
      return { kind: 'json', json: undefined, files: [], problems: ['body is not valid JSON'] };
    }
  }
  if (contentType.startsWith('multipart/form-data')) return readMultipart(raw, contentType);
  return { kind: 'none', json: undefined, files: [], problems: [`unexpected content type ${contentType}`] };
}

async function readMultipart(raw: Buffer, contentType: string): Promise<ReadBody> {
  const problems: string[] = [];
  const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
  let json: unknown = {};
  const files: FilePart[] = [];
  for (const [field, value] of form.entries()) {
    if (field === 'payload_json') {
      if (typeof value !== 'string') problems.push('payload_json is a file, not a text field');
      else {
        try {
          json = JSON.parse(value);
        } catch {
          problems.push('payload_json is not valid JSON');
        }
      }
      continue;
    }
    const match = /^files\[(\d+)\]$/.exec(field);
    if (match === null || typeof value === 'string') {
      problems.push(`unexpected multipart field ${field}`);
      continue;
    }
    files.push({ field, index: match[1] as string, filename: value.name, contentType: value.type, bytes: Buffer.from(await value.arrayBuffer()) });
  }
  if (!form.has('payload_json')) problems.push('multipart body without payload_json');
  problems.push(...attachmentProblems(json, files));
  return { kind: 'multipart', json, files, problems };
}

/** Every file part is claimed by exactly one attachment entry, with the same file name when given. */
function attachmentProblems(json: unknown, files: FilePart[]): string[] {
  const problems: string[] = [];
  const entries = (json as { attachments?: Array<{ id?: unknown; filename?: unknown }> } | undefined)?.attachments ?? [];
  for (const file of files) {
    const claims = entries.filter((entry) => String(entry.id) === file.index);
    if (claims.length !== 1) {
      problems.push(`${file.field} (${file.filename}) is claimed by ${claims.length} attachments[] entries`);
      continue;
    }
    const filename = claims[0]?.filename;
    if (typeof filename === 'string' && filename !== file.filename) problems.push(`${file.field}: attachment says ${filename}, part says ${file.filename}`);
    if (file.bytes.length === 0) problems.push(`${file.field} (${file.filename}) is empty`);
  }
  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.index)) problems.push(`${file.field} sent twice`);
    seen.add(file.index);
  }
  return problems;
}
