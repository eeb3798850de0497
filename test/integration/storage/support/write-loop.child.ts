/**
 * Child process for the crash test: writes large files through LocalImageStore forever, two at
 * a time, cycling over a few keys (so both new files and overwrites are in flight), and prints
 * one line per finished put. The parent kills it with SIGKILL at some point.
 *
 * File content: `size` bytes, all equal to `(round % 250) + 1`, so a complete file is easy to
 * recognise and a truncated or zero-filled one is not.
 */
import { LocalImageStore } from '../../../../src/storage/index.ts';

const [rootDir, sizeText] = process.argv.slice(2);
if (rootDir === undefined || sizeText === undefined) throw new Error('usage: write-loop.child.ts <rootDir> <bytes>');
const size = Number(sizeText);
const store = new LocalImageStore(rootDir);

for (let round = 0; ; round++) {
  const fill = (round % 250) + 1;
  await Promise.all(
    [0, 1].map(async (lane) => {
      const key = `2025/06/gen${(round * 2 + lane) % 5}/${lane}.png`;
      await store.put(key, Buffer.alloc(size, fill));
      process.stdout.write(`${key}\n`);
    }),
  );
}
