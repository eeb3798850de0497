/**
 * The environment variables Darkroom understands: which configuration option each one
 * overrides, and which are secrets that exist only in the environment.
 */

/** A snapshot of environment variables (process.env, or a test's own object). */
export type Environment = Readonly<Record<string, string | undefined>>;

/** How a variable's text becomes a configuration value. */
export type OverrideKind = 'text' | 'path' | 'list';

export interface OverrideBinding {
  readonly name: string;
  /** The YAML option it replaces. */
  readonly path: readonly string[];
  readonly kind: OverrideKind;
}

/** Variables that replace a YAML option (the YAML keeps the documented default). */
export const OVERRIDE_BINDINGS: readonly OverrideBinding[] = [
  { name: 'DARKROOM_DATA_DIR', path: ['dataDir'], kind: 'path' },
  { name: 'DARKROOM_MODELS_DIR', path: ['models', 'dir'], kind: 'path' },
  { name: 'DATABASE_URL', path: ['database', 'url'], kind: 'text' },
  { name: 'LOG_LEVEL', path: ['log', 'level'], kind: 'text' },
  { name: 'HF_ENDPOINT', path: ['models', 'hubUrl'], kind: 'text' },
  { name: 'DISCORD_API_URL', path: ['discord', 'apiUrl'], kind: 'text' },
  { name: 'DISCORD_GUILD_IDS', path: ['discord', 'guildIds'], kind: 'list' },
  { name: 'SLACK_API_URL', path: ['slack', 'apiUrl'], kind: 'text' },
];

/** Secrets: read from the environment only, never from YAML (which may be committed by mistake). */
export const SECRET_NAMES = [
  'DISCORD_TOKEN',
  'SLACK_BOT_TOKEN',
  'SLACK_SIGNING_SECRET',
  'SLACK_APP_TOKEN',
  'HF_TOKEN',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

/** Where `local.yaml` is looked for (default: the project's `config/` folder). */
export const CONFIG_DIR_VARIABLE = 'DARKROOM_CONFIG_DIR';

/**
 * A variable's value, trimmed; empty counts as unset, so a copied `.env.example` with
 * `DISCORD_TOKEN=` means "no token" rather than "an empty token".
 */
export function environmentValue(env: Environment, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** `a, b,,c` → `['a', 'b', 'c']`. */
export function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
