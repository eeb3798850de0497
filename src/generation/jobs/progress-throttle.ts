/**
 * Progress updates at most every `intervalMs` per job: chat platforms rate-limit message edits
 * (Discord allows about five per five seconds per channel), and a person does not need more.
 */
export class ProgressThrottle {
  #last: number;

  /** `startedAt`: when the job's `started` event went out, which counts as an update. */
  constructor(
    private readonly intervalMs: number,
    private readonly now: () => number,
    startedAt: number,
  ) {
    this.#last = startedAt;
  }

  /** True (and the update counted) when an update may go out now. */
  tryPass(): boolean {
    const now = this.now();
    if (now - this.#last < this.intervalMs) return false;
    this.#last = now;
    return true;
  }
}
