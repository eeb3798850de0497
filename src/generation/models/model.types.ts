/**
 * Types shared by the models room: model families, and the problems (expected refusals) that
 * detection, catalog lookup and download return as values.
 */

/** Model families Darkroom knows how to drive. Turbo variants come from the catalog, not the folder. */
export const MODEL_FAMILIES = ['sd1', 'sd2', 'sdxl', 'sd-turbo', 'sdxl-turbo', 'lcm'] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

/** Stable codes of everything that can go wrong in a way a person can fix. */
export type ModelProblemCode =
  | 'folder_missing'
  | 'file_missing'
  | 'invalid_json'
  | 'model_missing'
  | 'model_partial'
  | 'unknown_model'
  | 'not_onnx_repo'
  | 'gated'
  | 'invalid_token'
  | 'not_found'
  | 'hub_unreachable'
  | 'hub_error'
  | 'size_mismatch'
  | 'file_name_too_long'
  | 'download_incomplete'
  | 'download_interrupted';

/** An expected refusal: a stable code, the words a person reads, and the command that fixes it when there is one. */
export interface ModelProblem {
  ok: false;
  code: ModelProblemCode;
  message: string;
  /** e.g. `darkroom models pull lcm-dreamshaper-v7`, when pulling is the fix. */
  pullCommand: string | undefined;
}

/** The exact command that downloads a catalog model. */
export function pullCommandFor(name: string): string {
  return `darkroom models pull ${name}`;
}

/** Builds a {@link ModelProblem}. */
export function modelProblem(code: ModelProblemCode, message: string, pullCommand?: string): ModelProblem {
  return { ok: false, code, message, pullCommand };
}

/** Formats a byte count for people: `4.27 GB`, `812 MB`, `3.1 kB`. Decimal units, as the hub shows them. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  const digits = unit === 0 || value >= 100 ? 0 : value >= 10 ? 1 : 2;
  return `${value.toFixed(digits)} ${units[unit]}`;
}
