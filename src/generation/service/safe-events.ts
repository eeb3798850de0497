/**
 * Calls the adapters' lifecycle listeners without letting them hurt a job: a listener that
 * throws or rejects is logged with the job id, and the job goes on.
 */
import type { Logger } from 'pino';
import type { GenerationEvents } from './service.types.ts';

type EventName = keyof GenerationEvents;

export class SafeEvents {
  constructor(
    private readonly listener: GenerationEvents,
    private readonly logger: Logger,
  ) {}

  emit<E extends EventName>(name: E, event: Parameters<GenerationEvents[E]>[0]): void {
    const fail = (error: unknown) => this.logger.error({ err: error, event: name, jobId: event.generation.id }, 'events.listener_failed');
    try {
      const result = (this.listener[name] as (event: Parameters<GenerationEvents[E]>[0]) => void | Promise<void>).call(this.listener, event);
      if (result instanceof Promise) result.catch(fail);
    } catch (error) {
      fail(error);
    }
  }
}
