/**
 * The health and metrics HTTP server (`metrics.port`): `/healthz` answers 200 while the process
 * lives, `/readyz` 200 when every readiness check passes and 503 with a JSON body naming what is
 * not ready, `/metrics` the Prometheus text. Plain node:http, independent of the chat
 * platforms' receivers, so Discord-only and Socket Mode deployments have it too.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { DarkroomMetrics } from './darkroom-metrics.ts';
import { assessChecks, type ReadinessCheck } from './readiness-checks.ts';

/** A readiness check that takes longer than this counts as not ready. */
export const READINESS_TIMEOUT_MS = 2_000;

export interface HealthServerOptions {
  metrics: DarkroomMetrics;
  checks: readonly ReadinessCheck[];
  logger: Logger;
  /** Per-check bound of `/readyz`. */
  readinessTimeoutMs: number;
}

export class HealthServer {
  #server: Server | undefined;

  constructor(private readonly options: HealthServerOptions) {}

  /** Listens on `host:port` (0 = any free port); resolves with the port it listens on. */
  async listen(port: number, host: string): Promise<number> {
    const server = createServer((request, response) => {
      this.#answer(request, response).catch((error: unknown) => {
        this.options.logger.error({ err: error }, 'health.request_failed');
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
        response.end('internal error\n');
      });
    });
    // A probe must never keep a stopping process alive.
    server.keepAliveTimeout = 1_000;
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(new Error(`cannot listen on ${host}:${port} for health and metrics (metrics.port): ${error.code ?? error.message}`, { cause: error })),
      );
      server.listen(port, host, () => {
        server.removeAllListeners('error');
        resolve();
      });
    });
    this.#server = server;
    const bound = (server.address() as AddressInfo).port;
    this.options.logger.info({ host, port: bound }, 'health.listening');
    return bound;
  }

  /** Stops listening and closes open connections. */
  async close(): Promise<void> {
    const server = this.#server;
    this.#server = undefined;
    if (server === undefined) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  async #answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    switch (path) {
      case '/healthz':
        response.writeHead(200, { 'content-type': 'application/json' }).end('{"alive":true}\n');
        return;
      case '/readyz': {
        const report = await assessChecks(this.options.checks, this.options.readinessTimeoutMs);
        response.writeHead(report.ready ? 200 : 503, { 'content-type': 'application/json' }).end(`${JSON.stringify(report)}\n`);
        return;
      }
      case '/metrics': {
        const { contentType, body } = await this.options.metrics.render();
        response.writeHead(200, { 'content-type': contentType }).end(body);
        return;
      }
      default:
        response.writeHead(404, { 'content-type': 'text/plain' }).end('not found: try /healthz, /readyz or /metrics\n');
    }
  }
}
