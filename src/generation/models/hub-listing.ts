import { listFiles } from '@huggingface/hub';
import type { CatalogEntry } from './model-catalog.ts';
import { neededLocalPath } from './model-files.ts';

/** A file of the repo that the pipeline needs. */
export interface RemoteFile {
  /** Path in the repo (with the subfolder). */
  repoPath: string;
  /** Path in the local model folder. */
  local: string;
  /** Size the hub lists (the LFS object size for large files). */
  size: number;
}

/**
 * Lists the repo at the entry's revision (all pages of the tree API) and keeps the files the ONNX
 * pipeline needs. Hub errors are thrown as @huggingface/hub raises them.
 */
export async function listNeededFiles(
  entry: CatalogEntry,
  hub: { hubUrl: string; accessToken: string | undefined; fetch: typeof fetch },
): Promise<RemoteFile[]> {
  const files: RemoteFile[] = [];
  const listing = listFiles({ repo: entry.repo, revision: entry.revision, path: entry.subfolder, recursive: true, ...hub });
  for await (const item of listing) {
    if (item.type !== 'file') continue;
    const local = neededLocalPath(item.path, entry.subfolder);
    if (local !== undefined) files.push({ repoPath: item.path, local, size: item.lfs?.size ?? item.size });
  }
  // Small files first: configs and tokenizers land in seconds, so a wrong repo shows up before the gigabytes.
  return files.sort((a, b) => a.size - b.size || a.local.localeCompare(b.local));
}
