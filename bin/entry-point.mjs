// Chooses between the compiled build (dist/) and the TypeScript sources for the entry points.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Newest modification time of any file under `dir` (0 when it does not exist). */
function newestMtime(dir) {
  let newest = 0;
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(full));
    else if (entry.isFile()) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

/**
 * The compiled file `relative` under dist/ when dist/BUILD is newer than every file under src/,
 * else undefined. `DARKROOM_FROM_SOURCE=1` always answers undefined (tsx).
 * @param {URL} rootUrl the project folder
 * @param {string} relative e.g. 'cli/cli.js'
 * @returns {string | undefined}
 */
export function compiledEntry(rootUrl, relative) {
  if (process.env.DARKROOM_FROM_SOURCE === '1') return undefined;
  const root = fileURLToPath(rootUrl);
  let built;
  try {
    built = statSync(path.join(root, 'dist', 'BUILD')).mtimeMs;
  } catch {
    return undefined;
  }
  if (newestMtime(path.join(root, 'src')) > built) return undefined;
  return path.join(root, 'dist', relative);
}
