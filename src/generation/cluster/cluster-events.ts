/**
 * Job lifecycle events in a cluster. Events about a request (queued, moved, cancelled) happen
 * in the bot process that took it and go straight to its adapters; events about running a job
 * (started, progress, finished, failed) happen wherever the job runs and travel through Redis
 * pub/sub as small messages naming the job (a preview's few kilobytes at most). Bot processes
 * turn them back into events with the row from PostgreSQL and the images from the store
 * ({@link ClusterEventRelay}). Redis is only transport: a result whose message was lost is found
 * again from its row.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { GenerationEvents } from '../jobs/job.types.ts';
import type { QueuePosition } from '../queue/generation-queue.ts';
import type { RefusalCode } from '../requests/refusal.ts';

/** One event on the wire. */
export type WireEvent =
  | { name: 'queued'; id: string; position: QueuePosition; recovered: boolean }
  | { name: 'started'; id: string }
  | { name: 'progress'; id: string; step: number; totalSteps: number; etaMs: number; preview: string | undefined }
  | { name: 'finished'; id: string; warnings: string[] }
  | { name: 'failed'; id: string; code: RefusalCode; message: string };

/**
 * The GenerationEvents of a service in cluster mode: request events to `local` (the adapters of
 * a bot process; undefined in a worker), job events published for every bot process.
 */
export class ClusterEvents implements GenerationEvents {
  constructor(
    private readonly redis: Redis,
    private readonly channel: string,
    private readonly local: GenerationEvents | undefined,
    private readonly logger: Logger,
  ) {}

  queued: GenerationEvents['queued'] = (event) => {
    // A job a worker took back from a dead worker: the bot processes re-announce it.
    if (this.local === undefined) return this.#publish({ name: 'queued', id: event.generation.id, position: event.position, recovered: event.recovered });
    return this.local.queued(event);
  };
  moved: NonNullable<GenerationEvents['moved']> = (event) => this.local?.moved?.(event);
  cancelled: GenerationEvents['cancelled'] = (event) => this.local?.cancelled(event);
  started: GenerationEvents['started'] = (event) => this.#publish({ name: 'started', id: event.generation.id });
  progress: GenerationEvents['progress'] = (event) =>
    this.#publish({
      name: 'progress',
      id: event.generation.id,
      step: event.step,
      totalSteps: event.totalSteps,
      etaMs: event.etaMs,
      preview: event.preview?.toString('base64'),
    });
  finished: GenerationEvents['finished'] = (event) => this.#publish({ name: 'finished', id: event.generation.id, warnings: event.warnings });
  failed: GenerationEvents['failed'] = (event) => this.#publish({ name: 'failed', id: event.generation.id, code: event.code, message: event.message });

  async #publish(event: WireEvent): Promise<void> {
    try {
      await this.redis.publish(this.channel, JSON.stringify(event));
    } catch (error) {
      // Finished and failed jobs are posted later from their rows (the relay's catch-up).
      this.logger.warn({ err: error, jobId: event.id, event: event.name }, 'cluster.publish_failed');
    }
  }
}
