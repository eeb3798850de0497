/**
 * Is the configured default model usable, and if not, what fixes it? Used by `darkroom start`
 * (before anything else runs) and `darkroom doctor`. The models room does the finding and
 * pulling; this turns its answer into facts for the start-up guidance.
 */
import path from 'node:path';
import type { DarkroomConfig, ModelsConfig } from '../config/config.types.ts';
import type { ModelCatalog } from '../generation/models/model-catalog.ts';
import { findModel, loadModelCatalog } from '../generation/models/model-catalog.ts';
import type { ResolvedModel } from '../generation/models/model-resolve.ts';
import { resolveModel } from '../generation/models/model-resolve.ts';
import { ensureModel, type PullDisplay } from '../generation/models/model-install.ts';
import type { ModelProblem } from '../generation/models/model.types.ts';
import { modelProblem } from '../generation/models/model.types.ts';

export interface ModelAvailability {
  /** The name or path as configured. */
  readonly name: string;
  /** Where the model folder is, or should be. */
  readonly folder: string;
  readonly present: boolean;
  /** Why it cannot be used, in words; undefined when present. */
  readonly problem: string | undefined;
  /** The catalog entry's name when the catalog knows the model (so it can be pulled). */
  readonly catalogName: string | undefined;
}

export interface CatalogRead {
  readonly catalog: ModelCatalog | undefined;
  /** Why the catalog could not be read. */
  readonly problem: string | undefined;
}

/** Reads the model catalog; an unreadable catalog is a problem in words, not an exception. */
export async function readCatalog(models: ModelsConfig): Promise<CatalogRead> {
  try {
    return { catalog: await loadModelCatalog(models.catalog), problem: undefined };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { catalog: undefined, problem: `cannot read the model catalog ${models.catalog}: ${message}` };
  }
}

/** Short reasons for the codes a newcomer meets; other problems keep the models room's words. */
function reason(problem: ModelProblem): string {
  if (problem.code === 'model_missing') return 'it is not downloaded yet';
  if (problem.code === 'model_partial') return 'its download did not finish (pulling again resumes it)';
  return problem.message;
}

/** Turns the models room's answer for `name` into availability facts. */
export function toAvailability(
  models: ModelsConfig,
  name: string,
  catalog: ModelCatalog | undefined,
  resolved: ResolvedModel | ModelProblem,
): ModelAvailability {
  const entry = catalog !== undefined ? findModel(catalog, name) : undefined;
  const looksLikePath = name.includes('/') || name.includes(path.sep) || name.startsWith('.');
  const folder = resolved.ok ? resolved.dir : looksLikePath ? path.resolve(name) : path.join(models.dir, entry?.name ?? name);
  return {
    name,
    folder,
    present: resolved.ok,
    problem: resolved.ok ? undefined : reason(resolved),
    catalogName: entry?.name,
  };
}

/** Availability when the catalog itself cannot be read (nothing can be resolved or pulled). */
export function catalogMissingAvailability(models: ModelsConfig, name: string, catalogProblem: string): ModelAvailability {
  return { name, folder: path.join(models.dir, name), present: false, problem: catalogProblem, catalogName: undefined };
}

/** How a start-up download reports progress; undefined = never download, only check. */
export interface StartupPull {
  /** Where the download's notes and progress are shown (the CLI: stderr, a bar on a terminal). */
  readonly display: PullDisplay;
  readonly signal: AbortSignal | undefined;
}

/**
 * Checks the configured default model; with `pull`, a missing catalog model is downloaded first
 * (config `engine.autoPull`). An unreachable hub is not an error: the answer names the command.
 */
export async function checkDefaultModel(config: DarkroomConfig, pull: StartupPull | undefined): Promise<ModelAvailability> {
  const name = config.engine.defaultModel;
  const read = await readCatalog(config.models);
  if (read.catalog === undefined) return catalogMissingAvailability(config.models, name, read.problem ?? 'no catalog');
  const locations = { catalog: read.catalog, modelsDir: config.models.dir };
  let resolved: ResolvedModel | ModelProblem;
  if (pull === undefined) {
    resolved = await resolveModel(name, locations);
  } else {
    try {
      resolved = await ensureModel(name, {
        ...locations,
        autoPull: true,
        hubUrl: config.models.hubUrl,
        token: config.models.hubToken,
        display: pull.display,
        signal: pull.signal,
      });
    } catch (error) {
      if (pull.signal?.aborted !== true) throw error;
      resolved = modelProblem('download_interrupted', 'its download was interrupted (pulling again resumes it)');
    }
  }
  return toAvailability(config.models, name, read.catalog, resolved);
}
