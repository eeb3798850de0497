/**
 * Model files derived once and kept on disk (issues 12 and 16): the graph with legacy `baddbmm`
 * zero branches removed, and onnxruntime's optimised graph, so a restart neither rewrites nor
 * re-optimises. Layout under the cache folder:
 *
 *   rewritten/<fingerprint>-r<version>/   model.onnx + the external data files (hard links, else copies),
 *                                         or an `unchanged` marker when there was nothing to rewrite
 *   optimized/<key>/                      model.onnx + model.onnx.data as onnxruntime saved them
 *
 * Every entry is written into a temporary folder and renamed into place, so a crash or a second
 * process never leaves a half-written entry that looks complete.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { copyFile, link, mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import {
  decodeModel,
  encodeModel,
  externalDataLocations,
  removeZeroAddBranches,
  ZERO_BRANCH_REWRITE_VERSION,
} from './zero-branch.rewrite.ts';

/** The file to load for a model, after the rewrite (possibly the original). */
export interface PreparedModelFile {
  path: string;
  /** Identifies the original model's content (graph bytes and its folder's other files). */
  fingerprint: string;
  /** True when `path` is a rewritten graph (zero branches removed), false when it is the original. */
  rewritten: boolean;
}

const UNCHANGED_MARKER = 'unchanged';

async function exists(file: string): Promise<boolean> {
  return stat(file).then(
    () => true,
    () => false,
  );
}

/** Side files up to this size are fingerprinted by content; larger ones (real weights) by size and time. */
const CONTENT_HASH_LIMIT = 64 * 1024 * 1024;

async function hashFile(hash: ReturnType<typeof createHash>, file: string): Promise<void> {
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
}

/**
 * sha256 of the graph file's bytes and of the other files in its folder: by content up to 64 MB
 * (so a folder rebuilt with the same bytes, as test fixtures are, keeps its cache entries), by
 * name, size and modification time above (external weights of GBs are not read at every start).
 */
export async function modelFingerprint(modelPath: string): Promise<string> {
  const hash = createHash('sha256');
  await hashFile(hash, modelPath);
  const dir = path.dirname(modelPath);
  const siblings = (await readdir(dir)).filter((name) => name !== path.basename(modelPath)).sort();
  for (const name of siblings) {
    const file = path.join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) continue;
    hash.update(`\n${name}\t${info.size}\t`);
    if (info.size <= CONTENT_HASH_LIMIT) await hashFile(hash, file);
    else hash.update(String(Math.round(info.mtimeMs)));
  }
  return hash.digest('hex').slice(0, 32);
}

/** Writes a folder's content through `fill` into a temporary sibling, then renames it to `target`. */
async function publishFolder(target: string, fill: (dir: string) => Promise<void>): Promise<void> {
  await mkdir(path.dirname(target), { recursive: true });
  const staging = await mkdtemp(`${target}.tmp-`);
  try {
    await fill(staging);
    await rename(staging, target);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    // Another process published the same entry first: theirs is as good as ours.
    if (await exists(target)) return;
    throw error;
  }
}

/** A hard link when the file system allows one (no extra disk), else a copy (copy-on-write where supported). */
async function linkOrCopy(source: string, destination: string): Promise<void> {
  await mkdir(path.dirname(destination), { recursive: true });
  try {
    await link(source, destination);
  } catch {
    await copyFile(source, destination);
  }
}

/**
 * The model file to load: the original, or its rewrite without `baddbmm` zero branches, made once
 * per model content and rewrite version under `cacheDir`. onnxruntime refuses external data outside
 * the model's folder (symbolic links included), so a rewritten graph gets hard links to (or copies
 * of) its weight files next to it.
 */
export async function prepareModelFile(modelPath: string, cacheDir: string, logger: Logger | undefined): Promise<PreparedModelFile> {
  const fingerprint = await modelFingerprint(modelPath);
  const entry = path.join(cacheDir, 'rewritten', `${fingerprint}-r${ZERO_BRANCH_REWRITE_VERSION}`);
  const rewritten = path.join(entry, 'model.onnx');
  if (await exists(path.join(entry, UNCHANGED_MARKER))) return { path: modelPath, fingerprint, rewritten: false };
  if (await exists(rewritten)) return { path: rewritten, fingerprint, rewritten: true };

  const started = performance.now();
  const model = decodeModel(await readFile(modelPath));
  const result = removeZeroAddBranches(model);
  if (result.removedAdds === 0) {
    await publishFolder(entry, (dir) => writeFile(path.join(dir, UNCHANGED_MARKER), `${modelPath}\n`));
    return { path: modelPath, fingerprint, rewritten: false };
  }
  await publishFolder(entry, async (dir) => {
    await writeFile(path.join(dir, 'model.onnx'), encodeModel(model));
    for (const location of externalDataLocations(model)) {
      await linkOrCopy(path.join(path.dirname(modelPath), location), path.join(dir, location));
    }
  });
  logger?.info(
    { model: modelPath, removedBranches: result.removedAdds, prunedNodes: result.prunedNodes, ms: Math.round(performance.now() - started) },
    'onnx.model.rewritten',
  );
  return { path: rewritten, fingerprint, rewritten: true };
}

/** Where onnxruntime's optimised graph of a model lives in the cache, and how to save one there. */
export interface OptimizedModelSlot {
  /** The saved optimised graph, when an earlier start made it. */
  cached: string | undefined;
  /**
   * Runs `create` with a path to save the optimised graph to, and publishes it under the key when
   * `create` succeeds. Saving is best effort: a failure to publish is logged, not thrown.
   */
  saveWhile<T>(create: (optimizedPath: string) => Promise<T>): Promise<T>;
}

/** File name onnxruntime writes the optimised graph's weights to (next to the graph). */
export const OPTIMIZED_WEIGHTS_FILE = 'model.onnx.data';

/** The slot for `key` (a hash of the model fingerprint, onnxruntime version and session options). */
export async function optimizedModelSlot(cacheDir: string, key: string, logger: Logger | undefined): Promise<OptimizedModelSlot> {
  const entry = path.join(cacheDir, 'optimized', key);
  const cachedPath = path.join(entry, 'model.onnx');
  const cached = (await exists(cachedPath)) ? cachedPath : undefined;
  return {
    cached,
    async saveWhile(create) {
      await mkdir(path.dirname(entry), { recursive: true });
      const staging = await mkdtemp(`${entry}.tmp-`);
      try {
        const created = await create(path.join(staging, 'model.onnx'));
        await rename(staging, entry).catch(async (error: unknown) => {
          if (!(await exists(cachedPath))) logger?.warn({ err: error, entry }, 'onnx.optimized.save-failed');
        });
        return created;
      } finally {
        await rm(staging, { recursive: true, force: true });
      }
    },
  };
}

/** A stable short hash of the parts that decide an optimised graph. */
export function optimizedModelKey(parts: Record<string, string | number>): string {
  const text = Object.keys(parts)
    .sort()
    .map((name) => `${name}=${parts[name]}`)
    .join('\n');
  return createHash('sha256').update(text).digest('hex').slice(0, 32);
}
