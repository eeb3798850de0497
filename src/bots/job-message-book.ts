/**
 * The job-message book, platform-free: for each job, where its chat message is, what it should
 * show next, and the copies `/show` posted of it. Every adapter (Discord, Slack, and the ones to
 * come) keeps its jobs' messages here and only renders and sends. Three races are handled once:
 *
 * - **Ordering.** Updates come from two sides in any order (the handler's "accepted" answer and
 *   the service's lifecycle events, which may overtake it; a progress event may even arrive
 *   after `finished`). Each reply says which moment of the job it shows (`Reply.job`), which
 *   ranks it: accepted < queued moves (in arrival order) < started < progress by step <
 *   finished | failed | cancelled. An update not newer than what is shown or waiting is dropped,
 *   so a message never goes back.
 * - **Superseding.** One send at a time per job; while one is out only the newest waiting update
 *   is kept, and it is taken when the job's turn comes (`JobMessageSender.turn`, e.g. Discord's
 *   per-channel edit lane), so a burst of progress collapses into the latest state.
 * - **Waiting for the location.** A fresh job's events may arrive before the handler has posted
 *   its message and learnt where it is. They wait for {@link JobMessageBook.bind} at most
 *   {@link LOCATION_WAIT_MS}; after that the sender posts a message of its own (location
 *   undefined). A job whose row already names its message, or that nobody is posting (recovered
 *   after a restart), does not wait.
 *
 * Memory is bounded: `remembered` jobs at most, idle ones forgotten oldest first. A forgotten
 * job's next event finds its message again from the row.
 */

import type { Reply, ReplyJob } from '../commands/reply.types.ts';

/**
 * How long a fresh job's events wait for the handler to post its message: the handler's answer
 * is a few database round trips plus one chat API call, which a platform's rate limit can hold
 * for seconds (Slack's client waits out 429s). Past this, the job gets a message of its own; a
 * handler slower than that leaves a second message, which is the lesser harm than a job nobody
 * sees. One wait for every adapter (it was 5 s on Discord and 30 s on Slack).
 */
export const LOCATION_WAIT_MS = 30_000;
/** Jobs remembered (messages, copies, what was shown); idle ones beyond it are forgotten oldest first. */
export const JOBS_REMEMBERED = 5_000;

/** The order of an update: rank first, then step within the rank. */
interface Order {
  rank: number;
  step: number;
}

const NOTHING_SHOWN: Order = { rank: -1, step: -1 };
const RANK: Record<ReplyJob['state'], number> = { accepted: 0, queued: 0, started: 1, progress: 2, finished: 3, failed: 3, cancelled: 3 };
const DONE = 3;

/** Newer, or the same step again (a progress edit that failed may be retried); nothing follows a final state. */
function newer(update: Order, than: Order): boolean {
  return update.rank > than.rank || (update.rank === than.rank && update.rank < DONE && update.step >= than.step);
}

/** Sends a job's updates; the platform part of a job's message. */
export interface JobMessageSender<Location, Context> {
  /**
   * Shows `reply` in the job's message at `location`; undefined = the job has no message yet
   * (nobody posted one, or the wait ran out): post one. Returns where the message is now (it
   * may move, e.g. when a Discord token expired), or 'gone' when it was deleted: nothing more
   * is sent for the job.
   */
  show(context: Context, reply: Reply, location: Location | undefined): Promise<Location | 'gone'>;
  /** A send threw. A lost progress update is replaced by the next one; a final one counts as shown. */
  failed(context: Context, reply: Reply, error: unknown, location: Location | undefined): Promise<void> | void;
  /** Runs one send when the job's turn comes (a platform's rate lane); omitted = at once. */
  turn?(context: Context, send: () => Promise<void>): Promise<void>;
}

export interface JobMessageBookOptions<Location, Context, Copy> {
  sender: JobMessageSender<Location, Context>;
  /** Whether two copies are the same message. */
  sameCopy: (a: Copy, b: Copy) => boolean;
  /** Defaults to {@link LOCATION_WAIT_MS} (tests shorten it). */
  waitMs?: number | undefined;
  /** Defaults to {@link JOBS_REMEMBERED}. */
  remembered?: number | undefined;
}

/** Where an update's job may already be known from, when the book does not know it yet. */
export interface KnownFrom<Location> {
  /** The location saved on the job's row (after a restart, or posted by another process). */
  stored: Location | undefined;
  /** false when no handler is posting the job's message (a job recovered after a restart): no wait. */
  posterComing: boolean;
}

type LocationState = 'unknown' | 'waiting' | 'post' | 'known' | 'silent' | 'gone';

interface Entry<Location, Context, Copy> {
  id: string;
  /** From the job's latest update (entries made by bind, copies or exclusive work have none until then). */
  context: Context | undefined;
  state: LocationState;
  location: Location | undefined;
  copies: Copy[];
  shown: Order;
  pending: { order: Order; reply: Reply } | undefined;
  /** The job's sends and exclusive work, one after another. */
  tail: Promise<void>;
  draining: boolean;
  timer: NodeJS.Timeout | undefined;
}

export class JobMessageBook<Location, Context, Copy = Location> {
  readonly #jobs = new Map<string, Entry<Location, Context, Copy>>();
  readonly #waitMs: number;
  readonly #remembered: number;
  /** Orders queue moves across jobs: a later move replaces an earlier one and the handler's first answer. */
  #moves = 0;

  constructor(private readonly options: JobMessageBookOptions<Location, Context, Copy>) {
    this.#waitMs = options.waitMs ?? LOCATION_WAIT_MS;
    this.#remembered = options.remembered ?? JOBS_REMEMBERED;
  }

  /**
   * A job update to show. `context` is what the sender needs about the job (kept, newest
   * wins); `from` says where its message may already be known from. Replies without
   * `job` are not job updates and are ignored.
   */
  push(generationId: string, context: Context, reply: Reply, from: KnownFrom<Location>): void {
    const job = reply.job;
    if (job === undefined) return;
    const entry = this.#entry(generationId);
    entry.context = context;
    if (entry.state === 'unknown') {
      if (from.stored !== undefined) this.#known(entry, from.stored);
      else if (from.posterComing) this.#wait(entry);
      else entry.state = 'post';
    }
    const order = { rank: RANK[job.state], step: job.state === 'queued' ? ++this.#moves : job.state === 'progress' ? job.step : 0 };
    if (entry.state === 'gone' || entry.state === 'silent' || !newer(order, entry.shown)) return;
    if (entry.pending !== undefined && !newer(order, entry.pending.order)) return;
    entry.pending = { order, reply };
    this.#kick(entry);
  }

  /** The handler posted the job's message (or knows where it will be): updates go there. Ignored once the job has a message. */
  bind(generationId: string, location: Location): void {
    const entry = this.#entry(generationId);
    if (entry.state === 'unknown' || entry.state === 'waiting') this.#known(entry, location);
    this.#kick(entry);
  }

  /** No message will be posted for the job (the channel is closed to the bot): its updates are dropped. */
  silence(generationId: string): void {
    const entry = this.#entry(generationId);
    this.#stopWaiting(entry);
    entry.state = 'silent';
    entry.pending = undefined;
  }

  /** The job's message was deleted: nothing more is shown, and its copies are forgotten. */
  forget(generationId: string): void {
    const entry = this.#jobs.get(generationId);
    if (entry === undefined) return;
    this.#stopWaiting(entry);
    entry.state = 'gone';
    entry.pending = undefined;
    entry.copies = [];
  }

  /** Where the job's own message is, when this process knows it. */
  location(generationId: string): Location | undefined {
    const entry = this.#jobs.get(generationId);
    return entry?.state === 'known' ? entry.location : undefined;
  }

  /** What the sender was last told about the job (undefined before its first update). */
  context(generationId: string): Context | undefined {
    return this.#jobs.get(generationId)?.context;
  }

  /** A copy of the job was posted (`/show`): cancel and delete reach it too. */
  addCopy(generationId: string, copy: Copy): void {
    const entry = this.#entry(generationId);
    entry.copies = [...entry.copies.filter((known) => !this.options.sameCopy(known, copy)), copy];
  }

  /** The copies of the job known to this process. */
  copies(generationId: string): Copy[] {
    return [...(this.#jobs.get(generationId)?.copies ?? [])];
  }

  /**
   * Runs `task` on the job's messages in turn with its updates: after what is being sent, before
   * what comes later. Its rejection reaches the caller only.
   */
  exclusive<T>(generationId: string, task: () => Promise<T>): Promise<T> {
    const entry = this.#entry(generationId);
    const result = entry.tail.then(task);
    entry.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Resolves when every job's sends and exclusive work so far are done (shutdown). Held updates waiting for a location are not waited for. */
  async idle(): Promise<void> {
    for (;;) {
      const tails = [...this.#jobs.values()].map((entry) => entry.tail);
      await Promise.all(tails);
      const now = [...this.#jobs.values()];
      if (now.every((entry) => !entry.draining && tails.includes(entry.tail))) return;
    }
  }

  /** Jobs whose message still has something to show (not finished, not gone). */
  get tracked(): number {
    let count = 0;
    for (const entry of this.#jobs.values()) if (!this.#idle(entry)) count++;
    return count;
  }

  #entry(generationId: string): Entry<Location, Context, Copy> {
    const known = this.#jobs.get(generationId);
    if (known !== undefined) {
      // Most recently used last, so the oldest idle jobs are forgotten first.
      this.#jobs.delete(generationId);
      this.#jobs.set(generationId, known);
      return known;
    }
    const entry: Entry<Location, Context, Copy> = {
      id: generationId,
      context: undefined,
      state: 'unknown',
      location: undefined,
      copies: [],
      shown: NOTHING_SHOWN,
      pending: undefined,
      tail: Promise.resolve(),
      draining: false,
      timer: undefined,
    };
    this.#jobs.set(generationId, entry);
    this.#prune();
    return entry;
  }

  /** Idle: nothing waiting or being sent, and either finished or never to be shown again. */
  #idle(entry: Entry<Location, Context, Copy>): boolean {
    if (entry.draining || entry.pending !== undefined || entry.state === 'waiting') return false;
    return entry.shown.rank >= DONE || entry.state === 'gone' || entry.state === 'silent' || entry.state === 'unknown';
  }

  #prune(): void {
    if (this.#jobs.size <= this.#remembered) return;
    for (const [id, entry] of this.#jobs) {
      if (this.#jobs.size <= this.#remembered) return;
      if (this.#idle(entry)) this.#jobs.delete(id);
    }
  }

  #known(entry: Entry<Location, Context, Copy>, location: Location): void {
    this.#stopWaiting(entry);
    entry.state = 'known';
    entry.location = location;
  }

  #wait(entry: Entry<Location, Context, Copy>): void {
    entry.state = 'waiting';
    entry.timer = setTimeout(() => {
      entry.timer = undefined;
      if (entry.state !== 'waiting') return;
      entry.state = 'post';
      this.#kick(entry);
    }, this.#waitMs);
    entry.timer.unref();
  }

  #stopWaiting(entry: Entry<Location, Context, Copy>): void {
    if (entry.timer !== undefined) clearTimeout(entry.timer);
    entry.timer = undefined;
  }

  #kick(entry: Entry<Location, Context, Copy>): void {
    if (entry.draining || entry.pending === undefined || entry.context === undefined) return;
    if (entry.state !== 'known' && entry.state !== 'post') return;
    entry.draining = true;
    entry.tail = entry.tail.then(() => this.#drain(entry));
  }

  async #drain(entry: Entry<Location, Context, Copy>): Promise<void> {
    try {
      while (entry.pending !== undefined && (entry.state === 'known' || entry.state === 'post')) {
        const context = entry.context as Context;
        const send = () => this.#sendPending(entry, context);
        await (this.options.sender.turn === undefined ? send() : this.options.sender.turn(context, send));
      }
    } finally {
      entry.draining = false;
      if (entry.pending !== undefined) this.#kick(entry);
    }
  }

  async #sendPending(entry: Entry<Location, Context, Copy>, context: Context): Promise<void> {
    const update = entry.pending;
    entry.pending = undefined;
    if (update === undefined || entry.state === 'gone' || entry.state === 'silent' || !newer(update.order, entry.shown)) return;
    const location = entry.state === 'known' ? entry.location : undefined;
    try {
      const now = await this.options.sender.show(context, update.reply, location);
      if (now === 'gone') {
        entry.state = 'gone';
        entry.pending = undefined;
      } else if ((entry.state as LocationState) !== 'gone') {
        // (forget() may have run while the message was being sent.)
        entry.state = 'known';
        entry.location = now;
      }
      entry.shown = update.order;
    } catch (error) {
      if (update.order.rank >= DONE) entry.shown = update.order;
      // The sender's own report of the failure must not stop the job's later updates either.
      await Promise.resolve()
        .then(() => this.options.sender.failed(context, update.reply, error, location))
        .catch(() => undefined);
    }
  }
}
