import { listFiles } from '@huggingface/hub';
import path from 'node:path';
import { PART_NAME_OVERHEAD } from './file-transfer.ts';
import { pullLayout, type PullSource } from './model-catalog.ts';
import { neededLocalPath } from './model-files.ts';
import { modelProblem, type ModelProblem } from './model.types.ts';

/** Longest file or folder name most file systems hold (ext4, APFS, NTFS: 255 bytes/units). */
const NAME_MAX_BYTES = 255;
/** Longest path Linux accepts (PATH_MAX, with its terminating NUL). */
const PATH_MAX_BYTES = 4095;

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
  entry: PullSource,
  hub: { hubUrl: string; accessToken: string | undefined; fetch: typeof fetch },
): Promise<RemoteFile[]> {
  const files: RemoteFile[] = [];
  const listing = listFiles({ repo: entry.repo, revision: entry.revision, path: entry.subfolder, recursive: true, ...hub });
  for await (const item of listing) {
    if (item.type !== 'file') continue;
    const local = neededLocalPath(item.path, entry.subfolder, pullLayout(entry));
    if (local !== undefined) files.push({ repoPath: item.path, local, size: item.lfs?.size ?? item.size });
  }
  // Small files first: configs and tokenizers land in seconds, so a wrong repo shows up before the gigabytes.
  return files.sort((a, b) => a.size - b.size || a.local.localeCompare(b.local));
}

/** A repo path as a URL path: each segment percent-encoded (`a%b/c#d` → `a%25b/c%23d`), the `/` kept. */
export function encodeRepoPath(repoPath: string): string {
  return repoPath.split('/').map(encodeURIComponent).join('/');
}

/**
 * A listed file whose name (or whole path under `partialDir`, with its part file) is longer than
 * the file system holds, as a problem to report before anything is downloaded.
 */
export function fileNameProblem(files: readonly RemoteFile[], partialDir: string, repo: string): ModelProblem | undefined {
  for (const file of files) {
    const segments = file.local.split('/');
    const longest = segments.reduce((worst, segment, index) => {
      const bytes = Buffer.byteLength(segment) + (index === segments.length - 1 ? PART_NAME_OVERHEAD : 0);
      return Math.max(worst, bytes);
    }, 0);
    const pathBytes = Buffer.byteLength(path.join(partialDir, file.local)) + PART_NAME_OVERHEAD;
    if (longest > NAME_MAX_BYTES || pathBytes > PATH_MAX_BYTES) {
      const shown = file.local.length > 80 ? `${file.local.slice(0, 60)}…(${file.local.length} characters)` : file.local;
      const limit = longest > NAME_MAX_BYTES ? `a name longer than the file system allows (${NAME_MAX_BYTES} bytes)` : `a path longer than ${PATH_MAX_BYTES} bytes here`;
      return modelProblem('file_name_too_long', `${repo} lists ${shown}, ${limit}; nothing was downloaded`);
    }
  }
  return undefined;
}
