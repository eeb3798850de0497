/**
 * Calls the adapters' lifecycle listeners without letting them hurt a job: a listener that
 * throws or rejects is logged with the job id, and the job goes on.
 */
import type { Logger } from 'pino';
import type { GenerationEvents } from './job.types.ts';

type EventName = keyof GenerationEvents;
type EventOf<E extends EventName> = Parameters<NonNullable<GenerationEvents[E]>>[0];

export class SafeEvents {
  constructor(
    private readonly listener: GenerationEvents,
    private readonly logger: Logger,
  ) {}

  emit<E extends EventName>(name: E, event: EventOf<E>): void {
    const fail = (error: unknown) => this.logger.error({ err: error, event: name, jobId: event.generation.id }, 'events.listener_failed');
    // Optional events (`moved`) may have no listener.
    const listen = this.listener[name] as ((event: EventOf<E>) => void | Promise<void>) | undefined;
    if (listen === undefined) return;
    try {
      const result = listen.call(this.listener, event);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }
}
