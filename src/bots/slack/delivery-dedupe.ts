/**
 * Slack delivers again what it thinks we missed: Events API retries (`X-Slack-Retry-Num` over
 * HTTP, `retry_attempt` in Socket Mode envelopes) come immediately, after 1 minute and after
 * 5 minutes when an ack took longer than 3 s; a proxy or a flaky link can repeat a slash
 * command or a button press too. Each delivery has an id that stays the same across retries
 * (`event_id` for events, `trigger_id` for commands and actions), and a retry must never start a
 * second job, so we remember the ids we handled.
 *
 * In memory, for an hour, on purpose: Slack's last retry comes 5 minutes after the first try,
 * so an hour covers every retry with room to spare, and the memory stays small (one short
 * string per delivery). A table would also cover a retry that arrives after a restart, but that
 * only happens when the first delivery was not acknowledged, and we acknowledge before doing any
 * work: a delivery that was not acknowledged did not start a job either.
 *
 * This in-memory check answers a retry cheaply in the process that saw the first try; across
 * processes (HTTP mode behind a load balancer) the interactions also claim the same id in
 * PostgreSQL (`chat_event_claims`), so a retry that reaches another process starts nothing there.
 */

/** Remembers delivery ids for `ttlMs`. */
export class RecentDeliveries {
  /** id → expiry (epoch ms). A Map iterates in insertion order, so the oldest come first. */
  readonly #seen = new Map<string, number>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** True the first time an id is seen within the TTL; false for a repeat. */
  firstTime(id: string): boolean {
    const now = this.now();
    this.#prune(now);
    const expires = this.#seen.get(id);
    if (expires !== undefined && expires > now) return false;
    this.#seen.set(id, now + this.ttlMs);
    return true;
  }

  get size(): number {
    return this.#seen.size;
  }

  #prune(now: number): void {
    for (const [id, expires] of this.#seen) {
      if (expires > now) return;
      this.#seen.delete(id);
    }
  }
}
