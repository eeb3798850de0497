/**
 * A fake Slack on 127.0.0.1 for end-to-end tests of the real @slack/bolt app: the Web API
 * (`POST /api/<method>`, form-encoded, `Authorization: Bearer`), the external upload URL
 * (`POST /upload/<file id>`, multipart with one part named `body`), response_url endpoints
 * (`POST /respond/<id>`, JSON) and Socket Mode (`apps.connections.open` → ws://127.0.0.1).
 * It records every call and what a person would see (messages, files, reactions, ephemerals).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { blockKitProblems } from './block-kit.check.ts';
import { FakeSlackWorkspace, type ApiAnswer } from './fake-slack-workspace.ts';
import type { FakeSlackCall, FakeSlackIdentity, FakeSlackUser } from './fake-slack.types.ts';
import { FakeSocketMode } from './fake-socket-mode.ts';

export interface FakeSlackOptions {
  identity: FakeSlackIdentity;
  users: readonly FakeSlackUser[];
}

interface CallWaiter {
  test: (call: FakeSlackCall) => boolean;
  resolve: (call: FakeSlackCall) => void;
}

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
  response.end(JSON.stringify(body));
}

export class FakeSlack {
  readonly workspace: FakeSlackWorkspace;
  readonly socketMode: FakeSocketMode;
  readonly calls: FakeSlackCall[] = [];
  readonly #waiters: CallWaiter[] = [];
  readonly #failures = new Map<string, string[]>();
  #port = 0;
  #responseUrls = 0;

  private constructor(
    private readonly server: Server,
    readonly identity: FakeSlackIdentity,
    users: readonly FakeSlackUser[],
  ) {
    this.workspace = new FakeSlackWorkspace(identity, users, () => this.baseUrl);
    this.socketMode = new FakeSocketMode(identity.bot.appId);
  }

  static async start(options: FakeSlackOptions): Promise<FakeSlack> {
    const server = createServer();
    const fake = new FakeSlack(server, options.identity, options.users);
    server.on('request', (request, response) => {
      fake.#route(request, response).catch((error: unknown) => sendJson(response, 500, { ok: false, error: String(error) }));
    });
    server.on('upgrade', (request, socket, head) => {
      if (!fake.socketMode.handleUpgrade(request, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    fake.#port = (server.address() as AddressInfo).port;
    return fake;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}/`;
  }

  /** What the app uses as `slackApiUrl` (SLACK_API_URL). */
  get apiUrl(): string {
    return `${this.baseUrl}api/`;
  }

  /** A fresh response_url for a payload from `user`; posts to it are recorded as ephemerals to that user. */
  responseUrl(user: string): string {
    this.#responseUrls += 1;
    return `${this.baseUrl}respond/${encodeURIComponent(user)}/${this.#responseUrls}`;
  }

  /** The next call of `method` answers `{ok: false, error}` (queued, one per call). */
  failNext(method: string, error: string): void {
    this.#failures.set(method, [...(this.#failures.get(method) ?? []), error]);
  }

  callsOf(method: string): FakeSlackCall[] {
    return this.calls.filter((call) => call.method === method);
  }

  /** Resolves with the first call (past or future) that passes `test`. */
  waitForCall(test: (call: FakeSlackCall) => boolean, timeoutMs = 15_000): Promise<FakeSlackCall> {
    const seen = this.calls.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter: CallWaiter = { test, resolve };
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`no matching Slack call within ${timeoutMs} ms; calls: ${this.calls.map((call) => call.method).join(', ')}`));
      }, timeoutMs);
      waiter.resolve = (call) => {
        clearTimeout(timer);
        resolve(call);
      };
      this.#waiters.push(waiter);
    });
  }

  async close(): Promise<void> {
    this.socketMode.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  async #route(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', this.baseUrl);
    const body = await readBody(request);
    if (request.method !== 'POST') return sendJson(response, 405, { ok: false, error: 'method_not_allowed' });
    if (url.pathname.startsWith('/api/')) return this.#api(url.pathname.slice('/api/'.length), request, body, response);
    if (url.pathname.startsWith('/upload/')) return this.#upload(url.pathname.slice('/upload/'.length), request, body, response);
    if (url.pathname.startsWith('/respond/')) return this.#respond(decodeURIComponent(url.pathname.slice('/respond/'.length)), request, body, response);
    sendJson(response, 404, { ok: false, error: 'not_found' });
  }

  #api(method: string, request: IncomingMessage, body: Buffer, response: ServerResponse): void {
    const contentType = request.headers['content-type'] ?? '';
    const params: Record<string, string> = {};
    if (contentType === 'application/x-www-form-urlencoded') {
      for (const [key, value] of new URLSearchParams(body.toString('utf8'))) params[key] = value;
    } else if (body.length > 0) {
      this.workspace.violations.push(`${method}: content-type ${contentType}, expected application/x-www-form-urlencoded`);
    }
    const expectedToken = method === 'apps.connections.open' ? this.identity.appToken : this.identity.botToken;
    let answer: ApiAnswer;
    const injected = this.#failures.get(method)?.shift();
    if (request.headers.authorization !== `Bearer ${expectedToken}`) answer = { ok: false, error: request.headers.authorization ? 'invalid_auth' : 'not_authed' };
    else if (injected !== undefined) answer = { ok: false, error: injected };
    else if (method === 'apps.connections.open') answer = { ok: true, url: this.socketMode.issueUrl(this.#port) };
    else answer = this.workspace.call(method, params);
    this.#record({ method, params, ok: answer.ok, error: answer.ok ? undefined : answer.error, at: Date.now() });
    sendJson(response, 200, answer);
  }

  async #upload(fileId: string, request: IncomingMessage, body: Buffer, response: ServerResponse): Promise<void> {
    const contentType = request.headers['content-type'] ?? '';
    let bytes: Buffer | undefined;
    if (contentType.startsWith('multipart/form-data')) {
      const form = await new Request(this.baseUrl, { method: 'POST', headers: { 'content-type': contentType }, body }).formData();
      const part = form.get('body');
      if (part !== null && typeof part !== 'string') bytes = Buffer.from(await part.arrayBuffer());
    }
    if (bytes === undefined) this.workspace.violations.push(`upload ${fileId}: expected multipart/form-data with a part named body`);
    const ok = bytes !== undefined && this.workspace.receiveUpload(fileId, bytes);
    this.#record({ method: 'upload', params: { file: fileId, bytes: String(bytes?.length ?? 0) }, ok, error: ok ? undefined : 'upload_failed', at: Date.now() });
    response.writeHead(ok ? 200 : 400, { 'content-type': 'text/plain' });
    response.end(ok ? `OK - ${bytes?.length ?? 0}` : 'upload failed');
  }

  #respond(id: string, request: IncomingMessage, body: Buffer, response: ServerResponse): void {
    if (!(request.headers['content-type'] ?? '').startsWith('application/json')) {
      this.workspace.violations.push(`response_url ${id}: content-type ${request.headers['content-type']}`);
      return sendJson(response, 400, { ok: false, error: 'invalid_payload' });
    }
    const message = JSON.parse(body.toString('utf8')) as { text?: string; blocks?: unknown[]; response_type?: string; replace_original?: boolean };
    // A response_url takes the same Block Kit as chat.postMessage and refuses what it refuses.
    const problems = message.blocks === undefined ? [] : blockKitProblems(message.blocks);
    if (problems.length > 0) {
      this.workspace.violations.push(...problems.map((problem) => `response_url ${id}: ${problem}`));
      this.#record({ method: 'response_url', params: { id, body: body.toString('utf8') }, ok: false, error: 'invalid_blocks', at: Date.now() });
      return sendJson(response, 400, { ok: false, error: 'invalid_blocks' });
    }
    this.workspace.ephemerals.push({
      via: 'response_url',
      channel: undefined,
      user: id.split('/')[0],
      text: message.text ?? '',
      blocks: message.blocks,
      responseType: message.response_type,
      replaceOriginal: message.replace_original,
      at: Date.now(),
    });
    this.#record({ method: 'response_url', params: { id, body: body.toString('utf8') }, ok: true, error: undefined, at: Date.now() });
    sendJson(response, 200, { ok: true });
  }

  #record(call: FakeSlackCall): void {
    this.calls.push(call);
    for (const waiter of [...this.#waiters]) {
      if (!waiter.test(call)) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(call);
    }
  }
}
