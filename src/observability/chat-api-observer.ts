/**
 * The port a chat adapter reports its API trouble to (the composition root passes one backed by
 * the Prometheus metrics; tests and tools pass none). Dependency-free, so adapters import it
 * without pulling in prom-client.
 */
export interface ChatApiObserver {
  /** An API answer with an error status (4xx/5xx; 429 = rate limited). */
  apiError(status: number): void;
  /** The client reported a rate-limited call that it waits for and retries by itself. */
  rateLimited(): void;
}
