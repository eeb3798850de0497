/**
 * Each job has one status message in Slack, edited from queued to done. Two things make that
 * racy, and this class handles both:
 * - The service emits events as soon as a job is queued, before the command handler has posted
 *   the status message and learnt its `ts`; a fast job may even finish first. Events for a job
 *   wait here (up to `waitMs`) until the handler says where the message is.
 * - Events of one job must reach Slack in order (an older "step 3/8" must not overwrite
 *   "done"), so each job's Slack work runs one task at a time; a progress update that a newer
 *   update has already replaced is skipped rather than sent late.
 * After a restart the message's place comes from the job's row (`chat.messageId`).
 */
import type { Generation } from '../../generation/jobs/job.types.ts';

/** Where a status message is. */
export interface StatusMessageRef {
  channel: string;
  ts: string;
  /** The thread the status message itself is in; undefined when it is top-level. */
  threadTs: string | undefined;
}

interface JobEntry {
  /** undefined: not known yet; null: the handler could not post one. */
  ref: StatusMessageRef | null | undefined;
  waiters: Array<(ref: StatusMessageRef | null | undefined) => void>;
  tail: Promise<void>;
  /** Tasks enqueued so far; a supersedable task runs only if it is still the newest. */
  enqueued: number;
}

/** The thread where a job's images go: the status message's own thread, or the one it is in. */
export function imageThread(ref: StatusMessageRef): string {
  return ref.threadTs ?? ref.ts;
}

export class StatusMessages {
  readonly #jobs = new Map<string, JobEntry>();

  constructor(private readonly waitMs: number) {}

  #entry(jobId: string): JobEntry {
    let entry = this.#jobs.get(jobId);
    if (entry === undefined) {
      entry = { ref: undefined, waiters: [], tail: Promise.resolve(), enqueued: 0 };
      this.#jobs.set(jobId, entry);
    }
    return entry;
  }

  /** The command handler posted the job's status message (`ref`), or could not (`null`). */
  settle(jobId: string, ref: StatusMessageRef | null): void {
    const entry = this.#entry(jobId);
    entry.ref = ref;
    for (const waiter of entry.waiters.splice(0)) waiter(ref);
  }

  /**
   * Where the job's status message is: settled by the handler, else the row's location, else
   * (a fresh job whose message is being posted) whatever the handler settles within `waitMs`.
   * undefined = nobody posted one (post a new one); null = posting failed (stay silent).
   * `wait` = false when no handler can be posting one (a job recovered after a restart).
   */
  async locate(generation: Generation, wait: boolean): Promise<StatusMessageRef | null | undefined> {
    const entry = this.#entry(generation.id);
    if (entry.ref !== undefined) return entry.ref;
    if (generation.chat.messageId !== undefined) {
      return { channel: generation.channelId, ts: generation.chat.messageId, threadTs: generation.chat.threadTs };
    }
    if (!wait) return undefined;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        entry.waiters.splice(entry.waiters.indexOf(done), 1);
        resolve(undefined);
      }, this.waitMs);
      const done = (ref: StatusMessageRef | null | undefined) => {
        clearTimeout(timer);
        resolve(ref);
      };
      entry.waiters.push(done);
    });
  }

  /** Remembers a message posted for the job by an event (no handler posted one). */
  remember(jobId: string, ref: StatusMessageRef): void {
    this.#entry(jobId).ref = ref;
  }

  /**
   * Runs `task` after the job's earlier tasks. A `supersedable` task (progress) is skipped
   * when another task was enqueued after it. Rejections reach the caller, not later tasks.
   */
  run(jobId: string, task: () => Promise<void>, supersedable: boolean): Promise<void> {
    const entry = this.#entry(jobId);
    const position = ++entry.enqueued;
    const result = entry.tail.then(() => (supersedable && entry.enqueued !== position ? undefined : task()));
    entry.tail = result.catch(() => undefined);
    return result;
  }

  /** Forgets a finished job once its queued tasks are done. */
  finish(jobId: string): void {
    const entry = this.#jobs.get(jobId);
    if (entry === undefined) return;
    const position = entry.enqueued;
    void entry.tail.then(() => {
      if (this.#jobs.get(jobId) === entry && entry.enqueued === position) this.#jobs.delete(jobId);
    });
  }

  /** Jobs currently tracked (for tests and leak checks). */
  get size(): number {
    return this.#jobs.size;
  }
}
