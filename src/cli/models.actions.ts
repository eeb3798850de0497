/**
 * What `darkroom models list` and `darkroom models pull` print. The models room finds, lists and
 * downloads; this file turns its answers into a table, sentences and exit codes.
 */
import path from 'node:path';
import { findDecoder, findModel, type DecoderEntry } from '../generation/models/model-catalog.ts';
import type { PulledModel } from '../generation/models/model-download.ts';
import { pullWithProgress } from '../generation/models/model-install.ts';
import { inspectModelFolder } from '../generation/models/model-folder.ts';
import { folderBytes } from '../generation/models/folder-size.ts';
import { decoderWarnings, listDecoders, listModels, type ModelListing, type ModelLocations } from '../generation/models/model-resolve.ts';
import { inspectTaesdFolder } from '../generation/models/taesd-folder.ts';
import { formatBytes, pullCommandFor, type ModelProblem } from '../generation/models/model.types.ts';
import { terminalPullDisplay } from './pull-progress.reporter.ts';

/** What a CLI sub-command prints on stdout, and how it exits. Progress goes to `stderr` while it runs. */
export interface CommandOutput {
  exitCode: number;
  lines: string[];
}

/** Everything a pull needs besides the model name. Values come from the parsed config (HF_TOKEN, hub URL). */
export interface PullCommandOptions extends ModelLocations {
  hubUrl: string | undefined;
  token: string | undefined;
  /** Progress and notes; normally process.stderr. */
  stderr: NodeJS.WritableStream;
  /** stderr is a terminal: draw a bar instead of periodic lines. */
  interactive: boolean;
  signal: AbortSignal | undefined;
  now: () => number;
  fetch?: typeof fetch;
}

/**
 * The SIZE cell: what a folder takes on disk (a partial download: what it has so far), or for a
 * model not downloaded the catalog's download size, marked `~`.
 */
async function sizeCell(row: ModelListing): Promise<string> {
  if (row.status === 'not downloaded') return row.entry ? `~${formatBytes(row.entry.approxSizeGB * 1e9)}` : '';
  return formatBytes(await folderBytes(row.status === 'partial' ? `${row.dir}.partial` : row.dir));
}

/** What `engine.decoder` / `engine.previewDecoder` ask for, so the list can say when a TAESD they need is missing. */
export interface DecoderSettings {
  decoder: 'full' | 'taesd';
  previewDecoder: 'auto' | 'latent' | 'taesd';
}

/**
 * `darkroom models list`: catalog models with their status and size on disk, then folders placed
 * by hand, then the catalog's TAESD decoders (and a warning for each one the settings need but lack).
 */
export async function runModelsList(locations: ModelLocations, decoders?: DecoderSettings): Promise<CommandOutput> {
  const rows = await listModels(locations);
  const sizes = await Promise.all(rows.map((row) => sizeCell(row)));
  const table = rows.map((row, index) => [
    `${row.isDefault ? '*' : ' '} ${row.name}`,
    row.status,
    row.family ?? '?',
    row.entry ? (row.entry.cpu ? 'yes' : 'GPU only') : '?',
    sizes[index] ?? '',
    row.entry?.repo ?? row.dir,
  ]);
  const header = ['  NAME', 'STATUS', 'FAMILY', 'CPU', 'SIZE', 'SOURCE'];
  const widths = header.map((title, column) => Math.max(title.length, ...table.map((cells) => cells[column]?.length ?? 0)));
  const format = (cells: string[]): string => cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join('  ').trimEnd();
  const lines = [format(header)];
  rows.forEach((row, index) => {
    lines.push(format(table[index] ?? []));
    if (row.problem) lines.push(`      ${row.problem}`);
  });
  const decoderRows = await listDecoders(locations);
  if (decoderRows.length > 0) {
    lines.push('', 'TAESD (tiny VAE for previews and engine.decoder: taesd):');
    const cells = await Promise.all(
      decoderRows.map(async (row) => [
        `  ${row.name}`,
        row.status,
        row.entry.latentSpace === 'sdxl' ? 'SDXL latents' : 'SD 1.x/2.x latents',
        row.status === 'not downloaded' ? `~${formatBytes(row.entry.approxSizeGB * 1e9)}` : formatBytes(await folderBytes(row.status === 'partial' ? `${row.dir}.partial` : row.dir)),
        row.entry.repo,
      ]),
    );
    const decoderWidths = [0, 1, 2, 3, 4].map((column) => Math.max(...cells.map((row) => row[column]?.length ?? 0)));
    decoderRows.forEach((row, index) => {
      lines.push((cells[index] ?? []).map((cell, column) => cell.padEnd(decoderWidths[column] ?? 0)).join('  ').trimEnd());
      if (row.problem) lines.push(`      ${row.problem}`);
    });
  }
  if (decoders) for (const warning of await decoderWarnings(locations, decoders)) lines.push(`warning: ${warning}`);
  lines.push('', '* default model. SIZE: on disk; ~ the download size of a model not downloaded.');
  lines.push(`Download one with \`${pullCommandFor('NAME')}\`, or place a diffusers ONNX folder in ${locations.modelsDir}${path.sep}NAME${path.sep}.`);
  return { exitCode: 0, lines };
}

/** `darkroom models pull [NAME]`: downloads a catalog model (the default one when no name is given). */
export async function runModelsPull(name: string | undefined, options: PullCommandOptions): Promise<CommandOutput> {
  const decoder = name === undefined ? undefined : findDecoder(options.catalog, name);
  if (decoder && !findModel(options.catalog, decoder.name)) return pullDecoder(decoder, options);
  const entry = name === undefined ? options.catalog.defaultModel : findModel(options.catalog, name);
  if (!entry) {
    const known = [...options.catalog.models, ...options.catalog.decoders].map((model) => model.name).join(', ');
    return { exitCode: 2, lines: [`unknown model "${name}"; the catalog (${options.catalog.source}) has: ${known}`] };
  }
  const display = terminalPullDisplay(options.stderr, options.interactive, options.now);
  if (!entry.cpu) display.note(`note: ${entry.name} is a GPU-only build; it will not load on onnxruntime's CPU provider`);
  const result = await downloadOrExplain(entry, options, display);
  if ('exitCode' in result) return result;
  const info = await inspectModelFolder(result.dir, { catalogFamily: entry.family });
  if (!info.ok) return { exitCode: 1, lines: [`downloaded ${entry.name}, but the folder is not usable: ${info.message}`] };
  return {
    exitCode: 0,
    lines: [
      `pulled ${entry.name} (${info.family}) from ${entry.repo}${result.commit ? `@${result.commit.slice(0, 10)}` : ''}: ` +
        `${result.files.length} files, ${formatBytes(result.bytes)} downloaded, ${formatBytes(result.totalBytes)} in ${result.dir}`,
    ],
  };
}

/**
 * The download shared by models and decoders: the pull itself, or what to tell the person when
 * it was interrupted, failed, or found the folder already installed.
 */
async function downloadOrExplain(
  entry: Parameters<typeof pullWithProgress>[0],
  options: PullCommandOptions,
  display: ReturnType<typeof terminalPullDisplay>,
): Promise<PulledModel | CommandOutput> {
  let result: PulledModel | ModelProblem;
  try {
    result = await pullWithProgress(entry, { ...options, display });
  } catch (error) {
    if (!options.signal?.aborted) throw error;
    return { exitCode: 130, lines: [`pull of ${entry.name} interrupted; run \`${pullCommandFor(entry.name)}\` again to resume`] };
  }
  if (!result.ok) return { exitCode: 1, lines: [result.message] };
  if (result.alreadyInstalled) {
    return { exitCode: 0, lines: [`${entry.name} is already installed in ${result.dir} (delete the folder to download it again)`] };
  }
  return result;
}

/** `darkroom models pull taesd`: a TAESD export, checked to be one once it is down. */
async function pullDecoder(entry: DecoderEntry, options: PullCommandOptions): Promise<CommandOutput> {
  const display = terminalPullDisplay(options.stderr, options.interactive, options.now);
  const result = await downloadOrExplain(entry, options, display);
  if ('exitCode' in result) return result;
  const folder = await inspectTaesdFolder(result.dir);
  if (!folder.ok) return { exitCode: 1, lines: [`downloaded ${entry.name}, but the folder is not usable: ${folder.message}`] };
  const latents = entry.latentSpace === 'sdxl' ? 'SDXL' : 'SD 1.x/2.x';
  return {
    exitCode: 0,
    lines: [
      `pulled ${entry.name} (TAESD for ${latents} latents) from ${entry.repo}${result.commit ? `@${result.commit.slice(0, 10)}` : ''}: ` +
        `${result.files.length} files, ${formatBytes(result.bytes)} in ${result.dir}; previews use it (engine.previewDecoder: auto), final images with engine.decoder: taesd`,
    ],
  };
}
