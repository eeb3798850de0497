import { fileDownloadInfo, HUB_URL } from '@huggingface/hub';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { partFileFor, transferFile } from './file-transfer.ts';
import { hubErrorToProblem, httpStatusProblem, unreachableProblem, type HubContext } from './hub-errors.ts';
import { fileSize, isDirectory, objectOrUndefined, readJsonObject } from './json-file.ts';
import { pullLayout, type PullSource } from './model-catalog.ts';
import { encodeRepoPath, fileNameProblem, listNeededFiles, type RemoteFile } from './hub-listing.ts';
import { formatBytes, modelProblem, pullCommandFor, type ModelProblem } from './model.types.ts';

/** Progress of a pull, reported after every chunk written. */
export interface PullProgress {
  /** Local path of the file being fetched, e.g. `unet/model.onnx_data`. */
  file: string;
  fileBytes: number;
  fileTotal: number;
  /** Bytes on disk for the whole model, including files and parts from earlier runs. */
  doneBytes: number;
  totalBytes: number;
}

export interface PullOptions {
  /** Folder holding one sub-folder per model (`models/`). */
  modelsDir: string;
  /** Hub base URL; undefined means https://huggingface.co. Tests point it at a loopback fake. */
  hubUrl: string | undefined;
  /** Hugging Face access token (`hf_…`, from HF_TOKEN) for gated or private repos. */
  token: string | undefined;
  onProgress: ((progress: PullProgress) => void) | undefined;
  signal: AbortSignal | undefined;
  fetch?: typeof fetch;
  /** Attempts per file, each resuming the last (default 4). */
  maxAttempts?: number;
  /** Pause before retry n is n × this (default 1000 ms). */
  retryDelayMs?: number;
}

export interface PulledModel {
  ok: true;
  /** `<modelsDir>/<name>`, complete. */
  dir: string;
  /** Local paths of the model's files. */
  files: string[];
  /** Bytes downloaded by this call (0 when everything was already there). */
  bytes: number;
  totalBytes: number;
  /** Commit the files came from, when the hub said. */
  commit: string | undefined;
  /** The folder existed already; nothing was fetched. */
  alreadyInstalled: boolean;
}

/** Written into the model folder: where it came from, and per-file identity so a resumed part is trusted only if unchanged. */
export const PULL_MANIFEST = '.darkroom-pull.json';

/**
 * Downloads the ONNX pipeline files of a catalog entry into `<modelsDir>/<name>/`. Files land in
 * `<name>.partial/` (each through a hidden `.<file>.part` resumed with HTTP Range) and the folder is renamed only
 * when every file has the size the hub lists, so a half-pulled model is never taken for a complete one.
 * Refusals (gated, missing repo, hub unreachable, size mismatch…) come back as {@link ModelProblem} values.
 */
export async function pullModel(entry: PullSource, options: PullOptions): Promise<PulledModel | ModelProblem> {
  const hubUrl = (options.hubUrl ?? HUB_URL).replace(/\/+$/, '');
  const finalDir = path.join(options.modelsDir, entry.name);
  const partialDir = `${finalDir}.partial`;
  if (await isDirectory(finalDir)) {
    return { ok: true, dir: finalDir, files: [], bytes: 0, totalBytes: 0, commit: undefined, alreadyInstalled: true };
  }
  const context: HubContext = {
    name: entry.name,
    repo: entry.repo,
    revision: entry.revision,
    hubUrl,
    modelsDir: options.modelsDir,
    tokenSent: options.token !== undefined,
  };
  if (options.token !== undefined && !options.token.startsWith('hf_')) {
    return modelProblem('invalid_token', 'HF_TOKEN does not look like a Hugging Face access token (it must start with hf_)');
  }
  // Remember the commit the hub resolves the revision to, and fetch every later file at that commit, so
  // a push during a long pull cannot mix two versions of the model.
  let commit: string | undefined;
  const baseFetch = options.fetch ?? globalThis.fetch;
  const watchingFetch: typeof fetch = async (input, init) => {
    const response = await baseFetch(input, init);
    commit ??= response.headers.get('x-repo-commit') ?? undefined;
    return response;
  };
  const hub = { hubUrl, accessToken: options.token, fetch: watchingFetch };

  let files: RemoteFile[];
  try {
    files = await listNeededFiles(entry, hub);
  } catch (error) {
    options.signal?.throwIfAborted();
    return hubErrorToProblem(error, context);
  }
  const required = pullLayout(entry) === 'taesd' ? 'vae_decoder/model.onnx' : 'unet/model.onnx';
  if (!files.some((file) => file.local === required)) {
    return modelProblem(
      'not_onnx_repo',
      `${entry.repo}@${entry.revision}${entry.subfolder ? ` (${entry.subfolder}/)` : ''} has no ${required} — is it an ONNX export?`,
    );
  }

  // Before anything is written: a name the file system cannot hold fails here, not gigabytes later.
  const badName = fileNameProblem(files, partialDir, entry.repo);
  if (badName !== undefined) return badName;

  const manifestPath = path.join(partialDir, PULL_MANIFEST);
  let previous = objectOrUndefined(await readJsonObject(manifestPath));
  if (typeof previous?.['commit'] === 'string' && commit !== undefined && previous['commit'] !== commit) {
    await rm(partialDir, { recursive: true, force: true }); // the repo moved on since the interrupted pull
    previous = undefined;
  }
  await mkdir(partialDir, { recursive: true });
  const previousEtags = (previous?.['etags'] ?? {}) as Record<string, unknown>;
  const etags: Record<string, string> = {};
  const writeManifest = (complete: boolean): Promise<void> =>
    writeFile(
      manifestPath,
      JSON.stringify({ repo: entry.repo, revision: entry.revision, subfolder: entry.subfolder, commit, complete, etags }, null, 2),
    );

  const listed = new Set(files.map((file) => file.local));
  const totalBytes = files.reduce((sum, file) => sum + file.size, 0);
  const done = new Map<string, number>();
  for (const file of files) done.set(file.local, (await fileSize(path.join(partialDir, file.local))) === file.size ? file.size : 0);
  const doneBytes = (): number => [...done.values()].reduce((sum, bytes) => sum + bytes, 0);
  let downloaded = 0;

  for (const file of files) {
    const target = path.join(partialDir, file.local);
    if (done.get(file.local) === file.size) {
      const etag = previousEtags[file.local];
      if (typeof etag === 'string') etags[file.local] = etag;
      continue;
    }
    let info;
    try {
      // The library puts `path` into the URL as given: `%`, `#`, `?` or `%2e%2e` in a name would
      // change which file is asked for.
      info = await fileDownloadInfo({ repo: entry.repo, path: encodeRepoPath(file.repoPath), revision: commit ?? entry.revision, ...hub });
    } catch (error) {
      options.signal?.throwIfAborted();
      return hubErrorToProblem(error, context);
    }
    if (info === null) return modelProblem('not_found', `${file.repoPath} vanished from ${entry.repo} during the pull; try again`);
    if (info.size !== file.size) return sizeProblem(entry, file, info.size, 'serves');
    await mkdir(path.dirname(target), { recursive: true });
    if (!listed.has(`${file.local}.part`)) await adoptLegacyPart(target);
    if (previousEtags[file.local] !== info.etag) await rm(partFileFor(target), { force: true }); // changed upstream: start over
    etags[file.local] = info.etag;
    await writeManifest(false);

    const result = await transferFile({
      url: info.url,
      target,
      expectedSize: file.size,
      // The token goes to the hub only; signed CDN URLs carry their own authorisation.
      token: new URL(info.url).origin === new URL(hubUrl).origin ? options.token : undefined,
      fetch: baseFetch,
      signal: options.signal,
      maxAttempts: options.maxAttempts ?? 4,
      retryDelayMs: options.retryDelayMs ?? 1000,
      onBytes: (fileBytes) => {
        done.set(file.local, fileBytes);
        options.onProgress?.({ file: file.local, fileBytes, fileTotal: file.size, doneBytes: doneBytes(), totalBytes });
      },
    });
    if (result.kind === 'complete') {
      downloaded += result.downloaded;
      continue;
    }
    if (result.kind === 'http') return httpStatusProblem(result.status, undefined, context);
    if (result.kind === 'too_long' || result.kind === 'too_short') {
      await rm(partFileFor(target), { force: true });
      return sizeProblem(entry, file, result.received, 'sent');
    }
    if (!result.connected && downloaded === 0) return unreachableProblem(context);
    const command = pullCommandFor(entry.name);
    return modelProblem(
      'download_interrupted',
      `download of ${file.local} was interrupted (${result.reason}); run \`${command}\` again to resume`,
      command,
    );
  }

  // Every listed file, at its listed size, or the folder is not installed.
  for (const file of files) {
    if ((await fileSize(path.join(partialDir, file.local))) !== file.size) {
      return modelProblem(
        'download_incomplete',
        `${file.local} of ${entry.repo} is missing or has the wrong size after the download; the model was not installed — ` +
          `run \`${pullCommandFor(entry.name)}\` again`,
        pullCommandFor(entry.name),
      );
    }
  }
  await writeManifest(true);
  await rename(partialDir, finalDir);
  return { ok: true, dir: finalDir, files: files.map((file) => file.local), bytes: downloaded, totalBytes, commit, alreadyInstalled: false };
}

/**
 * Pulls interrupted by an older Darkroom kept their bytes in `<file>.part`: resume from it (as
 * the hidden part file) rather than fetch again, and leave no gigabyte-sized leftover in the
 * model folder. Only called when no listed file has that name.
 */
async function adoptLegacyPart(target: string): Promise<void> {
  const legacy = `${target}.part`;
  if ((await fileSize(legacy)) === undefined) return;
  if ((await fileSize(partFileFor(target))) === undefined) await rename(legacy, partFileFor(target));
  else await rm(legacy, { force: true });
}

function sizeProblem(entry: PullSource, file: RemoteFile, actual: number, verb: 'serves' | 'sent'): ModelProblem {
  return modelProblem(
    'size_mismatch',
    `size mismatch for ${file.local} of ${entry.repo}: the hub lists ${file.size} bytes (${formatBytes(file.size)}) ` +
      `but ${verb} ${actual}; the file was not kept — run \`${pullCommandFor(entry.name)}\` again later`,
    pullCommandFor(entry.name),
  );
}
