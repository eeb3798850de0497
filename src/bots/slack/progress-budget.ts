/**
 * Slack allows chat.update about 50 times a minute per workspace (Tier 3); above that it answers
 * 429 and the client waits. Progress edits ("step 3/8") are the only edits that can be dropped
 * without anyone missing anything (the next one, or "done", says more), so they get a share of
 * that budget and the edits that matter (started, done, failed, cancelled) always go.
 */
export class ProgressBudget {
  /** Times of the progress edits in the last minute, oldest first. */
  readonly #times: number[] = [];

  constructor(
    private readonly perMinute: number,
    private readonly now: () => number,
  ) {}

  /** True (and counted) when one more progress edit fits in the last minute. */
  take(): boolean {
    const now = this.now();
    while (this.#times.length > 0 && (this.#times[0] as number) <= now - 60_000) this.#times.shift();
    if (this.#times.length >= this.perMinute) return false;
    this.#times.push(now);
    return true;
  }
}
