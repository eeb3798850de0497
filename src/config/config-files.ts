/**
 * Reading the YAML layers (`default.yaml`, then `local.yaml`) and merging them. A file that
 * cannot be read or parsed becomes a problem naming the file, not an exception.
 */
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { ConfigProblem } from './config.types.ts';

export type PlainObject = Record<string, unknown>;

export type YamlFileResult =
  | { readonly ok: true; readonly value: PlainObject | undefined }
  | { readonly ok: false; readonly problem: ConfigProblem };

export function isPlainObject(value: unknown): value is PlainObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * YAML integers are parsed as bigint and brought back here: safe ones become numbers, larger
 * ones (18-digit Discord ids written without quotes) become their exact digits as text, so
 * they are not rounded the way a plain `parse` would round them.
 */
function normaliseIntegers(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const asNumber = Number(value);
    return Number.isSafeInteger(asNumber) ? asNumber : value.toString();
  }
  if (Array.isArray(value)) return value.map(normaliseIntegers);
  if (isPlainObject(value)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, normaliseIntegers(item)]));
  }
  return value;
}

/** Reads one YAML layer; a missing file is `value: undefined` (only `local.yaml` may be missing). */
export function readYamlFile(file: string): YamlFileResult {
  if (!existsSync(file)) return { ok: true, value: undefined };
  let parsed: unknown;
  try {
    parsed = parse(readFileSync(file, 'utf8'), { intAsBigInt: true, prettyErrors: true });
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    return { ok: false, problem: { path: file, message: `cannot be read as YAML: ${message}`, source: file } };
  }
  if (parsed === null || parsed === undefined) return { ok: true, value: {} };
  if (!isPlainObject(parsed)) {
    return { ok: false, problem: { path: file, message: 'must be a mapping of options (key: value)', source: file } };
  }
  return { ok: true, value: normaliseIntegers(parsed) as PlainObject };
}

/** Deep merge: mappings merge key by key; lists and scalars from `override` replace. */
export function mergeLayers(base: PlainObject, override: PlainObject): PlainObject {
  const merged: PlainObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const previous = merged[key];
    merged[key] = isPlainObject(previous) && isPlainObject(value) ? mergeLayers(previous, value) : value;
  }
  return merged;
}

/** Whether `object` has a value at `path` (used to tell which file a bad value came from). */
export function hasPath(object: PlainObject | undefined, path: readonly PropertyKey[]): boolean {
  let current: unknown = object;
  for (const key of path) {
    if (!isPlainObject(current) && !Array.isArray(current)) return false;
    if (!(String(key) in current)) return false;
    current = (current as Record<string, unknown>)[String(key)];
  }
  return true;
}

/** Sets `path` in a plain object, creating mappings on the way. */
export function setPath(object: PlainObject, path: readonly string[], value: unknown): void {
  let current = object;
  for (const key of path.slice(0, -1)) {
    const next = current[key];
    if (!isPlainObject(next)) current[key] = {};
    current = current[key] as PlainObject;
  }
  const last = path.at(-1);
  if (last !== undefined) current[last] = value;
}
