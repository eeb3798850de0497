/**
 * Keeps waiting jobs' messages true while they wait: when the queue moves (a job ahead started,
 * finished or was cancelled, a new person's job was placed ahead in the rotation) or the step
 * time estimate changes, each waiting job whose position changed, or whose ETA moved by a
 * noticeable amount, gets a `moved` event. Work is coalesced: changes that arrive while positions
 * are being read lead to one more read, not one per change, so a busy queue costs one pass per
 * burst. Adapters edit within their own edit budgets; a newer move replaces an unsent older one.
 */
import type { Logger } from 'pino';
import type { Generation } from '../../db/domain.types.ts';
import type { GenerationQueue, QueuePosition } from '../queue/generation-queue.ts';
import type { JobRegistry } from './job-registry.ts';
import type { SafeEvents } from './safe-events.ts';
import type { JobOwner } from '../requests/request.types.ts';

/** An ETA change smaller than this is not worth an edit… */
const ETA_MIN_CHANGE_MS = 5_000;
/** …nor one smaller than this share of the ETA last shown. */
const ETA_MIN_CHANGE_SHARE = 0.25;

export interface PositionAnnouncerOptions {
  queue: Pick<GenerationQueue, 'waiting' | 'onChange'>;
  registry: Pick<JobRegistry, 'get'>;
  events: SafeEvents;
  logger: Logger;
}

interface Tracked {
  generation: Generation;
  owner: JobOwner;
  /** What the job's message says now. */
  shown: QueuePosition;
}

/** Says whether a move is worth telling the person, and why. */
export function moveReason(shown: QueuePosition, now: QueuePosition): 'position' | 'estimate' | undefined {
  if (now.position !== shown.position || now.noWorkerFor !== shown.noWorkerFor) return 'position';
  const change = Math.abs(now.etaMs - shown.etaMs);
  if (change >= ETA_MIN_CHANGE_MS && change >= ETA_MIN_CHANGE_SHARE * shown.etaMs) return 'estimate';
  return undefined;
}

export class PositionAnnouncer {
  readonly #tracked = new Map<string, Tracked>();
  #reading = false;
  #again = false;

  constructor(private readonly options: PositionAnnouncerOptions) {
    options.queue.onChange(() => this.#schedule());
  }

  /** A job was queued and its message shows `shown` (the accepted answer, or a recovered job's notice). */
  track(generation: Generation, owner: JobOwner, shown: QueuePosition): void {
    if (shown.position > 0) this.#tracked.set(generation.id, { generation, owner, shown });
  }

  #schedule(): void {
    if (this.#tracked.size === 0) return;
    if (this.#reading) {
      this.#again = true;
      return;
    }
    this.#reading = true;
    void this.#passes();
  }

  async #passes(): Promise<void> {
    try {
      do {
        this.#again = false;
        await this.#pass();
      } while (this.#again);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'queue.positions_failed');
    } finally {
      this.#reading = false;
    }
  }

  async #pass(): Promise<void> {
    // Jobs tracked while the queue is read are not in this reading; they stay for the next pass.
    const known = [...this.#tracked.keys()];
    const waiting = await this.options.queue.waiting();
    const still = new Set<string>();
    for (const { jobId, position } of waiting) {
      const tracked = this.#tracked.get(jobId);
      if (tracked === undefined) continue;
      still.add(jobId);
      // Checked right before emitting: a job that started meanwhile shows its progress instead.
      if (this.options.registry.get(jobId)?.started === true) continue;
      const reason = moveReason(tracked.shown, position);
      if (reason === undefined) continue;
      tracked.shown = position;
      this.options.events.emit('moved', { generation: tracked.generation, owner: tracked.owner, position, reason });
    }
    // Started, cancelled or gone: nothing more to say about their place in the queue.
    for (const jobId of known) if (!still.has(jobId)) this.#tracked.delete(jobId);
  }
}
