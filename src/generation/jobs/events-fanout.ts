/**
 * One GenerationEvents for the service, many listeners behind it (the Discord and the Slack
 * adapter each ignore jobs of the other platform). Listeners can be added after the service is
 * built, which breaks the circle "the service needs the listener, the adapter needs the service".
 */
import type { GenerationEvents } from './job.types.ts';

export class EventFanout implements GenerationEvents {
  readonly #listeners: GenerationEvents[] = [];

  add(listener: GenerationEvents): void {
    this.#listeners.push(listener);
  }

  remove(listener: GenerationEvents): void {
    const index = this.#listeners.indexOf(listener);
    if (index >= 0) this.#listeners.splice(index, 1);
  }

  queued: GenerationEvents['queued'] = (event) => this.#each((listener) => listener.queued(event));
  moved: NonNullable<GenerationEvents['moved']> = (event) => this.#each((listener) => listener.moved?.(event));
  started: GenerationEvents['started'] = (event) => this.#each((listener) => listener.started(event));
  progress: GenerationEvents['progress'] = (event) => this.#each((listener) => listener.progress(event));
  finished: GenerationEvents['finished'] = (event) => this.#each((listener) => listener.finished(event));
  failed: GenerationEvents['failed'] = (event) => this.#each((listener) => listener.failed(event));
  cancelled: GenerationEvents['cancelled'] = (event) => this.#each((listener) => listener.cancelled(event));

  /** Calls every listener even if one throws; rejects (for SafeEvents to log) if any failed. */
  async #each(call: (listener: GenerationEvents) => void | Promise<void>): Promise<void> {
    const results = await Promise.allSettled(this.#listeners.map(async (listener) => call(listener)));
    const failure = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (failure !== undefined) throw failure.reason;
  }
}
