/**
 * Feeds the job metrics from the generation service's lifecycle events (added to its
 * EventFanout like a chat adapter): jobs by outcome and kind, queue wait, job refusal codes.
 */
import type { GenerationEvents, JobEvent } from '../generation/jobs/job.types.ts';
import type { DarkroomMetrics } from './darkroom-metrics.ts';

export class JobMetricsListener implements GenerationEvents {
  /** Epoch ms each waiting job was queued in this process (recovered jobs included). */
  readonly #queuedAt = new Map<string, number>();

  constructor(
    private readonly metrics: DarkroomMetrics,
    private readonly now: () => number,
  ) {}

  queued: GenerationEvents['queued'] = (event) => {
    this.#queuedAt.set(event.generation.id, this.now());
    this.metrics.job('queued', event.generation.kind);
  };

  started: GenerationEvents['started'] = (event) => {
    const id = event.generation.id;
    const queuedAt = this.#queuedAt.get(id) ?? event.generation.queuedAt.getTime();
    this.#queuedAt.delete(id);
    this.metrics.queueWait(this.now() - queuedAt);
    this.metrics.job('started', event.generation.kind);
  };

  progress: GenerationEvents['progress'] = () => undefined;

  finished: GenerationEvents['finished'] = (event) => this.#ended(event, 'succeeded');

  failed: GenerationEvents['failed'] = (event) => {
    this.#ended(event, 'failed');
    this.metrics.refusal(event.code, 'job');
  };

  cancelled: GenerationEvents['cancelled'] = (event) => this.#ended(event, 'cancelled');

  #ended(event: JobEvent, outcome: 'succeeded' | 'failed' | 'cancelled'): void {
    this.#queuedAt.delete(event.generation.id);
    this.metrics.job(outcome, event.generation.kind);
  }
}
