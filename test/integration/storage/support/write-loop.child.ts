/**
 * Child process for the crash test: writes large files through LocalImageStore, two at a time,
 * cycling over a few keys (so both new files and overwrites are in flight), and prints one line
 * per finished put (`done <key>`).
 *
 * After `putsBeforePause` finished puts, the next put that reaches `phase` stops there for good
 * and prints `paused <phase> <key>`; the parent then kills it with SIGKILL. So the kill lands
 * inside a write every time, whatever the machine's load, with no timing involved:
 * - `write`: half of the bytes are in the temp file (a torn write);
 * - `sync`: all bytes written, not yet fsynced nor renamed over the final name (a temp file's
 *   sync, never the folder sync that follows another lane's rename: that one left no temp file
 *   and made this test fail under load).
 * The other lane keeps running meanwhile, so real writes are in flight too.
 *
 * File content: `size` bytes, all equal to `(round % 250) + 1`, so a complete file is easy to
 * recognise and a truncated or zero-filled one is not.
 */
import { open, unlink } from 'node:fs/promises';
import path from 'node:path';
import { LocalImageStore } from '../../../../src/storage/index.ts';

const [rootDir, sizeText, putsText, phase] = process.argv.slice(2);
if (rootDir === undefined || sizeText === undefined || putsText === undefined || (phase !== 'write' && phase !== 'sync')) {
  throw new Error('usage: write-loop.child.ts <rootDir> <bytes> <putsBeforePause> <write|sync>');
}
const size = Number(sizeText);
const putsBeforePause = Number(putsText);
let finishedPuts = 0;
let paused = false;

type FileHandle = Awaited<ReturnType<typeof open>>;
// The store writes through a FileHandle: hook its prototype, found on a throw-away handle.
const probeFile = path.join(rootDir, '.probe-handle');
const probe = await open(probeFile, 'w');
const prototype = Object.getPrototypeOf(probe) as FileHandle;
await probe.close();
await unlink(probeFile);

const writeFile = prototype.writeFile;
const sync = prototype.sync;
const never = new Promise<never>(() => undefined);
/**
 * Handles the store wrote image bytes through: its temp files. The store also fsyncs folders
 * (after a rename), and a pause there would leave no temp file behind; only a temp file's sync
 * may take the `sync` pause.
 */
const tempFiles = new WeakSet<FileHandle>();

/**
 * True once, for the first put that reaches its phase after the finished puts asked for. The
 * paused put never settles; a timer keeps the process alive until the parent's kill.
 */
function pauseNow(): boolean {
  if (paused || finishedPuts < putsBeforePause) return false;
  paused = true;
  setInterval(() => undefined, 60_000);
  return true;
}

prototype.writeFile = async function (this: FileHandle, bytes: Parameters<FileHandle['writeFile']>[0], ...rest: unknown[]) {
  if (Buffer.isBuffer(bytes)) tempFiles.add(this);
  if (phase === 'write' && Buffer.isBuffer(bytes) && pauseNow()) {
    await this.write(bytes, 0, Math.floor(bytes.length / 2), 0);
    process.stdout.write(`paused write\n`);
    return never;
  }
  return writeFile.call(this, bytes, ...(rest as []));
};
prototype.sync = async function (this: FileHandle) {
  if (phase === 'sync' && tempFiles.has(this) && pauseNow()) {
    process.stdout.write(`paused sync\n`);
    return never;
  }
  return sync.call(this);
};

const store = new LocalImageStore(rootDir);
for (let round = 0; ; round++) {
  const fill = (round % 250) + 1;
  await Promise.all(
    [0, 1].map(async (lane) => {
      const key = `2025/06/gen${(round * 2 + lane) % 5}/${lane}.png`;
      await store.put(key, Buffer.alloc(size, fill));
      finishedPuts++;
      process.stdout.write(`done ${key}\n`);
    }),
  );
}
