import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A fake Hugging Face hub on 127.0.0.1, implementing what @huggingface/hub's `listFiles` and
 * `fileDownloadInfo` call, the way huggingface.co answers:
 * - `GET /api/models/{repo}/tree/{rev}[/{path}]?recursive=…&expand=…` → JSON entries, paginated with a
 *   `Link: <…&cursor=N>; rel="next"` header;
 * - `GET /{repo}/resolve/{rev}/{path}` → small files served directly, LFS files redirected (302) to a
 *   second "CDN" server on another port, with `x-repo-commit`, `x-linked-etag`, `x-linked-size`;
 * - Range requests (206 + Content-Range), 416 past the end, ETag, Content-Length;
 * - gated repos: 401 JSON + `X-Error-Code: GatedRepo` without the right `Authorization: Bearer`.
 */
export interface FakeRepo {
  id: string;
  files: Map<string, Buffer>;
  /** The commit `main` points at (40 hex). */
  commit: string;
  /** When set, tree and resolve need `Authorization: Bearer <gatedToken>`. */
  gatedToken: string | undefined;
  /** Sizes the tree listing claims instead of the real ones (a corrupt mirror). */
  listedSizes: Map<string, number>;
}

export interface LoggedRequest {
  server: 'hub' | 'cdn';
  method: string;
  url: string;
  /** Repo file path for resolve and CDN requests. */
  file: string | undefined;
  range: string | undefined;
  authorization: string | undefined;
  status: number;
  /** Body bytes actually written. */
  bytesSent: number;
}

export interface FakeHub {
  url: string;
  cdnUrl: string;
  requests: LoggedRequest[];
  /** Drop the connection halfway through the next full body of this file (once). */
  dropOnce: Set<string>;
  /** Body bytes sent for a file by transfers (the 1-byte `bytes=0-0` probes excluded). */
  bodyBytes(file: string): number;
  close(): Promise<void>;
}

const LFS_MIN_BYTES = 10_000;

export function fakeRepo(id: string, files: Map<string, Buffer>, overrides: Partial<FakeRepo> = {}): FakeRepo {
  const commit = createHash('sha1').update(id).digest('hex');
  return { id, files, commit, gatedToken: undefined, listedSizes: new Map(), ...overrides };
}

export async function startFakeHub(repos: FakeRepo[], pageSize = 4): Promise<FakeHub> {
  const requests: LoggedRequest[] = [];
  const dropOnce = new Set<string>();
  const blobs = new Map<string, { file: string; bytes: Buffer }>();
  const sha = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
  for (const repo of repos) for (const [file, bytes] of repo.files) blobs.set(sha(bytes), { file, bytes });

  const cdn = http.createServer((request, response) => {
    const log = logFor('cdn', request, response, requests);
    const blob = blobs.get((request.url ?? '').split('?')[0]?.replace('/blobs/', '') ?? '');
    log.file = blob?.file;
    if (!blob) return end(response, log, 404, {}, 'no such blob');
    serveBytes(request, response, log, blob.bytes, { etag: `"${sha(blob.bytes)}"` }, dropOnce);
  });
  const hub = http.createServer((request, response) => {
    const log = logFor('hub', request, response, requests);
    const url = new URL(request.url ?? '/', 'http://fake');
    const tree = url.pathname.match(/^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)(?:\/(.*))?$/);
    const resolve = url.pathname.match(/^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/);
    const match = tree ?? resolve;
    const repo = repos.find((candidate) => candidate.id === match?.[1]);
    if (!match || !repo) return json(response, log, 404, { error: 'Repository not found' }, 'RepoNotFound');
    if (repo.gatedToken !== undefined && request.headers.authorization !== `Bearer ${repo.gatedToken}`) {
      const error = `Access to model ${repo.id} is restricted. You must have access to it and be authenticated to access it. Please log in.`;
      return json(response, log, 401, { error }, 'GatedRepo');
    }
    const revision = decodeURIComponent(match[2] ?? '');
    if (revision !== 'main' && revision !== repo.commit) {
      return json(response, log, 404, { error: `Invalid rev id: ${revision}` }, 'RevisionNotFound');
    }
    const commitHeaders = { 'x-repo-commit': repo.commit };
    if (tree) {
      const prefix = tree[3] ? `${decodeURIComponent(tree[3])}/` : '';
      const entries = treeEntries(repo, prefix, url.searchParams.get('recursive') === 'true', sha);
      const cursor = Number(url.searchParams.get('cursor') ?? '0');
      const headers: Record<string, string> = { ...commitHeaders };
      if (cursor + pageSize < entries.length) {
        const next = new URL(url.toString().replace('http://fake', hubUrl));
        next.searchParams.set('cursor', String(cursor + pageSize));
        headers['Link'] = `<${next.toString()}>; rel="next"`;
      }
      return json(response, log, 200, entries.slice(cursor, cursor + pageSize), undefined, headers);
    }
    const file = decodeURIComponent(match[3] ?? '');
    log.file = file;
    const bytes = repo.files.get(file);
    if (!bytes) return json(response, log, 404, { error: 'Entry not found' }, 'EntryNotFound', commitHeaders);
    if (bytes.length >= LFS_MIN_BYTES) {
      const headers = {
        ...commitHeaders,
        Location: `${cdnUrl}/blobs/${sha(bytes)}?X-Signature=fake`,
        'x-linked-etag': `"${sha(bytes)}"`,
        'x-linked-size': String(bytes.length),
        ETag: `"${sha(bytes)}"`,
      };
      return end(response, log, 302, headers, '');
    }
    serveBytes(request, response, log, bytes, { ...commitHeaders, etag: `"${sha(bytes)}"` }, dropOnce);
  });
  const hubUrl = await listen(hub);
  const cdnUrl = await listen(cdn);
  return {
    url: hubUrl,
    cdnUrl,
    requests,
    dropOnce,
    bodyBytes: (file) =>
      requests.filter((entry) => entry.file === file && entry.range !== 'bytes=0-0').reduce((sum, entry) => sum + entry.bytesSent, 0),
    close: async () => {
      hub.closeAllConnections();
      cdn.closeAllConnections();
      await Promise.all([new Promise((done) => hub.close(done)), new Promise((done) => cdn.close(done))]);
    },
  };
}

function treeEntries(repo: FakeRepo, prefix: string, recursive: boolean, sha: (bytes: Buffer) => string): unknown[] {
  const entries: unknown[] = [];
  const directories = new Set<string>();
  for (const [file, bytes] of [...repo.files].sort(([a], [b]) => a.localeCompare(b))) {
    if (!file.startsWith(prefix)) continue;
    const rest = file.slice(prefix.length);
    const parts = rest.split('/');
    for (let depth = 1; depth < parts.length; depth += 1) {
      const directory = prefix + parts.slice(0, depth).join('/');
      if ((recursive || depth === 1) && !directories.has(directory)) {
        directories.add(directory);
        entries.push({ type: 'directory', oid: sha(Buffer.from(directory)).slice(0, 40), size: 0, path: directory });
      }
    }
    if (!recursive && parts.length > 1) continue;
    const size = repo.listedSizes.get(file) ?? bytes.length;
    const oid = createHash('sha1').update(bytes).digest('hex');
    const lfs = bytes.length >= LFS_MIN_BYTES ? { lfs: { oid: sha(bytes), size, pointerSize: 134 } } : {};
    entries.push({ type: 'file', oid, size, path: file, ...lfs });
  }
  return entries;
}

function serveBytes(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  log: LoggedRequest,
  bytes: Buffer,
  headers: Record<string, string>,
  dropOnce: Set<string>,
): void {
  const range = request.headers.range?.match(/^bytes=(\d+)-(\d*)$/);
  const common = { ...headers, 'Accept-Ranges': 'bytes', 'Content-Type': 'application/octet-stream' };
  let start = 0;
  let endByte = bytes.length - 1;
  let status = 200;
  if (range) {
    start = Number(range[1]);
    endByte = range[2] ? Math.min(Number(range[2]), bytes.length - 1) : bytes.length - 1;
    if (start >= bytes.length) return end(response, log, 416, { ...common, 'Content-Range': `bytes */${bytes.length}` }, '');
    status = 206;
    Object.assign(common, { 'Content-Range': `bytes ${start}-${endByte}/${bytes.length}` });
  }
  const body = bytes.subarray(start, endByte + 1);
  response.writeHead(status, { ...common, 'Content-Length': String(body.length) });
  log.status = status;
  const file = log.file;
  if (file !== undefined && dropOnce.has(file) && body.length > 1) {
    dropOnce.delete(file);
    const half = body.subarray(0, Math.floor(body.length / 2));
    response.write(half, () => {
      log.bytesSent += half.length;
      response.socket?.destroy();
    });
    return;
  }
  log.bytesSent += body.length;
  response.end(body);
}

function logFor(server: 'hub' | 'cdn', request: http.IncomingMessage, _response: http.ServerResponse, requests: LoggedRequest[]): LoggedRequest {
  const log: LoggedRequest = {
    server,
    method: request.method ?? 'GET',
    url: request.url ?? '',
    file: undefined,
    range: request.headers.range,
    authorization: request.headers.authorization,
    status: 0,
    bytesSent: 0,
  };
  requests.push(log);
  return log;
}

function end(response: http.ServerResponse, log: LoggedRequest, status: number, headers: Record<string, string>, body: string): void {
  log.status = status;
  response.writeHead(status, headers);
  response.end(body);
}

function json(
  response: http.ServerResponse,
  log: LoggedRequest,
  status: number,
  value: unknown,
  errorCode: string | undefined,
  headers: Record<string, string> = {},
): void {
  const extra: Record<string, string> = errorCode ? { 'X-Error-Code': errorCode } : {};
  end(response, log, status, { ...headers, ...extra, 'Content-Type': 'application/json' }, JSON.stringify(value));
}

function listen(server: http.Server): Promise<string> {
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
  });
}

/** A loopback URL nothing listens on (a port that was just bound and released): "the hub is unreachable". */
export async function unreachableUrl(): Promise<string> {
  const server = http.createServer();
  const url = await listen(server);
  await new Promise((done) => server.close(done));
  return url;
}
