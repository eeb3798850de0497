/**
 * Turns zod issues into problems a person can act on: the option's path (or the environment
 * variable that set it), plain words, and for a typo the option that was probably meant.
 */
import type { z } from 'zod';
import type { PlainObject } from './config-files.ts';
import { isPlainObject } from './config-files.ts';

/** `['limits', 'roles', 'vip', 'maxCount']` → `limits.roles.vip.maxCount`; list items as `[2]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((text, key) => {
    if (typeof key === 'number') return `${text}[${key}]`;
    return text === '' ? String(key) : `${text}.${String(key)}`;
  }, '');
}

const typeWords: Record<string, string> = {
  int: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  array: 'a list',
  object: 'a mapping (key: value)',
  record: 'a mapping (key: value)',
};

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return JSON.stringify(value);
}

/** Plain words for one zod issue (issues from a parse with `reportInput: true`). */
export function describeIssue(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return 'is missing';
      const expected = typeWords[issue.expected] ?? issue.expected;
      return `must be ${expected}, not ${describeValue(issue.input)}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      if (issue.origin === 'array') return `must have at least ${String(issue.minimum)} item(s)`;
      return `must be ${issue.inclusive === false ? 'more than' : 'at least'} ${String(issue.minimum)}, not ${describeValue(issue.input)}`;
    case 'too_big':
      return `must be ${issue.inclusive === false ? 'less than' : 'at most'} ${String(issue.maximum)}, not ${describeValue(issue.input)}`;
    case 'invalid_value':
      return `must be one of ${issue.values.map((value) => String(value)).join(', ')}, not ${describeValue(issue.input)}`;
    default:
      return issue.message;
  }
}

function editDistance(left: string, right: string): number {
  const a = left.toLowerCase();
  const b = right.toLowerCase();
  let previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i += 1) {
    const current = [i];
    for (let j = 1; j <= b.length; j += 1) {
      const substitution = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, substitution));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known option closest to a misspelt one, when it is close enough to be a typo. */
export function closestKey(unknown: string, known: readonly string[]): string | undefined {
  let best: { key: string; distance: number } | undefined;
  for (const key of known) {
    const distance = editDistance(unknown, key);
    if (best === undefined || distance < best.distance) best = { key, distance };
  }
  const tolerance = Math.max(2, Math.floor(unknown.length / 3));
  return best !== undefined && best.distance <= tolerance ? best.key : undefined;
}

/**
 * Keys of the mapping at `path` in the defaults (which list every option). Entries of a
 * per-role or per-workspace mapping take the same options as the `default` next to it.
 */
export function knownKeysAt(defaults: PlainObject, path: readonly PropertyKey[]): string[] {
  const lookup = (keys: readonly PropertyKey[]): string[] => {
    let current: unknown = defaults;
    for (const key of keys) {
      if (!isPlainObject(current)) return [];
      current = current[String(key)];
    }
    return isPlainObject(current) ? Object.keys(current) : [];
  };
  const direct = lookup(path);
  const parent = path.at(-2);
  if (direct.length > 0 || (parent !== 'roles' && parent !== 'workspaces')) return direct;
  return lookup([...path.slice(0, -2), 'default']);
}

/** Why a key is not accepted, with the likely intended option or where a secret belongs. */
export function describeUnknownKey(key: string, known: readonly string[], secretHint: string | undefined): string {
  if (secretHint !== undefined) return `is not a file option: secrets come from the environment (${secretHint})`;
  const suggestion = closestKey(key, known);
  return suggestion === undefined ? 'is not a known option' : `is not a known option (did you mean "${suggestion}"?)`;
}
