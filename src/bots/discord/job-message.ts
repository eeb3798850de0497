/**
 * The one Discord message of a job, edited from queued to done. Updates come from two sides in
 * any order (the command handler's "accepted" answer, and the service's lifecycle events, which
 * may overtake it), so each update has a rank (accepted/queued < started < progress by step <
 * done); an update older than what is shown or waiting is dropped, and only the newest waiting
 * one is sent. Sends to one channel are paced and take turns (see EditPacer), so a burst of
 * progress collapses into the latest state instead of queueing behind a rate limit.
 */
import type { Logger } from 'pino';
import type { Reply } from '../../commands/index.ts';
import type { EditPacer } from './edit-pacer.ts';

/** Where the message is, and how to reach it. */
export type JobTarget =
  /** Not known yet (the adapter is still posting it). */
  | { kind: 'unbound' }
  /** The `@original` response of an interaction, edited with its token while it is valid. */
  | { kind: 'interaction'; token: string; issuedAt: number; messageId: string | undefined }
  /** A normal channel message sent with the bot token; posted on first show when `messageId` is undefined. */
  | { kind: 'channel'; messageId: string | undefined; replyTo: string | undefined; mention: boolean };

export const RANK = { accepted: 0, started: 1, progress: 2, done: 3 } as const;

export interface JobUpdate {
  rank: number;
  /** Progress step (0 for other ranks). */
  step: number;
  reply: Reply;
}

/** Sends a reply to the job's target (and may move the target, e.g. when a token expired). */
export interface JobMessageSender {
  show(job: JobMessage, reply: Reply): Promise<void>;
}

function newer(update: Pick<JobUpdate, 'rank' | 'step'>, than: Pick<JobUpdate, 'rank' | 'step'>): boolean {
  return update.rank > than.rank || (update.rank === than.rank && update.step >= than.step);
}

export class JobMessage {
  target: JobTarget = { kind: 'unbound' };
  #shown: Pick<JobUpdate, 'rank' | 'step'> = { rank: -1, step: -1 };
  #waiting: JobUpdate | undefined;
  #sending: Promise<void> | undefined;
  /** Set once the message was deleted: nothing more is sent. */
  #gone = false;

  constructor(
    readonly generationId: string,
    readonly channelId: string,
    /** Discord id of the person the job is for (mentioned when the result comes late). */
    readonly ownerId: string,
    private readonly sender: JobMessageSender,
    private readonly pacer: EditPacer,
    private readonly log: Logger,
    private readonly onDone: (job: JobMessage) => void,
  ) {}

  /** True once the final state was shown (or the message is gone) and nothing waits. */
  get finished(): boolean {
    return this.#gone || (this.#shown.rank >= RANK.done && this.#waiting === undefined && this.#sending === undefined);
  }

  push(update: JobUpdate): void {
    if (this.#gone || !newer(update, this.#shown)) return;
    if (this.#waiting !== undefined && !newer(update, this.#waiting)) return;
    this.#waiting = update;
    this.#kick();
  }

  /** Sets where the message is, if that was not known yet. */
  bind(target: Exclude<JobTarget, { kind: 'unbound' }>): void {
    if (this.target.kind !== 'unbound') return;
    this.target = target;
    this.#kick();
  }

  /** The message was deleted: stop editing it. */
  markGone(): void {
    this.#gone = true;
    this.#waiting = undefined;
  }

  /** Resolves when nothing is being sent. */
  async idle(): Promise<void> {
    while (this.#sending !== undefined) await this.#sending;
  }

  /** Discord limits edits per channel, whichever token or route makes them. */
  #bucket(): string {
    return `channel:${this.channelId}`;
  }

  #kick(): void {
    if (this.target.kind === 'unbound' || this.#sending !== undefined || this.#waiting === undefined) return;
    this.#sending = this.#drain().finally(() => {
      this.#sending = undefined;
      if (this.finished) this.onDone(this);
      else this.#kick();
    });
  }

  async #drain(): Promise<void> {
    while (this.#waiting !== undefined && !this.#gone) {
      // The newest waiting update is taken when this job's turn in the channel comes.
      await this.pacer.run(this.#bucket(), () => this.#sendWaiting());
    }
  }

  async #sendWaiting(): Promise<void> {
    const update = this.#waiting;
    this.#waiting = undefined;
    if (update === undefined || this.#gone || !newer(update, this.#shown)) return;
    try {
      await this.sender.show(this, update.reply);
      this.#shown = { rank: update.rank, step: update.step };
    } catch (error) {
      // A lost progress edit is replaced by the next one; a lost final state is logged for the operator.
      this.log.warn({ err: error, jobId: this.generationId, rank: update.rank }, 'discord.job_message_failed');
      if (update.rank >= RANK.done) this.#shown = { rank: update.rank, step: update.step };
    }
  }
}
