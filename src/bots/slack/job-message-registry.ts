/**
 * Every Slack message that shows a job: its status message (the original) and each copy that
 * `/darkroom show` posted. Cancel and delete must reach all of them, not only the message whose
 * button was pressed. Kept in memory for the most recent jobs: the original's place is also on
 * the job's row (and the status-message book finds it there), but copies are not stored in the
 * database (that would need a table of a job's messages), so copies posted before a restart are
 * only updated when their own button is pressed.
 */
import type { StatusMessageRef } from './status-messages.ts';

/** The messages of one job. */
export interface JobMessageSet {
  original: StatusMessageRef | undefined;
  copies: StatusMessageRef[];
}

const same = (a: StatusMessageRef, b: StatusMessageRef) => a.channel === b.channel && a.ts === b.ts;

export class JobMessageRegistry {
  /** Insertion order = oldest first, for dropping the oldest jobs past `maxJobs`. */
  readonly #jobs = new Map<string, JobMessageSet>();

  constructor(private readonly maxJobs: number) {}

  #entry(jobId: string): JobMessageSet {
    let entry = this.#jobs.get(jobId);
    if (entry === undefined) {
      entry = { original: undefined, copies: [] };
      this.#jobs.set(jobId, entry);
      for (const oldest of this.#jobs.keys()) {
        if (this.#jobs.size <= this.maxJobs) break;
        this.#jobs.delete(oldest);
      }
    }
    return entry;
  }

  /** The job's status message is (now) at `ref`. */
  original(jobId: string, ref: StatusMessageRef): void {
    this.#entry(jobId).original = ref;
  }

  /** A copy of the job was posted at `ref`. */
  copy(jobId: string, ref: StatusMessageRef): void {
    const entry = this.#entry(jobId);
    if (!entry.copies.some((known) => same(known, ref))) entry.copies.push(ref);
  }

  /** The job's known messages, plus `also` (a pressed message) when it is not among them. */
  messages(jobId: string, also: StatusMessageRef | undefined): StatusMessageRef[] {
    const entry = this.#jobs.get(jobId);
    const known = entry === undefined ? [] : [...(entry.original === undefined ? [] : [entry.original]), ...entry.copies];
    return also === undefined || known.some((ref) => same(ref, also)) ? known : [...known, also];
  }

  /** The copies only (not the status message). */
  copies(jobId: string): StatusMessageRef[] {
    return [...(this.#jobs.get(jobId)?.copies ?? [])];
  }

  forget(jobId: string): void {
    this.#jobs.delete(jobId);
  }

  get size(): number {
    return this.#jobs.size;
  }
}
