/**
 * Graceful shutdown: stop hooks run in reverse order of registration (last started, first
 * stopped), each with a grace period to finish its running work, after which its AbortSignal
 * fires so it aborts; a hook that still does not return is left behind so shutdown always ends.
 * SIGINT/SIGTERM start it; a second signal exits at once.
 */
import type { Logger } from 'pino';

/**
 * Stops one part. Stop taking work at once; let running work finish; when `deadline` aborts,
 * abort the running work and return promptly.
 */
export type StopHook = (deadline: AbortSignal) => Promise<void>;

export type StopResult = 'stopped' | 'aborted' | 'abandoned' | 'failed';

export interface StopOutcome {
  readonly name: string;
  /** stopped = in the grace period; aborted = after its deadline fired; abandoned = never returned; failed = threw. */
  readonly result: StopResult;
  readonly durationMs: number;
}

export interface ShutdownOptions {
  logger: Logger;
  /** How long each hook may take before its deadline signal aborts. */
  graceMs: number;
  /** After the deadline, how long to wait for the hook before moving on without it. */
  abortWaitMs: number;
}

/** An ordered list of stop hooks, run once. */
export class ShutdownSequence {
  private readonly hooks: Array<{ name: string; stop: StopHook }> = [];
  private running: Promise<StopOutcome[]> | undefined;

  constructor(private readonly options: ShutdownOptions) {}

  /** Registers a hook; it will run before every hook registered earlier. */
  add(name: string, stop: StopHook): void {
    if (this.running !== undefined) throw new Error(`cannot add stop hook "${name}": shutdown already started`);
    this.hooks.push({ name, stop });
  }

  /** True once {@link run} has been called. */
  get started(): boolean {
    return this.running !== undefined;
  }

  /** Runs every hook, newest first; calling it again returns the same outcome. Never rejects. */
  run(): Promise<StopOutcome[]> {
    this.running ??= this.runHooks();
    return this.running;
  }

  private async runHooks(): Promise<StopOutcome[]> {
    const outcomes: StopOutcome[] = [];
    for (const hook of [...this.hooks].reverse()) outcomes.push(await this.runHook(hook.name, hook.stop));
    this.options.logger.info({ outcomes }, 'shutdown.finished');
    return outcomes;
  }

  private async runHook(name: string, stop: StopHook): Promise<StopOutcome> {
    const { logger, graceMs, abortWaitMs } = this.options;
    const started = performance.now();
    const deadline = new AbortController();
    const timers: NodeJS.Timeout[] = [];
    const after = <T>(ms: number, value: T): Promise<T> =>
      new Promise((resolve) => timers.push(setTimeout(() => resolve(value), ms)));
    const finished = stop(deadline.signal).then(
      () => 'done' as const,
      (error: unknown) => {
        logger.error({ err: error, hook: name }, 'shutdown.hook_failed');
        return 'failed' as const;
      },
    );
    let result: StopResult;
    try {
      const first = await Promise.race([finished, after(graceMs, 'late' as const)]);
      if (first !== 'late') {
        result = first === 'done' ? 'stopped' : 'failed';
      } else {
        logger.warn({ hook: name, graceMs }, 'shutdown.hook_deadline');
        deadline.abort(new Error(`shutdown: ${name} did not stop within ${graceMs} ms`));
        const second = await Promise.race([finished, after(abortWaitMs, 'late' as const)]);
        result = second === 'done' ? 'aborted' : second === 'failed' ? 'failed' : 'abandoned';
        if (result === 'abandoned') logger.error({ hook: name }, 'shutdown.hook_abandoned');
      }
    } finally {
      for (const timer of timers) clearTimeout(timer);
    }
    const durationMs = Math.round(performance.now() - started);
    logger.info({ hook: name, result, durationMs }, 'shutdown.hook_done');
    return { name, result, durationMs };
  }
}

/** The part of `process` the signal listener needs (tests pass an EventEmitter). */
export interface SignalSource {
  on(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
  off(event: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void): unknown;
}

export interface SignalOptions {
  source: SignalSource;
  signals: readonly NodeJS.Signals[];
  /** First signal: begin a graceful shutdown. */
  onShutdown: (signal: NodeJS.Signals) => void;
  /** Second signal: the person insists; typically exit at once. */
  onForce: (signal: NodeJS.Signals) => void;
}

/**
 * Listens for shutdown signals: the first calls `onShutdown`, any later one `onForce`.
 * Returns a function that removes the listeners.
 */
export function listenForShutdownSignals(options: SignalOptions): () => void {
  let received = 0;
  const listener = (signal: NodeJS.Signals): void => {
    received += 1;
    if (received === 1) options.onShutdown(signal);
    else options.onForce(signal);
  };
  for (const signal of options.signals) options.source.on(signal, listener);
  return () => {
    for (const signal of options.signals) options.source.off(signal, listener);
  };
}

/** Conventional exit status of a process ended by `signal` (128 + its number). */
export function exitCodeForSignal(signal: NodeJS.Signals): number {
  return signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1;
}
