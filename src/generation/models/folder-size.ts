/** Bytes a model folder takes on disk, for `darkroom models list`. */
import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Sum of the sizes of the regular files under `dir`. A symlinked file (hub caches link blobs)
 * counts with its target's size; symlinked folders are not followed (no loops). Files that vanish
 * or cannot be read meanwhile count as 0: this is a figure for a person, not an inventory.
 */
export async function folderBytes(dir: string): Promise<number> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  let total = 0;
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      total += await folderBytes(full);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      try {
        const info = await stat(full);
        if (info.isFile()) total += info.size;
      } catch {
        // a dangling link or a file removed while listing
      }
    }
  }
  return total;
}
