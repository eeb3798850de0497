/**
 * The environment form of every configuration option, derived from the zod schema: the YAML
 * path `engine.defaultModel` is `DARKROOM_ENGINE__DEFAULT_MODEL` (double underscore = one level
 * deeper, camelCase → UPPER_SNAKE). The text is turned into the option's type as the schema
 * declares it: numbers, `true`/`false`, `null`, comma-separated lists, and YAML flow mappings
 * (`{moderator: {maxSteps: 80}}`) for the per-role and per-workspace tables. Path options are
 * resolved against the shell's folder. A `DARKROOM_*` variable that names no option is reported
 * like a YAML typo, with the closest name.
 */
import path from 'node:path';
import { parse } from 'yaml';
import type { z } from 'zod';
import type { PlainObject } from './config-files.ts';
import { setPath } from './config-files.ts';
import { closestKey } from './config-problems.ts';
import { fileConfigSchema } from './config.schema.ts';
import type { ConfigProblem } from './config.types.ts';
import type { Environment } from './environment.ts';
import { CONFIG_DIR_VARIABLE, LEGACY_BINDINGS, PROCESS_VARIABLES, environmentValue, splitList } from './environment.ts';

/** Prefix of every option's environment form. */
export const ENVIRONMENT_PREFIX = 'DARKROOM_';

/** One option as the environment sees it. */
export interface EnvironmentOption {
  /** `DARKROOM_ENGINE__DEFAULT_MODEL`. */
  readonly variable: string;
  /** `['engine', 'defaultModel']`. */
  readonly path: readonly string[];
  /** The option's schema, used to read the variable's text. */
  readonly schema: z.ZodType;
}

/** An override that was applied: which variable set which option. */
export interface AppliedOverride {
  readonly variable: string;
  readonly path: readonly string[];
}

type AnySchema = z.core.$ZodType;

const defOf = (schema: AnySchema): z.core.$ZodTypeDef & Record<string, unknown> =>
  schema._zod.def as z.core.$ZodTypeDef & Record<string, unknown>;

/** Looks through wrappers that do not change what the text means (preprocess pipes, nullable, refinements). */
function unwrap(schema: AnySchema): { schema: AnySchema; nullable: boolean } {
  let current = schema;
  let nullable = false;
  for (;;) {
    const def = defOf(current);
    if (def.type === 'nullable' || def.type === 'optional' || def.type === 'default') {
      nullable ||= def.type === 'nullable';
      current = def['innerType'] as AnySchema;
    } else if (def.type === 'pipe') {
      current = def['out'] as AnySchema;
    } else {
      return { schema: current, nullable };
    }
  }
}

/** `defaultModel` → `DEFAULT_MODEL`, `allowDMs` → `ALLOW_DMS`. */
export function screamingSnake(key: string): string {
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z]{2,})/g, '$1_$2')
    .toUpperCase();
}

/** `['engine', 'defaultModel']` → `DARKROOM_ENGINE__DEFAULT_MODEL`. */
export function environmentName(optionPath: readonly string[]): string {
  return ENVIRONMENT_PREFIX + optionPath.map(screamingSnake).join('__');
}

/** Every leaf option of the schema (mappings with free keys count as one option each). */
export function environmentOptions(schema: z.ZodType = fileConfigSchema): EnvironmentOption[] {
  const options: EnvironmentOption[] = [];
  const visit = (node: AnySchema, optionPath: string[]): void => {
    const inner = unwrap(node).schema;
    const def = defOf(inner);
    if (def.type === 'object') {
      const shape = def['shape'] as Record<string, AnySchema>;
      for (const [key, child] of Object.entries(shape)) visit(child, [...optionPath, key]);
      return;
    }
    options.push({ variable: environmentName(optionPath), path: optionPath, schema: node as z.ZodType });
  };
  visit(schema, []);
  return options;
}

/** Whether an option holds a file or folder path (marked `.meta({ configKind: 'path' })` in the schema). */
function isPathOption(schema: AnySchema): boolean {
  let current: AnySchema | undefined = schema;
  while (current !== undefined) {
    const meta = (current as z.ZodType).meta?.() as { configKind?: unknown } | undefined;
    if (meta?.configKind === 'path') return true;
    const def = defOf(current);
    current = def.type === 'pipe' ? (def['out'] as AnySchema) : undefined;
  }
  return false;
}

const NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * Reads a variable's text as the option's type. Text that does not fit is passed on unchanged,
 * so the schema reports it in its usual words ("must be a whole number, not "four"").
 */
export function readEnvironmentValue(schema: z.ZodType, text: string, workingDir: string): unknown {
  const { schema: inner, nullable } = unwrap(schema);
  if (nullable && text === 'null') return null;
  const def = defOf(inner);
  switch (def.type) {
    case 'number':
      return NUMBER_TEXT.test(text) ? Number(text) : text;
    case 'boolean':
      return text === 'true' ? true : text === 'false' ? false : text;
    case 'union': {
      const kinds = (def['options'] as AnySchema[]).map((option) => defOf(unwrap(option).schema).type);
      if (kinds.includes('boolean') && (text === 'true' || text === 'false')) return text === 'true';
      return text;
    }
    case 'array': {
      const element = def['element'] as z.ZodType;
      return splitList(text).map((item) => readEnvironmentValue(element, item, workingDir));
    }
    case 'record':
      try {
        return parse(text, { intAsBigInt: false }) as unknown;
      } catch {
        return text;
      }
    default:
      return isPathOption(schema) && text !== 'none' ? path.resolve(workingDir, text) : text;
  }
}

/** What the environment changes in the merged YAML layers, and what it got wrong. */
export interface EnvironmentOverrides {
  readonly applied: readonly AppliedOverride[];
  readonly problems: readonly ConfigProblem[];
}

/**
 * Applies every override found in `env` to `raw` (the merged YAML): first the short names kept
 * for compatibility (`DATABASE_URL`, `PORT`, `DARKROOM_MODELS_DIR`, …), then the `DARKROOM_*`
 * forms, which win. Unknown `DARKROOM_*` variables are problems.
 */
export function applyEnvironmentOverrides(raw: PlainObject, env: Environment, workingDir: string): EnvironmentOverrides {
  const options = environmentOptions();
  const byPath = new Map(options.map((option) => [option.path.join('.'), option]));
  const byVariable = new Map(options.map((option) => [option.variable, option]));
  const applied: AppliedOverride[] = [];
  const apply = (variable: string, option: EnvironmentOption): void => {
    const text = environmentValue(env, variable);
    if (text === undefined) return;
    setPath(raw, [...option.path], readEnvironmentValue(option.schema, text, workingDir));
    applied.push({ variable, path: option.path });
  };
  for (const binding of LEGACY_BINDINGS) {
    const option = byPath.get(binding.path.join('.'));
    if (option !== undefined) apply(binding.name, option);
  }
  for (const option of options) apply(option.variable, option);

  const known = [...byVariable.keys()];
  const other = new Set<string>([CONFIG_DIR_VARIABLE, ...PROCESS_VARIABLES, ...LEGACY_BINDINGS.map((binding) => binding.name)]);
  const problems: ConfigProblem[] = [];
  for (const variable of Object.keys(env).sort()) {
    if (!variable.startsWith(ENVIRONMENT_PREFIX) || byVariable.has(variable) || other.has(variable)) continue;
    if (env[variable] === undefined) continue;
    const suggestion = closestKey(variable, known);
    const message =
      suggestion === undefined ? 'is not a known setting' : `is not a known setting (did you mean ${suggestion}?)`;
    problems.push({ path: variable, message, source: 'environment' });
  }
  return { applied, problems };
}
