/**
 * A job's life in Slack: one status message in the channel, posted when the job is accepted and
 * edited through queued (position, ETA) → running (step i/N) → done; the images are uploaded
 * with files.uploadV2 into the thread under it, one message per image (so a reaction on one
 * image says which image), and the done message carries the Block Kit buttons. Implements the
 * service's lifecycle events for Slack jobs (other platforms' jobs are ignored). Ordering,
 * superseding and waiting for the status message's place are the platform-free job-message
 * book's (../job-message-book.ts); this file only renders and sends.
 */
import type { Logger } from 'pino';
import { cancelledReply, failedReply, finishedReply, progressReply, queuedReply, startedReply, type Reply } from '../../commands/index.ts';
import type { FinishedResult, JobChange } from '../../commands/reply.types.ts';
import type { GenerationEvents, JobEvent } from '../../generation/jobs/index.ts';
import type { ChatJobs } from '../chat-adapter.ts';
import { JobMessageBook } from '../job-message-book.ts';
import { reportBug, slackErrorCode } from './bug-report.ts';
import { renderReply, renderText, type SlackMessageBody } from './slack-blocks.ts';
import { ProgressBudget } from './progress-budget.ts';
import { ResultFiles, imageFileName } from './result-files.ts';
import type { SlackClient } from './slack-client.types.ts';
import type { StatusMessageRef } from './status-messages.ts';
import { deleteButtonFiles } from './reaction-target.ts';
import { StatusMessageFinder, jobMetadata } from './status-message-finder.ts';

/** A Slack job as its messages need it: the row (place, parameters) and whom it is for. */
type SlackJob = Pick<JobEvent, 'generation' | 'owner'>;

const same = (a: StatusMessageRef, b: StatusMessageRef) => a.channel === b.channel && a.ts === b.ts;

/** Slack errors that mean "this channel is closed to the bot" (a person's matter, not a bug). */
export const CHANNEL_CLOSED_ERRORS: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

export interface JobMessagesOptions {
  client: SlackClient;
  jobs: Pick<ChatJobs, 'attachMessage'>;
  /** Tests shorten the book's wait for a fresh job's status message. */
  statusWaitMs?: number | undefined;
  /** Progress edits allowed per minute, for all jobs together (see progress-budget.ts). */
  progressEditsPerMinute: number;
  /** Epoch milliseconds. */
  now: () => number;
  /** The bot's own ids once started (its status messages are recognised by them). */
  bot: () => { userId: string; botId: string } | undefined;
  logger: Logger;
}

export class JobMessages implements GenerationEvents {
  readonly #book: JobMessageBook<StatusMessageRef, SlackJob>;
  readonly #progressBudget: ProgressBudget;
  readonly #finder: StatusMessageFinder;
  /** The images of results in Slack. */
  readonly files: ResultFiles;

  constructor(private readonly options: JobMessagesOptions) {
    this.#book = new JobMessageBook({
      sender: { show: (job, reply, ref) => this.#show(job, reply, ref), failed: (job, _reply, error, ref) => this.#failed(job, error, ref) },
      sameCopy: same,
      waitMs: options.statusWaitMs,
    });
    this.files = new ResultFiles(options.client, options.logger);
    this.#progressBudget = new ProgressBudget(options.progressEditsPerMinute, options.now);
    this.#finder = new StatusMessageFinder(options.client, options.bot, options.logger);
  }

  /** Jobs with Slack work still tracked. */
  get tracked(): number {
    return this.#book.tracked;
  }

  /**
   * Posts the status message of a job the handler just queued and records where it is. Returns
   * the Slack error code when the channel is closed to the bot; other failures throw.
   */
  async postAccepted(generationId: string, channelId: string, reply: Reply): Promise<{ ok: true; ref: StatusMessageRef } | { ok: false; error: string }> {
    try {
      const ref = await this.#post(channelId, undefined, renderReply(reply), generationId);
      this.#book.bind(generationId, ref);
      await this.options.jobs.attachMessage(generationId, { messageId: ref.ts, interactionToken: undefined, threadTs: ref.threadTs });
      return { ok: true, ref };
    } catch (error) {
      this.#book.silence(generationId);
      const code = slackErrorCode(error);
      if (code !== undefined && CHANNEL_CLOSED_ERRORS.has(code)) return { ok: false, error: code };
      throw error;
    }
  }

  readonly queued: GenerationEvents['queued'] = (event) => {
    // A fresh job's status message is the handler's answer, which already says "queued".
    if (event.recovered) this.#push(event, queuedReply(event.generation, event.owner, event.position, true), false);
  };

  readonly moved: NonNullable<GenerationEvents['moved']> = (event) => {
    // A new place in the queue is always shown; an ETA that only drifted shares the progress budget.
    if (!this.#ours(event) || (event.reason === 'estimate' && !this.#progressBudget.take())) return;
    this.#push(event, queuedReply(event.generation, event.owner, event.position, false), true);
  };

  readonly started: GenerationEvents['started'] = (event) => {
    this.#push(event, startedReply(event.generation, event.owner), true);
  };

  readonly progress: GenerationEvents['progress'] = (event) => {
    if (!this.#ours(event) || !this.#progressBudget.take()) return;
    // Slack shows no preview in an edited message; the step count is what people follow.
    this.#push(event, progressReply(event.generation, event.owner, event.step, event.totalSteps, event.etaMs, undefined), true);
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

  /**
   * After Cancel or ❌ on a whole job went through: every message of it shows so, whichever was
   * pressed. Deleted: each message's images leave Slack and its text says deleted. Cancelled:
   * the cancelled event updates the status message and known copies; a pressed copy this
   * process does not know (from before a restart) is updated here. `pressedFiles` = the files
   * the pressed message's Delete button carries.
   */
  async changed(change: JobChange, pressed: StatusMessageRef | undefined, pressedFiles: readonly string[]): Promise<void> {
    const { generationId } = change;
    const known = this.#messagesOf(generationId, undefined);
    const targets = this.#messagesOf(generationId, pressed);
    const done = this.#book.exclusive(generationId, async () => {
      if (change.change === 'cancelled') {
        if (pressed !== undefined && known.length < targets.length) await this.#tryUpdate(pressed, renderText('_This job was cancelled._'));
        return;
      }
      for (const ref of targets) {
        const isPressed = pressed !== undefined && same(ref, pressed);
        await this.files.delete(isPressed ? pressedFiles : await this.#filesOf(ref));
        await this.#tryUpdate(ref, renderText('_This result was deleted._'));
      }
    });
    if (change.change === 'deleted') this.#book.forget(generationId);
    await done;
  }

  /**
   * After ❌ on one image: that image leaves Slack under every message of the job (the status
   * message's thread and each copy's), found by its file name; `pressedFiles` = the reacted file.
   */
  async imageDeleted(generationId: string, imageIndex: number, pressedFiles: readonly string[]): Promise<void> {
    await this.files.delete(pressedFiles);
    const name = imageFileName(generationId, imageIndex);
    for (const ref of this.#messagesOf(generationId, undefined)) await this.files.delete(await this.#threadFiles(ref, name));
  }

  /** Files named `name` in a message's thread (none when Slack will not say: a missing scope, a deleted message). */
  async #threadFiles(ref: StatusMessageRef, name: string): Promise<string[]> {
    try {
      const answer = await this.options.client.conversations.replies({ channel: ref.channel, ts: ref.ts, limit: 200 });
      const files = (answer.messages ?? []).flatMap((message) => (message as { files?: Array<{ id?: string; name?: string }> }).files ?? []);
      return files.filter((file) => file.name === name && file.id !== undefined).map((file) => file.id as string);
    } catch (error) {
      this.options.logger.warn({ jobId: name, error: slackErrorCode(error) ?? String(error) }, 'slack.thread_files_unknown');
      return [];
    }
  }

  /** The Slack files a message's Delete button carries (read back; none when it is gone). */
  async #filesOf(ref: StatusMessageRef): Promise<string[]> {
    try {
      const found = await this.options.client.reactions.get({ channel: ref.channel, timestamp: ref.ts, full: true });
      return deleteButtonFiles(found.message);
    } catch (error) {
      if (slackErrorCode(error) === 'message_not_found') return [];
      throw error;
    }
  }

  #ours(event: JobEvent): boolean {
    return event.owner.platform === 'slack';
  }

  /** The job's status message (when known) and its copies, plus `also` (a pressed message) when it is not among them. */
  #messagesOf(generationId: string, also: StatusMessageRef | undefined): StatusMessageRef[] {
    const original = this.#book.location(generationId);
    const known = [...(original === undefined ? [] : [original]), ...this.#book.copies(generationId)];
    return also === undefined || known.some((ref) => same(ref, also)) ? known : [...known, also];
  }

  /** Resolves when the Slack work started so far is done (for a graceful stop). */
  async idle(): Promise<void> {
    await this.#book.idle();
  }

  /** `posterComing` = false for a job recovered after a restart (no handler is posting its message). */
  #push(event: JobEvent, reply: Reply, posterComing: boolean): void {
    if (!this.#ours(event)) return;
    const { generation, owner } = event;
    const { messageId, threadTs } = generation.chat;
    const stored = messageId === undefined ? undefined : { channel: generation.channelId, ts: messageId, threadTs };
    this.#book.push(generation.id, { generation, owner }, reply, { stored, posterComing });
  }

  /** A send failed: that is a bug, reported in the status message. */
  async #failed(job: SlackJob, error: unknown, ref: StatusMessageRef | undefined): Promise<void> {
    const refusal = reportBug(this.options.logger, error, { jobId: job.generation.id, where: 'job-message' });
    if (ref !== undefined) await this.#tryUpdate(ref, renderText(refusal.message)).catch(() => undefined);
  }

  /** Shows `reply` in the job's status message; posts a new one if there is none (or it was deleted). */
  async #show(job: SlackJob, reply: Reply, ref: StatusMessageRef | undefined): Promise<StatusMessageRef> {
    const { generation } = job;
    if (reply.result !== undefined) return this.#deliver(job, reply, reply.result, ref);
    const body = renderReply(reply);
    const shown = ref !== undefined && (await this.#tryUpdate(ref, body)) ? ref : await this.#postFor(generation, body);
    // /show copies of a waiting job say cancelled too (and lose their buttons).
    if (reply.job?.state === 'cancelled') for (const copy of this.#book.copies(generation.id)) await this.#tryUpdate(copy, body);
    return shown;
  }

  /**
   * Gives a job whose row names no message its status message and records it on the row: the
   * one a previous process posted but did not save (found by its metadata), else a new one.
   */
  async #postFor(generation: JobEvent['generation'], body: SlackMessageBody): Promise<StatusMessageRef> {
    const found = generation.chat.messageId === undefined ? await this.#finder.find(generation) : undefined;
    const posted = found !== undefined && (await this.#tryUpdate(found, body)) ? found : await this.#post(generation.channelId, undefined, body, generation.id);
    await this.options.jobs.attachMessage(generation.id, { messageId: posted.ts, interactionToken: undefined, threadTs: undefined });
    return posted;
  }

  /** The result: images into the status message's thread, then the text and buttons on it. */
  async #deliver(job: SlackJob, reply: Reply, result: FinishedResult, known: StatusMessageRef | undefined): Promise<StatusMessageRef> {
    const { generation, owner } = job;
    const ref = known ?? (await this.#postFor(generation, renderReply(startedReply(generation, owner))));
    const fileIds = await this.files.upload(ref, generation, result.delivery.images);
    // The images are in the thread; the status message keeps the text and the buttons.
    const body = renderReply({ ...reply, attachments: [] }, fileIds);
    const shown = (await this.#tryUpdate(ref, body)) ? ref : await this.#postFor(generation, body);
    await this.files.addHints(ref, generation, result.delivery.images.length);
    return shown;
  }

  /**
   * /darkroom show: posts a past result again (a new message with its images in the thread
   * and its buttons). Returns the Slack error code when the channel is closed to the bot.
   */
  async postShown(channelId: string, reply: Reply & { result: FinishedResult }): Promise<{ ok: true } | { ok: false; error: string }> {
    const { generation, delivery } = reply.result;
    try {
      const ref = await this.#post(channelId, undefined, renderReply({ ...reply, attachments: [], buttons: [] }));
      this.#book.addCopy(generation.id, ref);
      const fileIds = await this.files.upload(ref, generation, delivery.images);
      await this.#tryUpdate(ref, renderReply({ ...reply, attachments: [] }, fileIds));
      await this.files.addHints(ref, generation, delivery.images.length);
      return { ok: true };
    } catch (error) {
      const code = slackErrorCode(error);
      if (code !== undefined && CHANNEL_CLOSED_ERRORS.has(code)) return { ok: false, error: code };
      throw error;
    }
  }

  /** Posts a message; a job's status message (`jobId`) carries the job id in its metadata. */
  async #post(channel: string, threadTs: string | undefined, body: SlackMessageBody, jobId?: string): Promise<StatusMessageRef> {
    const answer = await this.options.client.chat.postMessage({
      channel,
      text: body.text,
      blocks: body.blocks,
      ...(threadTs ? { thread_ts: threadTs } : {}),
      ...(jobId === undefined ? {} : { metadata: jobMetadata(jobId) }),
    });
    if (answer.ts === undefined) throw new Error('chat.postMessage answered without a ts');
    return { channel: answer.channel ?? channel, ts: answer.ts, threadTs };
  }

  /** Edits a message; false when it no longer exists (someone deleted it). */
  async #tryUpdate(ref: StatusMessageRef, body: SlackMessageBody): Promise<boolean> {
    try {
      await this.options.client.chat.update({ channel: ref.channel, ts: ref.ts, text: body.text, blocks: body.blocks });
      return true;
    } catch (error) {
      if (slackErrorCode(error) === 'message_not_found') return false;
      throw error;
    }
  }
}
