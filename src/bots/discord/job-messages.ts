/**
 * The service's lifecycle events as edits of each job's Discord message. A job's message is
 * found from its row (interaction token, or message id) or from the adapter that just posted
 * it; events for a job whose message is still being posted wait for it (a few seconds at most,
 * then the job gets a new channel message). Jobs of other platforms are ignored.
 */
import type { Logger } from 'pino';
import { cancelledReply, failedReply, finishedReply, progressReply, queuedReply, startedReply, type Reply } from '../../commands/index.ts';
import type { GenerationEvents, JobEvent } from '../../generation/jobs/job.types.ts';
import type { EditPacer } from './edit-pacer.ts';
import { JobMessage, RANK, type JobMessageSender, type JobTarget } from './job-message.ts';

/** How long an event waits for the adapter to post the message it should edit. */
const UNBOUND_WAIT_MS = 5_000;

export interface JobMessagesOptions {
  sender: JobMessageSender;
  pacer: EditPacer;
  logger: Logger;
}

/**
 * Finished jobs remembered, so a late event (a progress event can arrive after `finished`) or a
 * slow handler's "accepted" answer cannot turn a result back into an older state.
 */
const FINISHED_REMEMBERED = 5_000;

export class JobMessages implements GenerationEvents {
  readonly #jobs = new Map<string, JobMessage>();
  readonly #finished = new Map<string, JobMessage>();
  /** Orders moves of waiting jobs: a later move replaces an earlier one, and the handler's first answer. */
  #moves = 0;

  constructor(private readonly options: JobMessagesOptions) {}

  /** The message of a job, created on first use. */
  job(generationId: string, channelId: string, ownerId: string): JobMessage {
    let job = this.#jobs.get(generationId) ?? this.#finished.get(generationId);
    if (job === undefined) {
      job = new JobMessage(generationId, channelId, ownerId, this.options.sender, this.options.pacer, this.options.logger, (done) => this.#retire(done));
      this.#jobs.set(generationId, job);
    }
    return job;
  }

  #retire(job: JobMessage): void {
    if (this.#jobs.get(job.generationId) === job) this.#jobs.delete(job.generationId);
    this.#finished.set(job.generationId, job);
    for (const oldest of this.#finished.keys()) {
      if (this.#finished.size <= FINISHED_REMEMBERED) break;
      this.#finished.delete(oldest);
    }
  }

  /** The handler accepted a job answering this interaction: its reply is the job's message. */
  accepted(generationId: string, channelId: string, ownerId: string, target: Exclude<JobTarget, { kind: 'unbound' }>, reply: Reply): void {
    const job = this.job(generationId, channelId, ownerId);
    job.bind(target);
    job.push({ rank: RANK.accepted, step: 0, reply });
  }

  /** Where a job's own message is, when this process knows it (cancel and delete reach it by id). */
  messageOf(generationId: string): { channelId: string; messageId: string } | undefined {
    const job = this.#jobs.get(generationId) ?? this.#finished.get(generationId);
    const target = job?.target;
    const messageId = target?.kind === 'interaction' || target?.kind === 'channel' ? target.messageId : undefined;
    return job === undefined || messageId === undefined ? undefined : { channelId: job.channelId, messageId };
  }

  /** The job's message was deleted (❌): no more edits. */
  forget(generationId: string): void {
    const job = this.#jobs.get(generationId) ?? this.#finished.get(generationId);
    job?.markGone();
    if (job !== undefined) this.#retire(job);
  }

  /** Waits until every message has been sent (shutdown). */
  async flush(): Promise<void> {
    await Promise.all([...this.#jobs.values()].map((job) => job.idle()));
  }

  readonly queued: GenerationEvents['queued'] = (event) => {
    // A new job's first message is the handler's answer, which already says "queued".
    const job = this.#jobFor(event);
    if (job !== undefined && event.recovered) job.push({ rank: RANK.accepted, step: 0, reply: queuedReply(event.generation, event.owner, event.position, true) });
  };

  readonly moved: NonNullable<GenerationEvents['moved']> = (event) => {
    const reply = queuedReply(event.generation, event.owner, event.position, false);
    this.#jobFor(event)?.push({ rank: RANK.accepted, step: ++this.#moves, reply });
  };

  readonly started: GenerationEvents['started'] = (event) => {
    this.#jobFor(event)?.push({ rank: RANK.started, step: 0, reply: startedReply(event.generation, event.owner) });
  };

  readonly progress: GenerationEvents['progress'] = (event) => {
    const reply = progressReply(event.generation, event.owner, event.step, event.totalSteps, event.etaMs, event.preview);
    this.#jobFor(event)?.push({ rank: RANK.progress, step: event.step, reply });
  };

  readonly finished: GenerationEvents['finished'] = (event) => {
    this.#jobFor(event)?.push({ rank: RANK.done, step: 0, reply: finishedReply(event.generation, event.owner, event, event.warnings) });
  };

  readonly failed: GenerationEvents['failed'] = (event) => {
    this.#jobFor(event)?.push({ rank: RANK.done, step: 0, reply: failedReply(event.generation, event.owner, event.message) });
  };

  readonly cancelled: GenerationEvents['cancelled'] = (event) => {
    this.#jobFor(event)?.push({ rank: RANK.done, step: 0, reply: cancelledReply(event.generation, event.owner, event.by) });
  };

  #jobFor(event: JobEvent): JobMessage | undefined {
    const { generation, owner } = event;
    if (owner.platform !== 'discord') return undefined;
    const known = this.#jobs.has(generation.id) || this.#finished.has(generation.id);
    const job = this.job(generation.id, generation.channelId, owner.externalId);
    if (known || job.target.kind !== 'unbound') return job;
    const { interactionToken, messageId } = generation.chat;
    if (interactionToken !== undefined) {
      // The token was issued when the job was queued (its own interaction), so its age is known.
      job.bind({ kind: 'interaction', token: interactionToken, issuedAt: generation.queuedAt.getTime(), messageId });
    } else if (messageId !== undefined) {
      job.bind({ kind: 'channel', messageId, replyTo: undefined, mention: false });
    } else {
      // Posted by a reaction a moment ago (being bound), or lost: after a while, post a new message.
      setTimeout(() => job.bind({ kind: 'channel', messageId: undefined, replyTo: undefined, mention: true }), UNBOUND_WAIT_MS).unref();
    }
    return job;
  }
}
