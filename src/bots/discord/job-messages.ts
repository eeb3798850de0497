/**
 * The service's lifecycle events as edits of each job's Discord message, kept in the
 * platform-free job-message book (ordering, superseding, waiting for the message's place; see
 * ../job-message-book.ts). A job's message is found from its row (interaction token, or message
 * id) or from the handler that just answered; sends to one channel take turns in its edit lane
 * (see EditPacer). Also the book of `/show` copies, so cancel and delete reach them. Jobs of other
 * platforms are ignored.
 */
import type { Logger } from 'pino';
import { cancelledReply, failedReply, finishedReply, progressReply, queuedReply, startedReply, type Reply } from '../../commands/index.ts';
import type { GenerationEvents, JobEvent } from '../../generation/jobs/job.types.ts';
import { JobMessageBook, type KnownFrom } from '../job-message-book.ts';
import type { EditPacer } from './edit-pacer.ts';
import type { DiscordJob, DiscordJobMessage, DiscordJobSender, DiscordJobTarget } from './job-message.sender.ts';

/** A Discord message by channel and id. */
export interface MessageRef {
  channelId: string;
  messageId: string;
}

export interface JobMessagesOptions {
  sender: Pick<DiscordJobSender, 'show'>;
  pacer: EditPacer;
  logger: Logger;
  /** Tests shorten the book's wait for a message's place. */
  waitMs?: number | undefined;
}

export class JobMessages implements GenerationEvents {
  readonly #book: JobMessageBook<DiscordJobMessage, DiscordJob, MessageRef>;

  constructor(options: JobMessagesOptions) {
    this.#book = new JobMessageBook({
      sender: {
        show: (job, reply, message) => options.sender.show(job, reply, message),
        // A lost progress edit is replaced by the next one; a lost final state is logged for the operator.
        failed: (job, reply, error) => options.logger.warn({ err: error, jobId: job.generationId, state: reply.job?.state }, 'discord.job_message_failed'),
        // Discord limits edits per channel, whichever token or route makes them.
        turn: (job, send) => options.pacer.run(`channel:${job.channelId}`, send),
      },
      sameCopy: (a, b) => a.messageId === b.messageId,
      waitMs: options.waitMs,
    });
  }

  /** The handler accepted a job answering this interaction or reaction: its reply is (or starts) the job's message. */
  accepted(generationId: string, channelId: string, ownerId: string, target: DiscordJobTarget, reply: Reply): void {
    this.#book.push(generationId, { generationId, channelId, ownerId }, reply, { stored: undefined, posterComing: true });
    this.#book.bind(generationId, { target });
  }

  /** Where a job's own message is, when this process knows it (cancel and delete reach it by id). */
  messageOf(generationId: string): MessageRef | undefined {
    const target = this.#book.location(generationId)?.target;
    const channelId = this.#book.context(generationId)?.channelId;
    return target?.messageId === undefined || channelId === undefined ? undefined : { channelId, messageId: target.messageId };
  }

  /** `/show` posted a copy of a job. */
  rememberCopy(generationId: string, copy: MessageRef): void {
    this.#book.addCopy(generationId, copy);
  }

  /** The `/show` copies of a job this process knows. */
  copiesOf(generationId: string): MessageRef[] {
    return this.#book.copies(generationId);
  }

  /** The job's message was deleted (❌): no more edits, copies forgotten. */
  forget(generationId: string): void {
    this.#book.forget(generationId);
  }

  /** Waits until every message being sent has been sent (shutdown). */
  async flush(): Promise<void> {
    await this.#book.idle();
  }

  readonly queued: GenerationEvents['queued'] = (event) => {
    // A new job's first message is the handler's answer, which already says "queued".
    if (event.recovered) this.#push(event, queuedReply(event.generation, event.owner, event.position, true), false);
  };

  readonly moved: NonNullable<GenerationEvents['moved']> = (event) => {
    this.#push(event, queuedReply(event.generation, event.owner, event.position, false), true);
  };

  readonly started: GenerationEvents['started'] = (event) => {
    this.#push(event, startedReply(event.generation, event.owner), true);
  };

  readonly progress: GenerationEvents['progress'] = (event) => {
    this.#push(event, progressReply(event.generation, event.owner, event.step, event.totalSteps, event.etaMs, event.preview), true);
  };

  readonly finished: GenerationEvents['finished'] = (event) => {
    this.#push(event, finishedReply(event.generation, event.owner, event, event.warnings), true);
  };

  readonly failed: GenerationEvents['failed'] = (event) => {
    this.#push(event, failedReply(event.generation, event.owner, event.message), true);
  };

  readonly cancelled: GenerationEvents['cancelled'] = (event) => {
    this.#push(event, cancelledReply(event.generation, event.owner, event.by), true);
  };

  /** `posterComing` = false for a job recovered after a restart (no handler is answering it). */
  #push(event: JobEvent, reply: Reply, posterComing: boolean): void {
    const { generation, owner } = event;
    if (owner.platform !== 'discord') return;
    const job = { generationId: generation.id, channelId: generation.channelId, ownerId: owner.externalId };
    this.#book.push(generation.id, job, reply, { stored: this.#stored(event), posterComing } satisfies KnownFrom<DiscordJobMessage>);
  }

  /** The message the job's row names: its interaction's response, or a channel message. */
  #stored({ generation }: JobEvent): DiscordJobMessage | undefined {
    const { interactionToken, messageId } = generation.chat;
    // The token was issued when the job was queued (its own interaction), so its age is known.
    if (interactionToken !== undefined) return { target: { kind: 'interaction', token: interactionToken, issuedAt: generation.queuedAt.getTime(), messageId } };
    if (messageId !== undefined) return { target: { kind: 'channel', messageId, replyTo: undefined, mention: false } };
    return undefined;
  }
}
