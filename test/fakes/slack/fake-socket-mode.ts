/**
 * Slack's Socket Mode side on loopback: `apps.connections.open` hands out a one-time
 * ws://127.0.0.1 URL; a connection gets `hello`, then envelopes
 * `{envelope_id, type, payload, accepts_response_payload, retry_attempt, retry_reason}` that
 * the app acknowledges with `{envelope_id[, payload]}`. `refresh()` sends the `disconnect`
 * (reason `refresh_requested`) Slack sends before it recycles a connection.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface EnvelopeAck {
  envelopeId: string;
  /** Milliseconds from sending the envelope to the ack. */
  ackMs: number;
  payload: unknown;
}

interface PendingAck {
  sentAt: number;
  resolve: (ack: EnvelopeAck) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

export class FakeSocketMode {
  readonly #server = new WebSocketServer({ noServer: true });
  readonly #tickets = new Set<string>();
  readonly #pending = new Map<string, PendingAck>();
  readonly #helloWaiters: Array<() => void> = [];
  #current: WebSocket | undefined;
  /** Connections opened so far (a reconnect adds one). */
  connections = 0;
  /** Every envelope id the app acknowledged, in order (duplicates included). */
  readonly acked: string[] = [];

  constructor(private readonly appId: string) {}

  /** A new one-time URL, for `apps.connections.open`. */
  issueUrl(port: number): string {
    const ticket = randomUUID();
    this.#tickets.add(ticket);
    return `ws://127.0.0.1:${port}/socket-mode?ticket=${ticket}`;
  }

  /** HTTP upgrade on `/socket-mode`; false when the request is not ours. */
  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    if (url.pathname !== '/socket-mode') return false;
    const ticket = url.searchParams.get('ticket') ?? '';
    if (!this.#tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return true;
    }
    this.#server.handleUpgrade(request, socket, head, (ws) => this.#accept(ws));
    return true;
  }

  #accept(ws: WebSocket): void {
    this.connections += 1;
    this.#current = ws;
    ws.on('message', (data) => this.#onMessage(String(data)));
    ws.on('close', () => {
      if (this.#current === ws) this.#current = undefined;
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake-slack' }, connection_info: { app_id: this.appId } }));
    for (const waiter of this.#helloWaiters.splice(0)) waiter();
  }

  #onMessage(text: string): void {
    const message = JSON.parse(text) as { envelope_id?: string; payload?: unknown };
    if (message.envelope_id === undefined) return;
    this.acked.push(message.envelope_id);
    const pending = this.#pending.get(message.envelope_id);
    if (pending === undefined) return;
    this.#pending.delete(message.envelope_id);
    clearTimeout(pending.timer);
    pending.resolve({ envelopeId: message.envelope_id, ackMs: performance.now() - pending.sentAt, payload: message.payload });
  }

  /** Resolves once a connection is open and greeted (at once when one is). */
  connected(): Promise<void> {
    if (this.#current !== undefined) return Promise.resolve();
    return new Promise((resolve) => this.#helloWaiters.push(resolve));
  }

  /**
   * Sends an envelope on the open connection and resolves with its ack; rejects when none
   * comes within `timeoutMs` (Slack would retry an events_api envelope then).
   */
  send(
    type: EnvelopeType,
    payload: unknown,
    options: { envelopeId?: string; retryAttempt?: number; retryReason?: string; timeoutMs?: number } = {},
  ): Promise<EnvelopeAck> {
    const ws = this.#current;
    if (ws === undefined) return Promise.reject(new Error('no Socket Mode connection'));
    const envelopeId = options.envelopeId ?? randomUUID();
    const envelope = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      ...(type === 'events_api' ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryReason ?? '' } : {}),
    };
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(envelopeId);
        reject(new Error(`no ack for envelope ${envelopeId} (${type})`));
      }, options.timeoutMs ?? 5_000);
      this.#pending.set(envelopeId, { sentAt: performance.now(), resolve, reject, timer });
      ws.send(JSON.stringify(envelope));
    });
  }

  /** Asks the app to reconnect (Slack's `refresh_requested`); resolves when the new connection says hello. */
  async refresh(): Promise<void> {
    const ws = this.#current;
    if (ws === undefined) throw new Error('no Socket Mode connection');
    const before = this.connections;
    const reconnected = new Promise<void>((resolve) => {
      const check = () => (this.connections > before ? resolve() : this.#helloWaiters.push(check));
      this.#helloWaiters.push(check);
    });
    ws.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'fake-slack' } }));
    await reconnected;
  }

  close(): void {
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(new Error('fake Slack closed'));
    }
    this.#pending.clear();
    for (const client of this.#server.clients) client.terminate();
    this.#server.close();
  }
}
