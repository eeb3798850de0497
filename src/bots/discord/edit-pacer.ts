/**
 * Keeps requests to one Discord rate-limit bucket (an interaction token, or a channel's messages)
 * at least `gapMs` apart. Discord allows about 5 message edits per 5 s per bucket; a gap a little
 * over a second keeps any 5-second window at 5 requests or fewer, so progress edits never meet a
 * 429. Slots are taken in call order, before waiting, so concurrent callers queue up fairly.
 */
export class EditPacer {
  readonly #next = new Map<string, number>();

  constructor(
    private readonly gapMs: number,
    private readonly now: () => number,
    private readonly sleep: (ms: number) => Promise<void>,
  ) {}

  /** Waits for this bucket's next free slot and takes it. */
  async wait(bucket: string): Promise<void> {
    const now = this.now();
    if (this.#next.size > 10_000) this.#forgetIdle(now);
    const slot = Math.max(now, this.#next.get(bucket) ?? now);
    this.#next.set(bucket, slot + this.gapMs);
    if (slot > now) await this.sleep(slot - now);
  }

  #forgetIdle(now: number): void {
    for (const [bucket, next] of this.#next) if (next < now) this.#next.delete(bucket);
  }
}
