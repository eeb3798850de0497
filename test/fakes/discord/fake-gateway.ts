/**
 * The fake Gateway: plain-JSON WebSocket frames. HELLO on connect; IDENTIFY (checked token) →
 * READY (guilds unavailable) then GUILD_CREATE for each; heartbeat → ACK; RESUME → RESUMED.
 * Dispatches go to every identified session with increasing sequence numbers.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export interface GatewayOptions {
  token: string;
  heartbeatIntervalMs: number;
  /** READY's user, application and guild list, built when a session identifies. */
  ready: () => { user: Record<string, unknown>; applicationId: string; guildIds: string[] };
  /** GUILD_CREATE payload of a guild. */
  guildCreate: (guildId: string) => Record<string, unknown>;
  resumeUrl: () => string;
}

interface Session {
  socket: WebSocket;
  id: string;
  sequence: number;
  identified: boolean;
  intents: number;
}

export class FakeGateway {
  readonly #server = new WebSocketServer({ noServer: true });
  readonly #sessions = new Set<Session>();
  /** Intents of every IDENTIFY, in order. */
  readonly identifies: number[] = [];
  resumes = 0;
  heartbeats = 0;
  #nextSession = 1;

  constructor(private readonly options: GatewayOptions) {}

  attach(server: Server): void {
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (!(request.url ?? '').startsWith('/gateway')) {
        socket.destroy();
        return;
      }
      this.#server.handleUpgrade(request, socket, head, (ws) => this.#open(ws));
    });
  }

  /** Sessions that identified and are still connected. */
  get readySessions(): number {
    return [...this.#sessions].filter((session) => session.identified).length;
  }

  dispatch(event: string, data: Record<string, unknown>): void {
    for (const session of this.#sessions) if (session.identified) this.#dispatchTo(session, event, data);
  }

  /** Closes every connection (as a Discord outage would). */
  async close(): Promise<void> {
    for (const session of this.#sessions) session.socket.terminate();
    this.#sessions.clear();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #open(socket: WebSocket): void {
    const session: Session = { socket, id: `session-${this.#nextSession++}`, sequence: 0, identified: false, intents: 0 };
    this.#sessions.add(session);
    socket.on('close', () => this.#sessions.delete(session));
    socket.on('message', (raw) => this.#receive(session, raw.toString()));
    this.#send(session, { op: 10, d: { heartbeat_interval: this.options.heartbeatIntervalMs }, s: null, t: null });
  }

  #receive(session: Session, raw: string): void {
    const payload = JSON.parse(raw) as { op: number; d: Record<string, unknown> | number | null };
    switch (payload.op) {
      case 1:
        this.heartbeats++;
        this.#send(session, { op: 11, d: null, s: null, t: null });
        return;
      case 2:
        this.#identify(session, payload.d as Record<string, unknown>);
        return;
      case 6: {
        const data = payload.d as { token?: string; seq?: number };
        if (data.token !== `Bot ${this.options.token}` && data.token !== this.options.token) {
          session.socket.close(4004, 'Authentication failed.');
          return;
        }
        this.resumes++;
        session.identified = true;
        session.sequence = data.seq ?? session.sequence;
        this.#dispatchTo(session, 'RESUMED', {});
        return;
      }
      default:
        // Presence updates, voice state, request guild members: not needed.
        return;
    }
  }

  #identify(session: Session, data: Record<string, unknown>): void {
    const token = String(data['token'] ?? '');
    if (token !== this.options.token && token !== `Bot ${this.options.token}`) {
      session.socket.close(4004, 'Authentication failed.');
      return;
    }
    session.intents = Number(data['intents'] ?? 0);
    this.identifies.push(session.intents);
    session.identified = true;
    const ready = this.options.ready();
    this.#dispatchTo(session, 'READY', {
      v: 10,
      user: ready.user,
      guilds: ready.guildIds.map((id) => ({ id, unavailable: true })),
      session_id: session.id,
      resume_gateway_url: this.options.resumeUrl(),
      shard: [0, 1],
      application: { id: ready.applicationId, flags: 0 },
      private_channels: [],
      relationships: [],
      user_settings: {},
      presences: [],
      guild_join_requests: [],
      geo_ordered_rtc_regions: [],
    });
    for (const id of ready.guildIds) this.#dispatchTo(session, 'GUILD_CREATE', this.options.guildCreate(id));
  }

  #dispatchTo(session: Session, event: string, data: Record<string, unknown>): void {
    session.sequence++;
    this.#send(session, { op: 0, t: event, s: session.sequence, d: data });
  }

  #send(session: Session, payload: unknown): void {
    if (session.socket.readyState === session.socket.OPEN) session.socket.send(JSON.stringify(payload));
  }
}
