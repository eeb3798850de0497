/**
 * Keeps the message edits of one Discord channel under the channel's edit limit (about 5 per
 * 5 s per channel, shared by every message in it, whichever token or route edits them). Edits of
 * one bucket run one at a time, in call order (so several jobs in a channel take turns), and each
 * starts at least `gapMs` after the previous one *finished*. Timing from the finish, not the start,
 * is what makes it hold under load: the k-th next request starts at least k × gapMs after an
 * earlier one reached Discord, so with gapMs ≥ window / limit no window ever sees more than the
 * limit, however slow the network or the event loop is. Discord's own answers can hold a bucket
 * longer ({@link holdUntil}: `X-RateLimit-Remaining: 0`, or a 429's retry-after).
 */
export class EditPacer {
  readonly #lanes = new Map<string, { tail: Promise<void>; nextAt: number; pending: number }>();

  constructor(
    private readonly gapMs: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /** Runs `work` in this bucket's next turn and keeps the bucket closed for a gap after it. */
  run<T>(bucket: string, work: () => Promise<T>): Promise<T> {
    const lane = this.#lane(bucket);
    lane.pending++;
    const result = lane.tail.then(async () => {
      const wait = lane.nextAt - this.now();
      if (wait > 0) await this.sleep(wait);
      try {
        return await work();
      } finally {
        lane.nextAt = Math.max(lane.nextAt, this.now() + this.gapMs);
      }
    });
    lane.tail = result.then(
      () => this.#settled(bucket, lane),
      () => this.#settled(bucket, lane),
    );
    return result;
  }

  /** Discord said the bucket is spent until `at` (epoch ms): nothing more goes before then. */
  holdUntil(bucket: string, at: number): void {
    const lane = this.#lane(bucket);
    lane.nextAt = Math.max(lane.nextAt, at);
  }

  #lane(bucket: string): { tail: Promise<void>; nextAt: number; pending: number } {
    let lane = this.#lanes.get(bucket);
    if (lane === undefined) {
      lane = { tail: Promise.resolve(), nextAt: 0, pending: 0 };
      this.#lanes.set(bucket, lane);
    }
    return lane;
  }

  #settled(bucket: string, lane: { nextAt: number; pending: number }): void {
    lane.pending--;
    // A quiet lane whose gap has passed holds nothing worth keeping.
    if (lane.pending === 0 && lane.nextAt <= this.now() && this.#lanes.get(bucket) === lane) this.#lanes.delete(bucket);
  }
}
