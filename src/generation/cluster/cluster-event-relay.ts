/**
 * The bot side of cluster events: takes the job events workers publish (see ClusterEvents) and
 * gives them to this process's adapters, rebuilt from PostgreSQL (the row, its owner) and the
 * image store (the result). One bot process speaks for a job: the one that took the request, or
 * the first live one of its platform to hear about it when that one is gone (a Redis key per job
 * names it; a bot process announces itself like a worker). A result is posted once: the bot
 * claims `result:<id>` in `chat_event_claims` first. Results that finished while no bot of their
 * platform was up (or whose message Redis lost) are found from their rows and posted late.
 */
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ClusterQueueRepository } from '../../db/cluster-queue.repository.ts';
import type { GenerationWithImages, Platform } from '../../db/domain.types.ts';
import type { Repositories } from '../../db/repositories.ts';
import type { ImageStore } from '../../storage/image.store.ts';
import type { GenerationEvents } from '../jobs/job.types.ts';
import type { JobOwner } from '../requests/request.types.ts';
import type { RefusalCode } from '../requests/refusal.ts';
import { deliveryFromStore, type NsfwMode } from '../jobs/nsfw-delivery.ts';
import type { ClusterKeys } from './redis-connection.ts';
import { openRedis } from './redis-connection.ts';
import type { WireEvent } from './cluster-events.ts';

/** Claim key prefix in chat_event_claims of a posted result. */
export const RESULT_CLAIM_PREFIX = 'result:';
/** A bot process speaks for a job this long at most (a job never runs that long). */
const SPEAKER_MS = 24 * 3_600_000;
const BOT_TTL_MS = 10_000;
const BOT_HEARTBEAT_MS = 3_000;
/** Late results are looked for this often, among jobs finished in the last day… */
const CATCH_UP_EVERY_MS = 15_000;
/** …that finished at least this long ago (younger ones are the live path's). */
const CATCH_UP_AFTER_MS = 10_000;

/** 1 when ARGV[1] speaks for the job (already, or now because its speaker is gone). */
const TAKE_SPEAKER = `
local speaker = redis.call('GET', KEYS[1])
if speaker == ARGV[1] then return 1 end
if speaker and redis.call('EXISTS', ARGV[2] .. speaker) == 1 then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return 1`;

export interface ClusterEventRelayOptions {
  redisUrl: string;
  keys: ClusterKeys;
  /** The adapters of this process (the service's event fan-out). */
  events: GenerationEvents;
  repositories: Pick<Repositories, 'generations' | 'users' | 'chatEvents'>;
  repository: ClusterQueueRepository;
  store: Pick<ImageStore, 'get'>;
  /** Platforms this process serves. */
  platforms: readonly Platform[];
  nsfw: NsfwMode;
  now: () => number;
  logger: Logger;
}

export class ClusterEventRelay {
  readonly botId = `bot-${randomBytes(6).toString('hex')}`;
  readonly #redis: Redis;
  readonly #subscriber: Redis;
  #timers: NodeJS.Timeout[] = [];

  constructor(private readonly options: ClusterEventRelayOptions) {
    this.#redis = openRedis(options.redisUrl, 'darkroom-relay');
    this.#subscriber = openRedis(options.redisUrl, 'darkroom-relay-events');
    for (const connection of [this.#redis, this.#subscriber]) {
      connection.on('error', (error) => options.logger.warn({ err: error.message }, 'redis.connection_error'));
    }
  }

  /** A listener for the local fan-out: the jobs this process queues are its to speak for. */
  readonly ownership: GenerationEvents = {
    queued: (event) => void this.#speaksFor(event.generation.id).catch(() => undefined),
    started: () => undefined,
    progress: () => undefined,
    finished: () => undefined,
    failed: () => undefined,
    cancelled: () => undefined,
  };

  async start(): Promise<void> {
    await this.#heartbeat();
    await this.#subscriber.subscribe(this.options.keys.events);
    this.#subscriber.on('message', (_channel: string, message: string) => void this.#receive(message));
    this.#timers.push(setInterval(() => void this.#heartbeat(), BOT_HEARTBEAT_MS));
    for (const timer of this.#timers) timer.unref();
  }

  /**
   * Starts posting late results (now and every 15 s). Call once the adapters are connected: a
   * result is claimed before it is posted, so posting it into a disconnected adapter would lose it.
   */
  startCatchUp(): void {
    const timer = setInterval(() => void this.catchUp(), CATCH_UP_EVERY_MS);
    timer.unref();
    this.#timers.push(timer);
    void this.catchUp();
  }

  async stop(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    await this.#redis.del(this.#botKey(this.botId)).catch(() => undefined);
    this.#subscriber.disconnect();
    await this.#redis.quit().catch(() => undefined);
  }

  /** Posts results that finished with no bot of their platform listening. Returns how many. */
  async catchUp(): Promise<number> {
    let posted = 0;
    try {
      const since = new Date(this.options.now() - SPEAKER_MS);
      for (const platform of this.options.platforms) {
        for (const row of await this.options.repository.unpostedResults(platform, since, RESULT_CLAIM_PREFIX, 20)) {
          const generation = await this.options.repositories.generations.get(row.id);
          if (generation?.finishedAt === undefined || this.options.now() - generation.finishedAt.getTime() < CATCH_UP_AFTER_MS) continue;
          if (await this.#deliverResult(generation, [], undefined)) posted++;
        }
      }
    } catch (error) {
      this.options.logger.warn({ err: error }, 'relay.catch_up_failed');
    }
    return posted;
  }

  async #receive(message: string): Promise<void> {
    let event: WireEvent;
    try {
      event = JSON.parse(message) as WireEvent;
    } catch {
      this.options.logger.warn({ message: message.slice(0, 200) }, 'relay.bad_message');
      return;
    }
    try {
      const generation = await this.options.repositories.generations.get(event.id);
      if (generation === undefined) return;
      const owner = await this.#owner(generation.userId);
      if (!this.options.platforms.includes(owner.platform) || !(await this.#speaksFor(event.id))) return;
      const { events } = this.options;
      switch (event.name) {
        case 'queued':
          await events.queued({ generation, owner, position: event.position, recovered: event.recovered });
          return;
        case 'started':
          await events.started({ generation, owner });
          return;
        case 'progress': {
          const preview = event.preview === undefined ? undefined : Buffer.from(event.preview, 'base64');
          await events.progress({ generation, owner, step: event.step, totalSteps: event.totalSteps, etaMs: event.etaMs, preview });
          return;
        }
        case 'finished':
        case 'failed':
          await this.#deliverResult(generation, event.name === 'finished' ? event.warnings : [], event.name === 'failed' ? event : undefined);
          return;
      }
    } catch (error) {
      this.options.logger.error({ err: error, jobId: event.id, event: event.name }, 'relay.event_failed');
    }
  }

  /** Posts a finished or failed job once for the whole cluster. */
  async #deliverResult(generation: GenerationWithImages, warnings: string[], failure: { code: RefusalCode; message: string } | undefined): Promise<boolean> {
    if (!(await this.options.repositories.chatEvents.claim(`${RESULT_CLAIM_PREFIX}${generation.id}`, this.botId))) return false;
    const owner = await this.#owner(generation.userId);
    if (generation.status === 'failed' || failure !== undefined) {
      const code = failure?.code ?? (generation.errorCode as RefusalCode);
      await this.options.events.failed({ generation, owner, code, message: failure?.message ?? generation.errorMessage ?? '' });
      return true;
    }
    // NSFW channels are not known outside the process that took the request: flagged images are blurred.
    const delivery = await deliveryFromStore(generation, this.options.store, false, this.options.nsfw);
    await this.options.events.finished({ generation, owner, ...delivery, warnings });
    return true;
  }

  async #speaksFor(jobId: string): Promise<boolean> {
    const { keys } = this.options;
    const taken = await this.#redis.eval(TAKE_SPEAKER, 1, `${keys.prefix}:speaker:${jobId}`, this.botId, `${keys.prefix}:bot:`, String(SPEAKER_MS));
    return taken === 1;
  }

  async #heartbeat(): Promise<void> {
    await this.#redis.set(this.#botKey(this.botId), '1', 'PX', BOT_TTL_MS).catch((error: unknown) => this.options.logger.warn({ err: error }, 'relay.heartbeat_failed'));
  }

  #botKey(botId: string): string {
    return `${this.options.keys.prefix}:bot:${botId}`;
  }

  async #owner(userId: string): Promise<JobOwner> {
    const user = await this.options.repositories.users.get(userId);
    if (user === undefined) throw new Error(`job owner ${userId} not found`);
    return { userId: user.id, platform: user.platform, externalId: user.externalId, displayName: user.displayName };
  }
}
