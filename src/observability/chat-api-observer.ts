/**
 * The port a chat adapter reports its API trouble to (the composition root passes one backed by
 * the Prometheus metrics; tests and tools pass none). Dependency-free, so adapters import it
 * without pulling in prom-client.
 */
export interface ChatApiObserver {
  /**
   * An API answer that is an error: its HTTP status (4xx/5xx; 429 = rate limited), or for a
   * Slack `ok: false` answer Slack's error code (`channel_not_found`).
   */
  apiError(status: number | string): void;
}
