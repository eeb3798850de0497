/**
 * A fake Discord on 127.0.0.1 for end-to-end tests with the real discord.js client: REST under
 * `/api/v10` and a Gateway on `/gateway`, on one port. Every request body is checked against
 * Discord's OpenAPI spec (when given) and multipart attachments against their file parts;
 * problems are recorded in `violations`, never thrown, so a test can assert there are none.
 * Optional: Discord-like rate limits (429s counted in `rateLimitHits`).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { FakeClock } from './fake-clock.ts';
import type { FakeChannel, FakeGuild, FakeUser } from './fake-discord.types.ts';
import { FakeDiscordWorld } from './fake-discord.world.ts';
import { FakeGateway } from './fake-gateway.ts';
import { ROUTES, type RouteAnswer } from './fake-rest.routes.ts';
import type { OpenApiValidator } from './openapi-validator.ts';
import { RateLimitBuckets, type BucketRule } from './rate-limit.buckets.ts';
import { readBody, type ReadBody } from './request-body.reader.ts';
import { tooLarge } from './upload-limit.ts';
import { defaultScene, type FakeScene } from './fake-discord.scene.ts';
import { FakeDiscordDriver } from './fake-discord.driver.ts';

export interface FakeDiscordOptions {
  /** Validates request bodies; undefined = no spec check (shared/ absent). */
  spec: OpenApiValidator | undefined;
  /** Enforce these rate limits (see DISCORD_LIKE_RULES); undefined = unlimited, no headers. */
  rateLimits: readonly BucketRule[] | undefined;
  /** Discord: 15 minutes. */
  tokenLifetimeMs: number;
  /** Discord: 3 seconds. */
  responseWindowMs: number;
  heartbeatIntervalMs: number;
  scene: FakeScene;
  /** Upload limit for every channel instead of Discord's by boost tier; undefined = by tier. */
  uploadLimitBytes: number | undefined;
}

const API_PREFIX = '/api/v10';

/** The running fake: its URLs, its world, and the driver tests use to act as people. */
export class FakeDiscord extends FakeDiscordDriver {
  constructor(
    world: FakeDiscordWorld,
    gateway: FakeGateway,
    private readonly server: http.Server,
    /** Pass as the REST `api` option / DISCORD_API_URL. */
    readonly apiUrl: string,
  ) {
    super(world, gateway);
  }

  get token(): string {
    return this.world.options.token;
  }

  get applicationId(): string {
    return this.world.options.applicationId;
  }

  get clock(): FakeClock {
    return this.world.clock;
  }

  async close(): Promise<void> {
    await this.gateway.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

export async function startFakeDiscord(options: Partial<FakeDiscordOptions> = {}): Promise<FakeDiscord> {
  const scene = options.scene ?? defaultScene();
  const clock = new FakeClock();
  let baseUrl = '';
  const world = new FakeDiscordWorld(
    {
      token: scene.token,
      applicationId: scene.applicationId,
      botUser: scene.botUser,
      users: scene.users,
      guilds: scene.guilds,
      channels: scene.channels,
      tokenLifetimeMs: options.tokenLifetimeMs ?? 15 * 60_000,
      responseWindowMs: options.responseWindowMs ?? 3_000,
      uploadLimitBytes: options.uploadLimitBytes,
    },
    clock,
    () => baseUrl,
  );
  const buckets = options.rateLimits === undefined ? undefined : new RateLimitBuckets(options.rateLimits, () => clock.now());
  const gateway = new FakeGateway({
    token: scene.token,
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 41_250,
    ready: () => ({ user: { id: scene.botUser.id, username: scene.botUser.username, discriminator: '0', global_name: null, avatar: null, bot: true, verified: true, mfa_enabled: false, flags: 0 }, applicationId: scene.applicationId, guildIds: scene.guilds.map((guild) => guild.id) }),
    guildCreate: (guildId) => world.guildCreate(guildId),
    resumeUrl: () => `${baseUrl.replace('http', 'ws')}/gateway`,
  });
  const server = http.createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ code: 0, message: String(error) }));
    });
  });

  async function handle(request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', baseUrl);
    const method = request.method ?? 'GET';
    if (method === 'GET' && url.pathname.startsWith('/attachments/')) return serveAttachment(url.pathname, response);
    const body = await readBody(request);
    if (!url.pathname.startsWith(API_PREFIX)) return send(response, { status: 404, json: { code: 0, message: '404: Not Found' } }, {});
    const path = url.pathname.slice(API_PREFIX.length).split('/').map(decodeURIComponent).join('/');
    const authorization = request.headers.authorization;
    const auth = authorization === undefined ? 'none' : authorization === `Bot ${scene.token}` ? 'bot' : 'wrong';
    const label = `${method} ${path}`;
    const problems = checkBody(method, path, body);
    if (problems.length > 0) world.violations.push({ request: label, problems });
    const limit = buckets?.take(method, path, channelOfPath);
    let answer: RouteAnswer;
    if (limit !== undefined && !limit.allowed) {
      world.rateLimitHits.push({ bucket: limit.bucket ?? '', request: label, retryAfterMs: limit.retryAfterMs, at: clock.now() });
      answer = { status: 429, json: { message: 'You are being rate limited.', retry_after: limit.retryAfterMs / 1000, global: false } };
    } else {
      answer = injectedFault(method, path, body) ?? tooLarge(world, channelOfRequest(path), body.files, label) ?? route(method, path, body, auth, url.searchParams);
      // Discord's "Invalid Form Body": the bot sent something Discord would not take.
      const refusal = answer.json as { code?: number; message?: string } | undefined;
      if (answer.status === 400 && refusal?.code === 50035) world.violations.push({ request: label, problems: [refusal.message ?? 'invalid form body'] });
    }
    world.requests.push({
      method,
      path,
      query: url.search,
      auth,
      kind: body.kind,
      body: body.json,
      files: body.files.map((file) => ({ field: file.field, filename: file.filename, size: file.bytes.length })),
      status: answer.status,
      at: clock.now(),
      operationId: options.spec?.match(method, path)?.operationId,
    });
    send(response, answer, limit?.headers ?? {});
  }

  /** The channel a message route is about (webhook routes: the interaction's channel). */
  function channelOfPath(path: string): string | undefined {
    const channel = /^\/channels\/([^/]+)\//.exec(path);
    if (channel !== null) return channel[1];
    const webhook = /^\/webhooks\/[^/]+\/([^/]+)\//.exec(path);
    return webhook === null ? undefined : world.interactionByToken(webhook[1] ?? '')?.channelId;
  }

  /** A fault a test injected for this request (each answers `times` requests). */
  function injectedFault(method: string, path: string, body: ReadBody): RouteAnswer | undefined {
    const fault = world.faults.find((candidate) => candidate.times > 0 && candidate.when({ method, path, files: body.files.length }));
    if (fault === undefined) return undefined;
    fault.times--;
    return { status: fault.status, json: { code: fault.code, message: fault.message } };
  }

  /** The channel a request posts files to (interaction callbacks: the interaction's channel). */
  function channelOfRequest(path: string): string | undefined {
    const callback = /^\/interactions\/([^/]+)\//.exec(path);
    return callback === null ? channelOfPath(path) : world.interactions.get(callback[1] ?? '')?.channelId;
  }

  function checkBody(method: string, path: string, body: ReadBody): string[] {
    const problems = [...body.problems];
    if (options.spec !== undefined && body.kind !== 'none') {
      const forSchema = body.kind === 'multipart' ? withFileFields(body) : body.json;
      problems.push(...options.spec.validate(method, path, body.kind, forSchema));
    }
    return problems;
  }

  function route(method: string, path: string, body: ReadBody, auth: 'bot' | 'none' | 'wrong', query: URLSearchParams): RouteAnswer {
    for (const [routeMethod, pattern, handler] of ROUTES) {
      if (routeMethod !== method) continue;
      const match = pattern.exec(path);
      if (match === null) continue;
      return handler(match.slice(1), { world, body, auth, query, gatewayUrl: `${baseUrl.replace('http', 'ws')}/gateway` });
    }
    world.unhandled.push(`${method} ${path}`);
    return { status: 404, json: { code: 0, message: '404: Not Found' } };
  }

  function serveAttachment(pathname: string, response: http.ServerResponse): void {
    const [, , channelId, attachmentId] = pathname.split('/');
    const attachment = world
      .channelMessages(channelId ?? '')
      .flatMap((message) => message.attachments)
      .find((candidate) => candidate.id === attachmentId);
    if (attachment === undefined) return send(response, { status: 404, json: { code: 0, message: 'Not found' } }, {});
    response.writeHead(200, { 'content-type': attachment.contentType, 'content-length': attachment.bytes.length });
    response.end(attachment.bytes);
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  gateway.attach(server);
  return new FakeDiscord(world, gateway, server, `${baseUrl}/api`);
}

/** The multipart schema adds `files[n]` string properties to the JSON payload. */
function withFileFields(body: ReadBody): unknown {
  if (body.json === null || typeof body.json !== 'object' || Array.isArray(body.json)) return body.json;
  const fields: Record<string, unknown> = { ...(body.json as Record<string, unknown>) };
  for (const file of body.files) fields[file.field] = `<${file.bytes.length} bytes>`;
  return fields;
}

function send(response: http.ServerResponse, answer: RouteAnswer, headers: Record<string, string>): void {
  if (answer.status === 204 || answer.json === undefined) {
    response.writeHead(answer.status, headers);
    response.end();
    return;
  }
  const text = JSON.stringify(answer.json);
  response.writeHead(answer.status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  response.end(text);
}

export type { FakeChannel, FakeGuild, FakeUser };
