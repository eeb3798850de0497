/**
 * A job's life in Slack: one status message in the channel, posted when the job is accepted and
 * edited through queued (position, ETA) → running (step i/N) → done; the images are uploaded
 * with files.uploadV2 into the thread under it, one message per image (so a reaction on one
 * image says which image), and the done message carries the Block Kit buttons. Implements the
 * service's lifecycle events for Slack jobs (other platforms' jobs are ignored).
 */
import type { Logger } from 'pino';
import { cancelledReply, failedReply, finishedReply, progressReply, queuedReply, startedReply, type Reply } from '../../commands/index.ts';
import type { FinishedResult, JobChange } from '../../commands/reply.types.ts';
import type { GenerationEvents, GenerationService, JobEvent } from '../../generation/jobs/index.ts';
import type { Generation } from '../../generation/jobs/job.types.ts';
import { reportBug, slackErrorCode } from './bug-report.ts';
import { renderReply, renderText, type SlackMessageBody } from './slack-blocks.ts';
import { ProgressBudget } from './progress-budget.ts';
import { ResultFiles, imageFileName } from './result-files.ts';
import type { SlackClient } from './slack-client.types.ts';
import { StatusMessages, type StatusMessageRef } from './status-messages.ts';
import { JobMessageRegistry } from './job-message-registry.ts';
import { deleteButtonFiles } from './reaction-target.ts';
import { StatusMessageFinder, jobMetadata } from './status-message-finder.ts';

/** Jobs whose messages (original and /show copies) are remembered for cancel and delete. */
const JOBS_REMEMBERED = 10_000;

/** Slack errors that mean "this channel is closed to the bot" (a person's matter, not a bug). */
export const CHANNEL_CLOSED_ERRORS: ReadonlySet<string> = new Set(['not_in_channel', 'channel_not_found', 'is_archived', 'restricted_action']);

export interface JobMessagesOptions {
  client: SlackClient;
  generation: Pick<GenerationService, 'attachMessage'>;
  /** How long events wait for the handler to post a fresh job's status message. */
  statusWaitMs: number;
  /** Progress edits allowed per minute, for all jobs together (see progress-budget.ts). */
  progressEditsPerMinute: number;
  /** Epoch milliseconds. */
  now: () => number;
  /** The bot's own ids once started (its status messages are recognised by them). */
  bot: () => { userId: string; botId: string } | undefined;
  logger: Logger;
}

export class JobMessages implements GenerationEvents {
  readonly #book: StatusMessages;
  readonly #pending = new Set<Promise<void>>();
  readonly #progressBudget: ProgressBudget;
  readonly #finder: StatusMessageFinder;
  /** The images of results in Slack. */
  readonly files: ResultFiles;
  /** Every message of each recent job: cancel and delete update them all. */
  readonly #messages = new JobMessageRegistry(JOBS_REMEMBERED);

  constructor(private readonly options: JobMessagesOptions) {
    this.#book = new StatusMessages(options.statusWaitMs);
    this.files = new ResultFiles(options.client, options.logger);
    this.#progressBudget = new ProgressBudget(options.progressEditsPerMinute, options.now);
    this.#finder = new StatusMessageFinder(options.client, options.bot, options.logger);
  }

  /** Jobs with Slack work still tracked. */
  get tracked(): number {
    return this.#book.size;
  }

  /**
   * Posts the status message of a job the handler just queued and records where it is. Returns
   * the Slack error code when the channel is closed to the bot; other failures throw.
   */
  async postAccepted(generationId: string, channelId: string, reply: Reply): Promise<{ ok: true; ref: StatusMessageRef } | { ok: false; error: string }> {
    try {
      const ref = await this.#post(channelId, undefined, renderReply(reply), generationId);
      this.#book.settle(generationId, ref);
      this.#messages.original(generationId, ref);
      await this.options.generation.attachMessage(generationId, { messageId: ref.ts, interactionToken: undefined, threadTs: ref.threadTs });
      return { ok: true, ref };
    } catch (error) {
      this.#book.settle(generationId, null);
      const code = slackErrorCode(error);
      if (code !== undefined && CHANNEL_CLOSED_ERRORS.has(code)) return { ok: false, error: code };
      throw error;
    }
  }

  readonly queued: GenerationEvents['queued'] = (event) => {
    // A fresh job's status message is the handler's answer, which already says "queued".
    if (!this.#ours(event) || !event.recovered) return;
    return this.#run(event, () => this.#show(event.generation, queuedReply(event.generation, event.owner, event.position, true), false), false);
  };

  readonly moved: NonNullable<GenerationEvents['moved']> = (event) => {
    // A new place in the queue is always shown; an ETA that only drifted shares the progress budget.
    if (!this.#ours(event) || (event.reason === 'estimate' && !this.#progressBudget.take())) return;
    const reply = queuedReply(event.generation, event.owner, event.position, false);
    return this.#run(event, () => this.#show(event.generation, reply, true), true);
  };

  readonly started: GenerationEvents['started'] = (event) => {
    if (!this.#ours(event)) return;
    return this.#run(event, () => this.#show(event.generation, startedReply(event.generation, event.owner), true), false);
  };

  readonly progress: GenerationEvents['progress'] = (event) => {
    if (!this.#ours(event) || !this.#progressBudget.take()) return;
    // Slack shows no preview in an edited message; the step count is what people follow.
    const reply = progressReply(event.generation, event.owner, event.step, event.totalSteps, event.etaMs, undefined);
    return this.#run(event, () => this.#show(event.generation, reply, true), true);
  };

  readonly finished: GenerationEvents['finished'] = (event) => {
    if (!this.#ours(event)) return;
    return this.#last(event, () => this.#deliver(event));
  };

  readonly failed: GenerationEvents['failed'] = (event) => {
    if (!this.#ours(event)) return;
    return this.#last(event, () => this.#show(event.generation, failedReply(event.generation, event.owner, event.message), true));
  };

  readonly cancelled: GenerationEvents['cancelled'] = (event) => {
    if (!this.#ours(event)) return;
    const reply = cancelledReply(event.generation, event.owner, event.by);
    return this.#last(event, async () => {
      await this.#show(event.generation, reply, true);
      // /show copies of a waiting job say cancelled too (and lose their buttons).
      for (const copy of this.#messages.copies(event.generation.id)) await this.#tryUpdate(copy, renderReply(reply));
    });
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
    const targets = this.#messages.messages(generationId, pressed);
    const done = this.#book.run(
      generationId,
      async () => {
        if (change.change === 'cancelled') {
          const known = this.#messages.messages(generationId, undefined);
          if (pressed !== undefined && known.length < targets.length) await this.#tryUpdate(pressed, renderText('_This job was cancelled._'));
          return;
        }
        for (const ref of targets) {
          const isPressed = pressed !== undefined && ref.channel === pressed.channel && ref.ts === pressed.ts;
          await this.files.delete(isPressed ? pressedFiles : await this.#filesOf(ref));
          await this.#tryUpdate(ref, renderText('_This result was deleted._'));
        }
      },
      false,
    );
    this.#book.finish(generationId);
    if (change.change === 'deleted') this.#messages.forget(generationId);
    await done;
  }

  /**
   * After ❌ on one image: that image leaves Slack under every message of the job (the status
   * message's thread and each copy's), found by its file name; `pressedFiles` = the reacted file.
   */
  async imageDeleted(generationId: string, imageIndex: number, pressedFiles: readonly string[]): Promise<void> {
    await this.files.delete(pressedFiles);
    const name = imageFileName(generationId, imageIndex);
    for (const ref of this.#messages.messages(generationId, undefined)) await this.files.delete(await this.#threadFiles(ref, name));
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

  /** Resolves when the Slack work started so far is done (for a graceful stop). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  /** Runs Slack work for a job in order; a failure is a bug, reported in the status message. */
  #run(event: JobEvent, work: () => Promise<void>, supersedable: boolean): Promise<void> {
    const done = this.#book.run(event.generation.id, () => this.#guarded(event.generation, work), supersedable);
    this.#pending.add(done);
    void done.finally(() => this.#pending.delete(done)).catch(() => undefined);
    return done;
  }

  /** The job's last Slack work: afterwards its bookkeeping is dropped. */
  #last(event: JobEvent, work: () => Promise<void>): Promise<void> {
    const done = this.#run(event, work, false);
    this.#book.finish(event.generation.id);
    return done;
  }

  async #guarded(generation: Generation, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      const refusal = reportBug(this.options.logger, error, { jobId: generation.id, where: 'job-message' });
      const ref = await this.#book.locate(generation, false).catch(() => undefined);
      if (ref) await this.#tryUpdate(ref, renderText(refusal.message)).catch(() => undefined);
    }
  }

  /** Shows `reply` in the job's status message; posts a new one if there is none (or it was deleted). */
  async #show(generation: Generation, reply: Reply, waitForHandler: boolean): Promise<void> {
    const ref = await this.#book.locate(generation, waitForHandler);
    if (ref === null) return;
    if (ref !== undefined) this.#messages.original(generation.id, ref);
    const body = renderReply(reply);
    if (ref !== undefined && (await this.#tryUpdate(ref, body))) return;
    await this.#postFor(generation, body);
  }

  /** The job's status message, posting `placeholder` as one when there is none. */
  async #statusOf(generation: Generation, placeholder: Reply): Promise<StatusMessageRef | undefined> {
    const ref = await this.#book.locate(generation, true);
    if (ref === null) return undefined;
    return ref ?? this.#postFor(generation, renderReply(placeholder));
  }

  /**
   * Gives a job whose row names no message its status message and records it (in memory and on
   * the row): the one a previous process posted but did not save (found by its metadata), else
   * a new one.
   */
  async #postFor(generation: Generation, body: SlackMessageBody): Promise<StatusMessageRef> {
    const found = generation.chat.messageId === undefined ? await this.#finder.find(generation) : undefined;
    const posted = found !== undefined && (await this.#tryUpdate(found, body)) ? found : await this.#post(generation.channelId, undefined, body, generation.id);
    this.#book.remember(generation.id, posted);
    this.#messages.original(generation.id, posted);
    await this.options.generation.attachMessage(generation.id, { messageId: posted.ts, interactionToken: undefined, threadTs: undefined });
    return posted;
  }

  async #deliver(event: Parameters<GenerationEvents['finished']>[0]): Promise<void> {
    const { generation, owner } = event;
    const ref = await this.#statusOf(generation, startedReply(generation, owner));
    if (ref === undefined) return;
    this.#messages.original(generation.id, ref);
    const reply = finishedReply(generation, owner, event, event.warnings);
    const fileIds = await this.files.upload(ref, generation, event.images);
    // The images are in the thread; the status message keeps the text and the buttons.
    const body = renderReply({ ...reply, attachments: [] }, fileIds);
    if (!(await this.#tryUpdate(ref, body))) await this.#postFor(generation, body);
    await this.files.addHints(ref, generation, event.images.length);
  }

  /**
   * /darkroom show: posts a past result again (a new message with its images in the thread
   * and its buttons). Returns the Slack error code when the channel is closed to the bot.
   */
  async postShown(channelId: string, reply: Reply & { result: FinishedResult }): Promise<{ ok: true } | { ok: false; error: string }> {
    const { generation, delivery } = reply.result;
    try {
      const ref = await this.#post(channelId, undefined, renderReply({ ...reply, attachments: [], buttons: [] }));
      this.#messages.copy(generation.id, ref);
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
