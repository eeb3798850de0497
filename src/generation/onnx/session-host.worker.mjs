// The worker thread that owns this process's onnxruntime sessions (see session-host.ts).
// onnxruntime-node 1.30 runs `InferenceSession.create` and `run` synchronously on the calling
// thread; here they block this thread instead of the bot's event loop.
//
// Plain JavaScript on purpose: a worker does not inherit the tsx loader (or vitest's transform).
//
// Requests: { id, op: 'create', path, options } → { handle, inputs, outputs }
//           { id, op: 'run', handle, feeds: { name: { type, data, dims } }, outputNames }
//             → { outputs: { name: { type, data, dims } }, inputs: { name: data } }
//           { id, op: 'release', handle } → {}
// Replies are { id, ok: true, ...result } or { id, ok: false, error: { name, message, stack } }.
// Feed arrays arrive transferred and go back transferred with the outputs, so the caller can
// refill them next time; output arrays are transferred too (never copied).
import { parentPort } from 'node:worker_threads';
import * as ort from 'onnxruntime-node';

// Same reason as onnx-session.ts: errors reach callers as exceptions, not native log lines.
ort.env.logLevel = 'fatal';

/** @type {Map<number, import('onnxruntime-node').InferenceSession>} */
const sessions = new Map();
let nextHandle = 1;

if (!parentPort) throw new Error('session-host.worker.mjs must run as a worker thread');
const port = parentPort;
port.on('message', (request) => void handle(request));

/** @param {{ id: number, op: string, [key: string]: any }} request */
async function handle(request) {
  try {
    if (request.op === 'create') {
      const session = await ort.InferenceSession.create(request.path, request.options);
      const handle = nextHandle++;
      sessions.set(handle, session);
      port.postMessage({ id: request.id, ok: true, handle, inputs: session.inputMetadata, outputs: session.outputMetadata });
    } else if (request.op === 'run') {
      await run(request);
    } else if (request.op === 'release') {
      const session = sessions.get(request.handle);
      sessions.delete(request.handle);
      await session?.release();
      port.postMessage({ id: request.id, ok: true });
    } else {
      throw new Error(`unknown session host request "${request.op}"`);
    }
  } catch (error) {
    const { name, message, stack } = error instanceof Error ? error : new Error(String(error));
    port.postMessage({ id: request.id, ok: false, error: { name, message, stack } });
  }
}

/** @param {{ id: number, handle: number, feeds: Record<string, { type: any, data: any, dims: number[] }>, outputNames: string[] | undefined }} request */
async function run(request) {
  const session = sessions.get(request.handle);
  if (!session) throw new Error(`no ONNX session with handle ${request.handle} in this worker`);
  /** @type {Record<string, import('onnxruntime-node').Tensor>} */
  const feeds = {};
  /** @type {Record<string, unknown>} */
  const inputs = {};
  for (const [name, feed] of Object.entries(request.feeds)) {
    feeds[name] = new ort.Tensor(feed.type, feed.data, feed.dims);
    inputs[name] = feed.data;
  }
  const results = request.outputNames ? await session.run(feeds, request.outputNames) : await session.run(feeds);
  /** @type {Record<string, { type: string, data: unknown, dims: readonly number[] }>} */
  const outputs = {};
  for (const [name, tensor] of Object.entries(results)) outputs[name] = { type: tensor.type, data: tensor.data, dims: tensor.dims };
  const reply = { id: request.id, ok: true, outputs, inputs };
  const transfer = new Set();
  for (const value of [...Object.values(outputs).map((output) => output.data), ...Object.values(inputs)]) {
    if (ArrayBuffer.isView(value) && value.buffer instanceof ArrayBuffer) transfer.add(value.buffer);
  }
  try {
    port.postMessage(reply, [...transfer]);
  } catch {
    // A buffer the binding does not let go of (not detachable): send copies instead.
    port.postMessage(reply);
  }
}
