/**
 * The worker thread that holds every onnxruntime session of the process. onnxruntime-node 1.30
 * creates and runs sessions synchronously on the calling thread (its `run` is a `setImmediate`
 * around a blocking native call), so on the main thread one UNet step would stall the bot's event
 * loop for the whole step (100 ms to seconds: heartbeats, interaction acks and progress edits
 * wait). In one shared worker they block only that worker; runs still execute one at a time, as
 * they did on the main thread.
 *
 * Data crosses by transfer, not copy: feed arrays go over and come back for reuse, outputs come
 * back as the arrays onnxruntime allocated. The worker is unref'ed while idle, so an open session
 * does not keep a finished process alive.
 */
import { Worker } from 'node:worker_threads';
import type * as ort from 'onnxruntime-node';
import { commandLineBytes, sessionHostStackSizeMb } from './worker-stack.ts';

/** A feed as the worker wraps it into an `ort.Tensor`. */
export interface HostFeed {
  type: string;
  data: Float32Array | Uint16Array | Int32Array | BigInt64Array | Float64Array;
  dims: readonly number[];
}

export interface HostRunResult {
  outputs: Record<string, { type: string; data: unknown; dims: readonly number[] }>;
  /** The feed arrays, handed back (transferred) for the next run. */
  inputs: Record<string, HostFeed['data']>;
}

export interface HostCreateResult {
  handle: number;
  inputs: ort.InferenceSession.ValueMetadata[];
  outputs: ort.InferenceSession.ValueMetadata[];
}

type Reply = { id: number; ok: true; [key: string]: unknown } | { id: number; ok: false; error: { name: string; message: string; stack: string | undefined } };

interface Pending {
  resolve: (reply: Record<string, unknown>) => void;
  reject: (error: Error) => void;
}

/** The session host of this process; started on first use, restarted if the worker dies. */
export class SessionHost {
  #worker: Worker | undefined;
  /** Bumped when a worker dies: sessions opened in an earlier one are gone. */
  #generation = 0;
  #nextId = 1;
  readonly #pending = new Map<number, Pending>();

  get generation(): number {
    return this.#generation;
  }

  async create(modelPath: string, options: ort.InferenceSession.SessionOptions): Promise<HostCreateResult & { generation: number }> {
    const generation = this.#generation;
    const reply = await this.#request({ op: 'create', path: modelPath, options }, []);
    return { ...(reply as unknown as HostCreateResult), generation };
  }

  async run(handle: number, feeds: Record<string, HostFeed>, outputNames: readonly string[] | undefined): Promise<HostRunResult> {
    const transfer = Object.values(feeds).map((feed) => feed.data.buffer as ArrayBuffer);
    const reply = await this.#request({ op: 'run', handle, feeds, outputNames: outputNames ? [...outputNames] : undefined }, transfer);
    return reply as unknown as HostRunResult;
  }

  async release(handle: number): Promise<void> {
    await this.#request({ op: 'release', handle }, []);
  }

  #request(message: Record<string, unknown>, transfer: ArrayBuffer[]): Promise<Record<string, unknown>> {
    const worker = this.#ensureWorker();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      // Keep the process alive while the worker works for us; idle, it must not.
      worker.ref();
      try {
        worker.postMessage({ id, ...message }, transfer);
      } catch (error) {
        this.#settle(id);
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  #settle(id: number): Pending | undefined {
    const pending = this.#pending.get(id);
    this.#pending.delete(id);
    if (this.#pending.size === 0) this.#worker?.unref();
    return pending;
  }

  #ensureWorker(): Worker {
    if (this.#worker) return this.#worker;
    // Not Node's default 4 MB stack: onnxruntime's start-up needs more the longer the command line is.
    const stackSizeMb = sessionHostStackSizeMb(commandLineBytes());
    const worker = new Worker(new URL('./session-host.worker.mjs', import.meta.url), { resourceLimits: { stackSizeMb } });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const pending = this.#settle(reply.id);
      if (!pending) return;
      if (reply.ok) pending.resolve(reply);
      // The worker's message and name; the stack of this side (where the caller is) is the useful one.
      else pending.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    });
    const fail = (cause: Error): void => {
      if (this.#worker !== worker) return;
      this.#worker = undefined;
      this.#generation++;
      const pending = [...this.#pending.values()];
      this.#pending.clear();
      for (const entry of pending) entry.reject(cause);
    };
    worker.on('error', (error) => fail(new Error(`the ONNX worker thread failed: ${error.message}`, { cause: error })));
    worker.on('exit', (code) => fail(new Error(`the ONNX worker thread exited (code ${code})`)));
    this.#worker = worker;
    return worker;
  }
}

let shared: SessionHost | undefined;

/** The process-wide session host. */
export function sessionHost(): SessionHost {
  shared ??= new SessionHost();
  return shared;
}
