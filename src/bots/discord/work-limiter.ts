/**
 * Runs at most `limit` handlers' work at once, in arrival order. Acknowledging an interaction
 * happens before a handler waits here, so during a burst every interaction is deferred at once
 * while the database work behind them (one connection; more at once is no faster) proceeds a
 * few at a time instead of crowding the event loop the acknowledgements need.
 */
export class WorkLimiter {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(private readonly limit: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.#running >= this.limit) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    else this.#running++;
    try {
      // Let waiting I/O (the next interactions, their acknowledgements) go first.
      await new Promise<void>((resolve) => setImmediate(resolve));
      return await work();
    } finally {
      const next = this.#waiting.shift();
      // The slot passes straight to the next in line.
      if (next !== undefined) next();
      else this.#running--;
    }
  }
}
