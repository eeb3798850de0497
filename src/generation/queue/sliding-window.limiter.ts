/**
 * At most `cap` events in any window of `windowMs` (a sliding log of timestamps), on an
 * injected clock so tests control time.
 */
export class SlidingWindowLimiter {
  readonly #times: number[] = [];

  constructor(
    private readonly cap: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  /**
   * Counts one event when there is room and returns 0; otherwise counts nothing and returns
   * the milliseconds until there will be room.
   */
  tryTake(): number {
    const now = this.now();
    this.#forgetBefore(now - this.windowMs);
    if (this.#times.length < this.cap) {
      this.#times.push(now);
      return 0;
    }
    const oldest = this.#times[0] ?? now;
    return Math.max(1, oldest + this.windowMs - now);
  }

  /** Takes back the most recent event (the request it counted was not accepted after all). */
  giveBack(): void {
    this.#times.pop();
  }

  #forgetBefore(limit: number): void {
    let expired = 0;
    while (expired < this.#times.length && (this.#times[expired] ?? 0) <= limit) expired++;
    if (expired > 0) this.#times.splice(0, expired);
  }
}
