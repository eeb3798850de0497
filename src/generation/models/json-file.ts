import { readFile, stat } from 'node:fs/promises';

/** A parsed JSON object, or why it could not be read. `missing` is not an error for optional files. */
export type JsonFileResult =
  | { kind: 'object'; value: Record<string, unknown> }
  | { kind: 'missing' }
  | { kind: 'invalid'; reason: string };

/** Reads a file that should hold a JSON object (diffusers configs, model_index.json). */
export async function readJsonObject(file: string): Promise<JsonFileResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if (isNotFound(error)) return { kind: 'missing' };
    throw error;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return { kind: 'invalid', reason: 'not a JSON object' };
    }
    return { kind: 'object', value: value as Record<string, unknown> };
  } catch (error) {
    return { kind: 'invalid', reason: error instanceof Error ? error.message : String(error) };
  }
}

/** The JSON object, or undefined when the file was missing or invalid. */
export function objectOrUndefined(result: JsonFileResult): Record<string, unknown> | undefined {
  return result.kind === 'object' ? result.value : undefined;
}

/** A finite number field, else undefined. */
export function numberField(object: Record<string, unknown> | undefined, key: string): number | undefined {
  const value = object?.[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** A string field, else undefined. */
export function stringField(object: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = object?.[key];
  return typeof value === 'string' ? value : undefined;
}

/** Size of a regular file, or undefined when it does not exist. */
export async function fileSize(file: string): Promise<number | undefined> {
  try {
    const info = await stat(file);
    return info.isFile() ? info.size : undefined;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** True when `dir` exists and is a directory. */
export async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** ENOENT / ENOTDIR: the path is simply not there. */
export function isNotFound(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
