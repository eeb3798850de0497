/**
 * The contract of a front door (Discord, Slack; the web studio next), in the spirit of bolt-js's
 * `Receiver`: the composition root builds a list of adapters and starts, stops and disconnects
 * them all the same way. An adapter turns its platform's requests into commands for the
 * platform-free handlers, renders their replies, and keeps each job's message up to date from
 * the service's lifecycle events (`events`, through the job-message book). It knows nothing of
 * the engine, the queue or the database.
 *
 * Shutdown order (src/main.ts): every adapter `stopTakingWork` → the generation service finishes
 * or aborts its running job (its result still reaches its message) → every adapter `disconnect`.
 */
import type { CommandHandlers } from '../commands/index.ts';
import type { GenerationEvents, GenerationService } from '../generation/jobs/index.ts';
import type { ChatLocation, RequestFrom } from '../generation/requests/index.ts';
import type { ChatPlatformName, ChatStartFailure } from '../lifecycle/chat-connect.ts';
import type { Logger } from '../logging/logger.ts';

export interface ChatAdapter {
  /** Short lowercase name: the logger component, the readiness check, the stop slot. */
  readonly name: string;
  /** The service's lifecycle events for this adapter's jobs (others are ignored). */
  readonly events: GenerationEvents;
  /** How start-up connects to a remote platform, retrying network failures; undefined = {@link start} once. */
  readonly connection: ChatConnection | undefined;
  /** undefined while it serves; else what is wrong, in a few words (the readiness check). */
  readiness(): string | undefined;
  /** Connects or listens. May be called again after it rejected (start-up retries network failures). */
  start(): Promise<void>;
  /**
   * Takes no new requests and lets those being handled finish (until `deadline` aborts), but
   * can still post: jobs that finish while the service stops reach their messages.
   */
  stopTakingWork(deadline: AbortSignal): Promise<void>;
  /** Lets the job messages being sent finish (until `deadline` aborts), then disconnects. */
  disconnect(deadline: AbortSignal): Promise<void>;
}

/** A remote chat platform as start-up connects to it (see lifecycle/chat-connect.ts). */
export interface ChatConnection {
  readonly platform: ChatPlatformName;
  /** Where the platform's API is, for the message. */
  readonly apiUrl: string;
  /** The sentence for a refused token. */
  readonly refusedMessage: (error: unknown) => string;
  /** The adapter's reading of a failed start. */
  readonly classify: (error: unknown) => ChatStartFailure | undefined;
}

/** What the core offers an adapter for its jobs' messages. */
export interface ChatJobs {
  /** Records where a job's message lives, so updates find it after a restart (GenerationService.attachMessage). */
  attachMessage(generationId: string, chat: ChatLocation): Promise<boolean>;
  /** Takes back a job nobody will see (its message could not be posted), as its requester. */
  withdraw(generationId: string, from: RequestFrom): Promise<void>;
}

/** The options every adapter takes, besides its platform's own. */
export interface ChatAdapterOptions {
  commands: CommandHandlers;
  jobs: ChatJobs;
  logger: Logger;
  /** Epoch milliseconds. */
  now: () => number;
}

/** A generation service as {@link ChatJobs} (the composition root and the test harnesses wire adapters with it). */
export function chatJobsOf(service: Pick<GenerationService, 'attachMessage' | 'cancel'>): ChatJobs {
  return {
    attachMessage: (generationId, chat) => service.attachMessage(generationId, chat),
    withdraw: async (generationId, from) => void (await service.cancel(generationId, from.requester, from.place)),
  };
}
